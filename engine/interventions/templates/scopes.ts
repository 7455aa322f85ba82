/**
 * What a variable path in a template means: the context's variables
 * (`templateVariables`, where `*` stands for any key), and the scopes a path
 * resolves in — the root, the object of a `#with`, the element of an
 * `#each`, block parameters, `../`, `this` and `@root` — with handlebars'
 * own resolution rules.
 */
import { templateVariables } from "../template_context.ts";
import type { PathNode } from "./template_ast.ts";

/** What a block parameter stands for: an element of the context, or a loop key. */
export type Binding = { kind: "value"; path: string[] } | { kind: "key" };

/** A context a path resolves in: the root, a `#with` object or an `#each` element. */
export interface Scope {
  base: string[];
  each: boolean;
  params: Map<string, Binding>;
}

/** Each variable, split at the dots. */
export const patterns: readonly string[][] = templateVariables.map((variable) =>
  variable.split(".")
);
/** The variables to suggest for a misspelled one (no wildcards). */
export const suggestions: readonly string[] = templateVariables.filter((variable) =>
  !variable.includes("*")
);
/** The objects `#each` can loop over (`health.components`). */
export const maps: readonly string[] = patterns.filter((p) => p.at(-1) === "*").map((p) =>
  p.slice(0, -1).join(".")
);
const DATA_NAMES = new Set(["index", "key", "first", "last"]);

/** The full path `path` names (null for @index and friends), or why it names nothing. */
export function resolve(
  path: PathNode,
  stack: Scope[],
): { path: string[] | null } | { problem: string } {
  const [head, ...rest] = path.parts;
  if (path.data) {
    if (head === "root") return { path: rest };
    if (head !== undefined && DATA_NAMES.has(head)) {
      if (rest.length > 0) return { problem: `@${head} has no fields` };
      const loops = stack.filter((scope) => scope.each).length;
      if (loops <= path.depth) return { problem: `@${head} is only set inside {{#each}}` };
      return { path: null };
    }
    return {
      problem: `unknown data variable "${path.original}": @index, @key, @first and @last ` +
        "inside {{#each}}, @root anywhere",
    };
  }
  // Handlebars' own rule (AST.helpers.scopedId): `this.x` and `./x` skip block parameters.
  const scoped = /^\.|this\b/.test(path.original);
  if (!scoped && path.depth === 0 && head !== undefined) {
    for (let i = stack.length - 1; i >= 0; i--) {
      const binding = stack[i]!.params.get(head);
      if (binding === undefined) continue;
      if (binding.kind === "key") {
        return rest.length > 0 ? { problem: `${head} is a key and has no fields` } : { path: null };
      }
      return { path: [...binding.path, ...rest] };
    }
  }
  const scope = stack[stack.length - 1 - path.depth];
  if (scope === undefined) {
    return {
      problem: `"${path.original}" goes above the top of the template: ../ steps out of one ` +
        "#with or #each",
    };
  }
  return { path: [...scope.base, ...path.parts] };
}

/** Whether `path` matches `pattern` in its first `length` segments. */
export function matches(
  pattern: readonly string[],
  path: readonly string[],
  length: number,
): boolean {
  for (let i = 0; i < length; i++) {
    if (pattern[i] !== "*" && pattern[i] !== path[i]) return false;
  }
  return true;
}

/** Whether `path` is one of the variables. */
export function isVariable(path: readonly string[]): boolean {
  return patterns.some((p) => p.length === path.length && matches(p, path, path.length));
}

/** The root, or an object some variable lies under. */
export function isContainer(path: readonly string[]): boolean {
  return path.length === 0 ||
    patterns.some((p) => p.length > path.length && matches(p, path, path.length));
}
