import * as fs from "node:fs";
import * as path from "node:path";
import type { ImpactReport } from "../src/protocol";

// Compiled to out/test/; the JSON fixtures stay in test/fixtures/.
const FIXTURES = path.resolve(__dirname, "..", "..", "test", "fixtures");

/** A real ImpactReport: `codemeld impact shop.utils.format_price --json` on tests/workspaces/shop. */
export function formatPriceReport(): ImpactReport {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, "impact_format_price.json"), "utf8"));
}

export const ROOT = "file:///ws/shop";
