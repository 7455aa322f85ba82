/**
 * The SQL of keys:rotate for one target: which rows still hold a value not
 * under the active key of its type (or plaintext from before encryption),
 * one batch of them by key, and the write-back of a batch.
 */
import type { RotationTarget } from "./rotation_targets.ts";

// $1: the active key ids of the data types; $2: the active blind-index key id.
const ENCRYPTED = (value: string) => `left(${value}, 7) = 'enc:v1:'`;
const STALE = (value: string) =>
  `(${ENCRYPTED(value)} and split_part(${value}, ':', 3) <> all($1::text[]))`;

/** True for a row of `target` with something to rewrite. */
export function needsWorkSql(target: RotationTarget): string {
  const parts = target.columns.map((c) => {
    if (c.kind === "text") {
      return `(${c.column} is not null and (not ${ENCRYPTED(c.column)} or ${STALE(c.column)}))`;
    }
    const value = "(e.value #>> '{}')";
    const isString = "jsonb_typeof(e.value) = 'string'";
    return `exists (select 1 from jsonb_each(${c.column}) e where jsonb_typeof(e.value) <> 'null'
      and ((${isString} and ${STALE(value)})
        or (not (${isString} and ${ENCRYPTED(value)}) and ${c.personalSql})))`;
  });
  if (target.emailIndex) {
    const column = target.emailIndex.column;
    parts.push(`(${column} is not null and split_part(${column}, ':', 1) <> $2::text)`);
  }
  // $2 is referenced by every target: a statement must use each parameter it is given.
  return `($2::text is not null and (${parts.join(" or ")}))`;
}

/** Counts the rows of `target` with something to rewrite. */
export function countSql(target: RotationTarget): string {
  return `select count(*)::int as n from ${target.table} where ${needsWorkSql(target)}`;
}

/** The next batch after a key ($3…, as text) or from the start; the limit is the last parameter. */
export function batchSql(target: RotationTarget, fromStart: boolean): string {
  const keys = target.key.map((k) => k.column);
  const after = fromStart
    ? ""
    : `and (${keys.join(", ")}) > (${target.key.map((k, i) => `$${i + 3}::${k.type}`).join(", ")})`;
  const limit = `$${fromStart ? 3 : target.key.length + 3}`;
  const columns = [
    ...target.key.map((k, i) => `${k.column}::text as k${i}`),
    ...target.columns.map((c) => c.column),
    ...(target.emailIndex ? [target.emailIndex.column] : []),
  ];
  return `select ${columns.join(", ")} from ${target.table}
    where ${needsWorkSql(target)} ${after}
    order by ${keys.join(", ")} limit ${limit}`;
}

/**
 * Writes a batch back in one statement, row by row only where the sealed
 * columns still hold what was read: a value the engine rewrote meanwhile is
 * already under the active key, and is left as it is.
 */
export function updateSql(target: RotationTarget): string {
  const sealed = [
    ...target.columns.map((c) => ({
      column: c.column,
      type: c.kind === "text" ? "text" : "jsonb",
    })),
    ...(target.emailIndex ? [{ column: target.emailIndex.column, type: "text" }] : []),
  ];
  const record = [
    ...target.key.map((_, i) => `k${i} text`),
    ...sealed.flatMap((c) => [`${c.column} ${c.type}`, `old_${c.column} ${c.type}`]),
  ];
  return `update ${target.table} t set ${
    sealed.map((c) => `${c.column} = v.${c.column}`).join(", ")
  }
    from json_to_recordset($1::json) as v(${record.join(", ")})
    where ${target.key.map((k, i) => `t.${k.column} = v.k${i}::${k.type}`).join(" and ")}
      and ${sealed.map((c) => `t.${c.column} is not distinct from v.old_${c.column}`).join(" and ")}
    returning 1`;
}
