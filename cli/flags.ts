/** Checking command-line flag values, for the commands and benchmarks. */
import { EngineError } from "../engine/errors.ts";

/** `text` as a whole number from `min` to `max`, or VALIDATION_FAILED naming `flag`. */
export function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `${flag} must be a whole number from ${min} to ${max}, not "${text}"`,
    );
  }
  return n;
}
