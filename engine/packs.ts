/**
 * Reading packs: JSON files that each hold a list of items (rules, templates)
 * to import. Every file and item is checked before anything is returned, and
 * every problem is reported at once, named by file and place
 * (`rules/risk.json rules[2].definition.conditions…`), so an import writes
 * all of its packs or nothing.
 */
import { EngineError, type FieldIssue } from "./errors.ts";

/** How to read one kind of pack. */
export interface PackReader<Item extends { id: string }> {
  /** The items' name in messages and places: `rule` → `rules[2]`, "The rule packs …". */
  noun: string;
  /** A file's parsed JSON → its items, or the problems with its shape (paths within the file). */
  parse(json: unknown): { items: Item[] } | { issues: FieldIssue[] };
  /** An item's problems, their paths starting with `source` (`file rules[2]`). */
  check(item: Item, source: string): FieldIssue[];
}

/** The items of `files`, each with where it came from; VALIDATION_FAILED listing every problem. */
export async function readPacks<Item extends { id: string }>(
  files: readonly string[],
  reader: PackReader<Item>,
): Promise<Array<Item & { source: string }>> {
  const issues: FieldIssue[] = [];
  const items: Array<Item & { source: string }> = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(file));
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof SyntaxError
        ? `not valid JSON (${error.message})`
        : String(error);
      issues.push({ path: file, message: reason });
      continue;
    }
    const parsed = reader.parse(json);
    if ("issues" in parsed) {
      for (const issue of parsed.issues) {
        issues.push({ path: `${file}: ${issue.path}`, message: issue.message });
      }
      continue;
    }
    parsed.items.forEach((item, i) => {
      const source = `${file} ${reader.noun}s[${i}]`;
      const first = seen.get(item.id);
      if (first) issues.push({ path: `${source}.id`, message: `"${item.id}" is also ${first}` });
      seen.set(item.id, source);
      const problems = reader.check(item, source);
      if (problems.length > 0) issues.push(...problems);
      else items.push({ ...item, source });
    });
  }
  if (issues.length > 0) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `The ${reader.noun} packs are not valid; nothing was imported. ${issues[0]!.path}: ${
        issues[0]!.message
      }${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`,
      { issues },
    );
  }
  return items;
}

/** The issues of a check that throws VALIDATION_FAILED, their paths under `prefix`. */
export function issuesOf(check: () => void, prefix: string): FieldIssue[] {
  try {
    check();
    return [];
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return (error.issues ?? []).map((issue) => ({ ...issue, path: `${prefix}.${issue.path}` }));
  }
}
