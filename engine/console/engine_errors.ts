/** Reading engine errors in the console. */
import { type ErrorCode, type FieldIssue, isEngineError } from "../errors.ts";

/** The code of an EngineError, or null for any other error. */
export function asEngineErrorCode(error: unknown): ErrorCode | null {
  return isEngineError(error) ? error.code : null;
}

/** The field issues of a VALIDATION_FAILED or USER_EXISTS, or null for any other error. */
export function issuesOf(error: unknown): readonly FieldIssue[] | null {
  if (!isEngineError(error, "VALIDATION_FAILED") && !isEngineError(error, "USER_EXISTS")) {
    return null;
  }
  return error.issues;
}
