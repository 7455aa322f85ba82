/** What changed between two versions of a rule, for people reading its history. */
import { formatPath } from "../errors.ts";

/** One change: the JSON path, the value before and after (undefined: absent). */
export interface JsonChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** The changes that turn `before` into `after`, leaf by leaf (lists compared by position). */
export function jsonDiff(before: unknown, after: unknown, path: PropertyKey[] = []): JsonChange[] {
  if (Object.is(before, after)) return [];
  const bothObjects = isContainer(before) && isContainer(after) &&
    Array.isArray(before) === Array.isArray(after);
  if (!bothObjects) {
    const change: JsonChange = { path: formatPath(path) || "(root)" };
    if (before !== undefined) change.before = before;
    if (after !== undefined) change.after = after;
    return [change];
  }
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((key) =>
    jsonDiff(a[key], b[key], [...path, Array.isArray(before) ? Number(key) : key])
  );
}

function isContainer(value: unknown): value is object {
  return value !== null && typeof value === "object";
}
