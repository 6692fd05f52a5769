/** One cart line as the web page shows it. */
export interface LineView {
  name: string;
  quantity: number;
}

/** Renders cart lines as rows of text. */
export class CartView {
  constructor(private lines: LineView[]) {}

  rows(): string[] {
    return this.lines.map((line) => describeLine(line));
  }

  count(): number {
    return this.rows().length;
  }
}

/** A line's quantity and name, for one row. */
export function describeLine(line: LineView): string {
  return `${line.quantity} x ${line.name}`;
}
