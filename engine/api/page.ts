/**
 * Pages of a list the engine holds whole (a catalog of a few dozen entries),
 * with the same `limit`/`cursor` contract as the keyset lists: the cursor is
 * the key of the last item of the page before.
 */
import { EngineError } from "../errors.ts";

/** The page of `items` after the item keyed `cursor`, at most `limit` long. */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  options: { limit: number; cursor?: string | undefined },
): { items: T[]; nextCursor: string | null } {
  let start = 0;
  if (options.cursor !== undefined) {
    const at = items.findIndex((item) => keyOf(item) === options.cursor);
    if (at === -1) {
      throw new EngineError(
        "VALIDATION_FAILED",
        "Invalid request: query.cursor: not a cursor of this list; pass the nextCursor of the " +
          "page before",
        { issues: [{ path: "query.cursor", message: "not a cursor of this list" }] },
      );
    }
    start = at + 1;
  }
  const page = items.slice(start, start + options.limit);
  const last = page.at(-1);
  const more = start + options.limit < items.length;
  return { items: page, nextCursor: more && last !== undefined ? keyOf(last) : null };
}
