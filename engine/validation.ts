/**
 * Turns zod failures into the engine's field issues, so every edge (HTTP,
 * files, config) reports bad input the same way: a path and what to do.
 */
import type { z } from "zod";
import { EngineError, type FieldIssue, formatPath } from "./errors.ts";

/** Field issues of a zod error, with paths prefixed by where the value came from. */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]) || "(root)",
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws VALIDATION_FAILED naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { what: string; prefix?: readonly PropertyKey[] },
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error, options.prefix);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new EngineError("VALIDATION_FAILED", `Invalid ${options.what}: ${summary}${more}`, {
    issues,
  });
}
