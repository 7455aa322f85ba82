/**
 * Checks a parsed template against the rendering context: every variable it
 * names must be one of `templateVariables` (resolved through `#with`,
 * `#each`, `../`, `this`, `@root` and block parameters), helpers are only
 * the four block helpers, and nothing reaches outside the context (partials,
 * decorators, sub-expressions, literal lookups). Also lists the variables a
 * template uses. Handlebars is only parsed here, never run.
 */
import { didYouMean } from "../../rules/mod.ts";
import { BLOCK_HELPERS } from "./handlebars_env.ts";
import {
  type Binding,
  isContainer,
  isVariable,
  maps,
  matches,
  patterns,
  resolve,
  type Scope,
  suggestions,
} from "./scopes.ts";

/** How deep `#each` blocks may nest; bounds the work a render can do. */
export const MAX_EACH_DEPTH = 3;
/** How deep blocks of any kind may nest; handlebars' compiler recurses once per level. */
export const MAX_BLOCK_DEPTH = 50;

/** A node of handlebars' AST, as far as the checks read it. */
export interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number } };
}

/** A path like `customer.name`, `../x`, `this` or `@index`. */
export interface PathNode extends AstNode {
  type: "PathExpression";
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}

/** A template or a block's body. */
export interface ProgramNode extends AstNode {
  body: AstNode[];
  blockParams?: string[];
}

interface ContentNode extends AstNode {
  value: string;
}

interface HashNode {
  pairs: Array<AstNode & { key: string; value: AstNode & { value?: unknown } }>;
}

interface CallNode extends AstNode {
  path: AstNode;
  params: AstNode[];
  hash?: HashNode;
}

interface MustacheNode extends CallNode {
  escaped: boolean;
}

interface BlockNode extends CallNode {
  program?: ProgramNode;
  inverse?: ProgramNode;
}

/** A problem at a 1-based line and column. */
export interface AstProblem {
  line: number;
  column: number;
  message: string;
}

/** What the checks found: problems, and the variables used (`health.components.*` style). */
export interface AstCheck {
  problems: AstProblem[];
  variables: Set<string>;
}

type Usage = "output" | "condition" | "with" | "each";

const LITERALS = new Set([
  "StringLiteral",
  "NumberLiteral",
  "BooleanLiteral",
  "UndefinedLiteral",
  "NullLiteral",
]);

/** Checks `program`; `html`: the part is HTML, where unescaped output is refused. */
export function checkTemplateAst(program: ProgramNode, options: { html: boolean }): AstCheck {
  const walker = new Walker(options.html);
  walker.program(program, [{ base: [], each: false, params: new Map() }], 0);
  return { problems: walker.problems, variables: walker.variables };
}

/** Whether `program` renders nothing whatever the context: only whitespace and comments. */
export function rendersNothing(program: ProgramNode | undefined): boolean {
  return (program?.body ?? []).every((node) => {
    if (node.type === "ContentStatement") return (node as ContentNode).value.trim() === "";
    if (node.type === "CommentStatement") return true;
    if (node.type === "BlockStatement") {
      const block = node as BlockNode;
      return rendersNothing(block.program) && rendersNothing(block.inverse);
    }
    return false;
  });
}

class Walker {
  readonly problems: AstProblem[] = [];
  readonly variables = new Set<string>();
  #blockDepth = 0;

  constructor(readonly html: boolean) {}

  program(program: ProgramNode | undefined, stack: Scope[], eachDepth: number): void {
    for (const node of program?.body ?? []) this.statement(node, stack, eachDepth);
  }

  statement(node: AstNode, stack: Scope[], eachDepth: number): void {
    switch (node.type) {
      case "ContentStatement":
      case "CommentStatement":
        return;
      case "MustacheStatement":
        return this.mustache(node as MustacheNode, stack);
      case "BlockStatement":
        return this.block(node as BlockNode, stack, eachDepth);
      case "PartialStatement":
      case "PartialBlockStatement":
        return this.problem(node, "partials ({{> name}}) are not available: write the text here");
      case "Decorator":
      case "DecoratorBlock":
        return this.problem(node, "decorators ({{* name}}) are not available");
      default:
        return this.problem(node, `unexpected ${node.type}`);
    }
  }

