/**
 * How `deno task validate` prints: one line per check, a mark, what it found
 * and what to do, then a verdict. Marks are ✓ ✗ ! – (coloured on a
 * terminal); with NO_COLOR set they are words, for logs that mangle symbols.
 */
import type { ValidationResult, ValidationStatus } from "../engine/ops/mod.ts";

const symbols: Record<ValidationStatus, string> = { pass: "✓", fail: "✗", warn: "!", skip: "–" };
const words: Record<ValidationStatus, string> = {
  pass: "[ok]  ",
  fail: "[FAIL]",
  warn: "[warn]",
  skip: "[skip]",
};
const colors: Record<ValidationStatus, string> = {
  pass: "\x1b[32m",
  fail: "\x1b[31m",
  warn: "\x1b[33m",
  skip: "\x1b[2m",
};

/** How to mark lines: symbols or words, coloured or not. */
export interface OutputStyle {
  plain: boolean;
  color: boolean;
}

/** The style for this process: words under NO_COLOR, colour only on a terminal. */
export function outputStyle(): OutputStyle {
  const plain = (Deno.env.get("NO_COLOR") ?? "") !== "";
  return { plain, color: !plain && Deno.stdout.isTerminal() };
}

/** One check's line. */
export function formatResult(result: ValidationResult, style: OutputStyle): string {
  const mark = style.plain ? words[result.status] : symbols[result.status];
  const shown = style.color ? `${colors[result.status]}${mark}\x1b[0m` : mark;
  const fix = result.fix && result.status !== "pass" ? ` → ${result.fix}` : "";
  return `${shown} ${result.check}: ${result.message}${fix}`;
}

/** The last line: the verdict. */
export function formatVerdict(results: readonly ValidationResult[]): string {
  const failed = results.filter((r) => r.status === "fail").length;
  const warned = results.filter((r) => r.status === "warn").length;
  if (failed > 0) return `NOT READY: ${failed} problem${failed === 1 ? "" : "s"}`;
  return `PRODUCTION READY${warned > 0 ? ` (${warned} warning${warned === 1 ? "" : "s"})` : ""}`;
}
