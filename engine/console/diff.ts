/**
 * A field-level diff of an audit entry's before and after: both are
 * flattened to paths (`conditions.all[0].value`) and compared, so a reader
 * sees which fields were added, removed or changed, not two JSON blobs.
 */

/** One line of the diff. */
export interface FieldChange {
  path: string;
  kind: "added" | "removed" | "changed";
  before?: string;
  after?: string;
}

/** The changed fields between `before` and `after`, in path order. */
export function diffFields(before: unknown, after: unknown): FieldChange[] {
  const old = flatten(before);
  const now = flatten(after);
  const paths = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const a = old.get(path);
    const b = now.get(path);
    if (a === undefined && b !== undefined) changes.push({ path, kind: "added", after: b });
    else if (b === undefined && a !== undefined) changes.push({ path, kind: "removed", before: a });
    else if (a !== b) changes.push({ path, kind: "changed", before: a!, after: b! });
  }
  return changes;
}

/** Leaf values by path, shown as JSON (`"text"`, `3`, `null`, `[]`, `{}`). */
function flatten(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node) && node.length > 0) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (node !== null && typeof node === "object" && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) {
        walk(child, path === "" ? key : `${path}.${key}`);
      }
    } else if (!(path === "" && node === null)) {
      out.set(path === "" ? "(value)" : path, JSON.stringify(node));
    }
  };
  walk(value, "");
  return out;
}
