// Running the affected tests: the pytest command as an argument vector (no
// shell, nothing typed into a terminal), and pytest's `-rA` summary read back
// into one outcome per node id.

/** "python -m pytest" -> ["python", "-m", "pytest"]; single and double quotes group words. */
export function splitCommand(command: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(command))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  return out.length ? out : ["pytest"];
}

/** Longest argument list passed directly; above it, ids go in an @file (pytest 8.2+). Windows caps a command line at 32k. */
export const MAX_INLINE_CHARS = 24_000;

export interface PytestInvocation {
  command: string;
  args: string[];
  argFile?: string; // contents to write to the @file named in args, one id per line
}

/** `pytest -rA <ids>`; `argFilePath` is used when the ids would make the command line too long. */
export function pytestInvocation(pytestCommand: string, ids: string[], argFilePath: string): PytestInvocation {
  const [command, ...base] = splitCommand(pytestCommand);
  const fixed = [...base, "-rA", "--color=no"];
  const inline = ids.reduce((n, id) => n + id.length + 1, 0);
  if (inline <= MAX_INLINE_CHARS) return { command, args: [...fixed, ...ids] };
  return { command, args: [...fixed, `@${argFilePath}`], argFile: ids.join("\n") + "\n" };
}

export type Outcome = "passed" | "failed" | "errored" | "skipped";

const SUMMARY = /^(PASSED|FAILED|ERROR|XFAIL|XPASS)\s+(\S.*?)(?:\s+-\s+.*)?$/;

/** Outcomes from pytest's `-rA` short summary ("PASSED tests/t.py::test_x", "FAILED ... - reason"). */
export function parseOutcomes(output: string): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  for (const raw of output.split(/\r?\n/)) {
    const m = SUMMARY.exec(raw.trim());
    if (!m) continue;
    const [, word, id] = m;
    const outcome: Outcome = word === "PASSED" || word === "XPASS" ? "passed" : word === "XFAIL" ? "skipped" : word === "FAILED" ? "failed" : "errored";
    // A test that passed but errored at teardown is listed twice: the worse one counts.
    if (out.get(id) !== "failed" && out.get(id) !== "errored") out.set(id, outcome);
  }
  return out;
}

/** "12 passed, 1 failed" for the notification after a run. */
export function outcomeSummary(outcomes: Outcome[]): string {
  const counts = new Map<Outcome, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  const order: Outcome[] = ["passed", "failed", "errored", "skipped"];
  const parts = order.filter((o) => counts.get(o)).map((o) => `${counts.get(o)} ${o}`);
  return parts.join(", ") || "no tests ran";
}
