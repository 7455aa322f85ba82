/**
 * Mutations of a valid JSON body for fuzzing: drop or add keys, swap types,
 * oversize or odd strings, extreme numbers, prototype keys, deep nesting,
 * broken JSON. Seeded, so a failure replays.
 */
import type { Random } from "../../engine/demo/mod.ts";

const oddValues: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  0.1,
  "",
  " ",
  "x".repeat(5_000),
  "💍".repeat(300),
  "\u0000",
  "'; drop table customers; --",
  "2026-02-30T25:61:00Z",
  "9999-12-31T23:59:59Z",
  "0001-01-01T00:00:00Z",
  [],
  [null],
  {},
  JSON.parse('{"__proto__": {"admin": true}}'),
  { constructor: { prototype: { polluted: true } } },
];

/** A mutated copy of `value` (one to three mutations deep). */
export function mutate(value: unknown, random: Random): unknown {
  let result = structuredClone(value);
  for (let n = random.int(1, 3); n > 0; n--) result = mutateOnce(result, random);
  return result;
}

/** A request body: usually mutated JSON, sometimes text that is not JSON at all. */
export function mutatedBody(valid: unknown, random: Random): string {
  const roll = random.next();
  if (roll < 0.05) return JSON.stringify(valid).slice(0, random.int(0, 40));
  if (roll < 0.08) return random.pick(["", "null", "[]", "{", '"text"', "{}}", "NaN"]);
  if (roll < 0.1) return JSON.stringify(nested(random.int(100, 2_000)));
  return JSON.stringify(mutate(valid, random));
}

function mutateOnce(value: unknown, random: Random): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || random.chance(0.2)) {
      return random.pick([[], oddValues, value.concat(value)]);
    }
    const i = random.int(0, value.length - 1);
    const copy = value.slice();
    copy[i] = mutateOnce(copy[i], random);
    return copy;
  }
  if (value !== null && typeof value === "object") {
    const record = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(record);
    const roll = random.next();
    if (roll < 0.2 && keys.length > 0) {
      delete record[random.pick(keys)];
    } else if (roll < 0.3) {
      record[random.pick(["extra", "__proto__", "id", "constructor", "ñ"])] = random.pick(
        oddValues,
      );
    } else if (keys.length > 0) {
      const key = random.pick(keys);
      record[key] = random.chance(0.5) ? random.pick(oddValues) : mutateOnce(record[key], random);
    }
    return record;
  }
  return random.pick(oddValues);
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