  mustache(node: MustacheNode, stack: Scope[]): void {
    const path = node.path;
    if (!isPath(path)) {
      return this.problem(node, "{{…}} must name a variable, e.g. {{customer.name}}");
    }
    if (isHelperName(path) && BLOCK_HELPERS.has(path.original)) {
      return this.problem(path, blockOnly(path.original));
    }
    if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) {
      return this.problem(path, unknownHelper(path.original));
    }
    if (!node.escaped && this.html) {
      return this.problem(
        node,
        `{{{${path.original}}}} inserts ${path.original} without HTML escaping: write ` +
          `{{${path.original}}} (values are escaped for HTML)`,
      );
    }
    this.use(path, stack, "output");
  }

  block(node: BlockNode, stack: Scope[], eachDepth: number): void {
    if (this.#blockDepth >= MAX_BLOCK_DEPTH) {
      return this.problem(node, `blocks nest more than ${MAX_BLOCK_DEPTH} deep: flatten them`);
    }
    this.#blockDepth++;
    try {
      this.checkBlock(node, stack, eachDepth);
    } finally {
      this.#blockDepth--;
    }
  }

  checkBlock(node: BlockNode, stack: Scope[], eachDepth: number): void {
    const path = node.path;
    const name = isPath(path) && isHelperName(path) ? path.original : null;
    if (name === null || !BLOCK_HELPERS.has(name)) {
      this.problem(path, unknownHelper(isPath(path) ? path.original : "(literal)"));
      this.program(node.program, stack, eachDepth);
      this.program(node.inverse, stack, eachDepth);
      return;
    }
    const [param, ...extra] = node.params;
    if (param === undefined || extra.length > 0) {
      this.problem(path, `{{#${name}}} takes one value, e.g. {{#${name} ${example(name)}}}`);
    }
    this.checkHash(node, name);
    const blockParams = node.program?.blockParams ?? [];
    const allowedParams = name === "each" ? 2 : name === "with" ? 1 : 0;
    if (blockParams.length > allowedParams) {
      this.problem(path, `{{#${name}}} takes at most ${allowedParams} block parameters (as |…|)`);
    }
    if (name === "if" || name === "unless") {
      if (param) this.useParam(param, stack, "condition");
      this.program(node.program, stack, eachDepth);
      this.program(node.inverse, stack, eachDepth);
      return;
    }
    const resolved = param ? this.useParam(param, stack, name === "each" ? "each" : "with") : null;
    const depth = name === "each" ? eachDepth + 1 : eachDepth;
    if (depth > MAX_EACH_DEPTH && name === "each") {
      this.problem(path, `{{#each}} blocks nest at most ${MAX_EACH_DEPTH} deep`);
    }
    if (resolved !== null) {
      const base = name === "each" ? [...resolved, "*"] : resolved;
      const params = new Map<string, Binding>();
      if (blockParams[0] !== undefined) params.set(blockParams[0], { kind: "value", path: base });
      if (blockParams[1] !== undefined) params.set(blockParams[1], { kind: "key" });
      this.program(node.program, [...stack, { base, each: name === "each", params }], depth);
    }
    // The {{else}} of #with and #each renders in the enclosing context.
    this.program(node.inverse, stack, eachDepth);
  }

  checkHash(node: BlockNode, name: string): void {
    for (const pair of node.hash?.pairs ?? []) {
      const zeroFlag = (name === "if" || name === "unless") && pair.key === "includeZero" &&
        pair.value.type === "BooleanLiteral";
      if (!zeroFlag) {
        this.problem(
          pair,
          `{{#${name}}} takes no option "${pair.key}"` +
            (name === "if" || name === "unless" ? " (only includeZero=true)" : ""),
        );
      }
    }
  }

  /** Checks a block's value; returns the path it names (null for literals and problems). */
  useParam(param: AstNode, stack: Scope[], usage: Usage): string[] | null {
    if (isPath(param)) return this.use(param, stack, usage);
    if (LITERALS.has(param.type) && usage === "condition") return null;
    this.problem(
      param,
      param.type === "SubExpression"
        ? "sub-expressions ( … ) call helpers, which templates cannot use"
        : "needs a variable, not a literal",
    );
    return null;
  }

  /** Checks that `path` means a variable fit for `usage`; returns its full path. */
  use(path: PathNode, stack: Scope[], usage: Usage): string[] | null {
    const resolved = resolve(path, stack);
    if ("problem" in resolved) {
      this.problem(path, resolved.problem);
      return null;
    }
    if (resolved.path === null) {
      if (usage === "with" || usage === "each") {
        this.problem(path, `{{#${usage}}} needs an object, not ${path.original}`);
      }
      return null;
    }
    const full = resolved.path;
    const shown = full.join(".");
    const label = shown === path.original
      ? `"${shown}"`
      : `"${path.original}" (${shown || "the whole context"})`;
    if (!isVariable(full) && !isContainer(full)) {
      this.problem(
        path,
        `unknown variable ${label}.${didYouMean(shown, suggestions)} ` +
          "docs/templates.md lists the variables",
      );
      return null;
    }
    if (usage === "output" && isContainer(full)) {
      const field = patterns.find((p) => p.length > full.length && matches(p, full, full.length));
      return this.fail(
        path,
        `${label} is an object, not a value: name one of its fields` +
          (field ? `, e.g. ${field.join(".")}` : ""),
      );
    }
    if (usage === "with" && (full.length === 0 || !isContainer(full))) {
      return this.fail(
        path,
        `{{#with}} needs an object such as customer or health; ${label} is not one`,
      );
    }
    if (usage === "each" && !maps.includes(full.join("."))) {
      return this.fail(path, `{{#each}} can loop over ${maps.join(", ")}; ${label} is not a list`);
    }
    if (usage === "output" || usage === "condition") this.variables.add(shown);
    return full;
  }

  fail(node: AstNode, message: string): null {
    this.problem(node, message);
    return null;
  }

  problem(node: AstNode, message: string): void {
    const start = node.loc?.start ?? { line: 1, column: 0 };
    this.problems.push({ line: start.line, column: start.column + 1, message });
  }
}

function isPath(node: AstNode): node is PathNode {
  return node.type === "PathExpression";
}

/** A bare name (`if`, `formatDate`) as a helper call would use it. */
function isHelperName(path: PathNode): boolean {
  return !path.data && path.depth === 0 && path.parts.length === 1 &&
    path.original === path.parts[0];
}

function unknownHelper(name: string): string {
  return `unknown helper "${name}".${didYouMean(name, BLOCK_HELPERS)} Templates can use the ` +
    "block helpers #if, #unless, #each and #with, and variables";
}

function blockOnly(name: string): string {
  return `${name} is a block helper: write {{#${name} ${example(name)}}}…{{/${name}}}`;
}

function example(name: string): string {
  return name === "each" ? "health.components" : name === "with" ? "customer" : "health";
}
