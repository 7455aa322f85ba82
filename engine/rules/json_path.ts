/**
 * The JSONPath forms the compiled evaluator resolves itself, exactly as
 * json-rules-engine's resolver (jsonpath-plus 10, `wrap: false`) does.
 *
 * Only plain member chains are accepted: `$.a.b`, `$.a[0]`, `$['a']`,
 * `$["a b"]` and mixes of them. jsonpath-plus splits those into the same
 * keys we do and, for each key, just follows an own property
 * (`val && Object.hasOwn(val, key)`); a missing step yields `undefined`.
 * Every other form (wildcards, `..`, slices, filters, unions, `^`, `~`,
 * type selectors, odd characters) has behaviour we do not reproduce, so
 * `parseJsonPath` refuses it and the rule goes to the reference engine.
 */

/** The keys of a member-chain path, in order; `$` itself is not a key. */
export type JsonPathKeys = readonly string[];

const identifier = /^\.([A-Za-z_][A-Za-z0-9_]*)/;
const index = /^\[([0-9]+)\]/;
const quoted = /^\[(['"])([A-Za-z0-9_ -]+)\1\]/;

/**
 * The keys of `path`, or `undefined` when the path is not a plain member
 * chain we can resolve exactly.
 */
export function parseJsonPath(path: string): JsonPathKeys | undefined {
  if (!path.startsWith("$")) return undefined;
  const keys: string[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = identifier.exec(rest) ?? index.exec(rest);
    if (match?.[1] !== undefined) {
      keys.push(match[1]);
      rest = rest.slice(match[0].length);
      continue;
    }
    const quotedMatch = quoted.exec(rest);
    if (quotedMatch?.[2] === undefined) return undefined;
    keys.push(quotedMatch[2]);
    rest = rest.slice(quotedMatch[0].length);
  }
  return keys.length > 0 ? keys : undefined;
}

/**
 * The value at `keys` inside `root`, or `undefined` when a step is missing.
 * A step follows only own properties of a truthy value, which is why
 * `$.name.length` works on a string and `$.a.b` stops at `0` or `""`.
 */
export function resolveJsonPath(root: unknown, keys: JsonPathKeys): unknown {
  let value = root;
  for (const key of keys) {
    // Object.hasOwn boxes primitives, exactly as jsonpath-plus relies on.
    if (!value || !Object.hasOwn(value as object, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
