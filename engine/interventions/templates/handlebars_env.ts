/**
 * The one place handlebars is set up: parsing with positions for error
 * messages, and isolated instances that know only the four block helpers
 * (so a template cannot reach `lookup`, `log` or anything registered
 * elsewhere). Validation and rendering both compile with these options, so
 * what passes validation is exactly what renders.
 */
import Handlebars from "handlebars";
import type { ProgramNode } from "./template_ast.ts";

/** The helpers a template may use: handlebars' built-in block helpers. */
export const BLOCK_HELPERS: ReadonlySet<string> = new Set(["if", "unless", "each", "with"]);

/** An isolated handlebars environment. */
export type HandlebarsEnv = typeof Handlebars;

/** What handlebars' compile accepts as options. */
export type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;

/** What a compiled template accepts when it runs. */
export type RuntimeOptions = NonNullable<Parameters<Handlebars.TemplateDelegate>[1]>;

/**
 * Compile options for a part: HTML parts escape `{{…}}` (the default),
 * text, markdown and subjects do not. Only the block helpers are known,
 * and `knownHelpersOnly` makes any other helper call a compile error.
 */
export function compileOptions(options: { escape: boolean }): CompileOptions {
  return {
    noEscape: !options.escape,
    knownHelpersOnly: true,
    knownHelpers: {
      if: true,
      unless: true,
      each: true,
      with: true,
      lookup: false,
      log: false,
      helperMissing: false,
      blockHelperMissing: false,
    },
    // A missing value renders empty: prediction and rule are null for many sends.
    strict: false,
    preventIndent: true,
  };
}

/** Runtime options: never resolve a property or method from a prototype. */
export const RUNTIME_OPTIONS: RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
};

/** A fresh environment with only the block helpers registered. */
export function createHandlebars(): HandlebarsEnv {
  const hb = Handlebars.create();
  for (const name of Object.keys(hb.helpers)) {
    if (!BLOCK_HELPERS.has(name) && name !== "helperMissing" && name !== "blockHelperMissing") {
      hb.unregisterHelper(name);
    }
  }
  return hb;
}

/** Where a syntax error is: 1-based line and column. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
}

/** The parsed template, or where and why it does not parse. */
export function parseTemplate(
  source: string,
): { program: ProgramNode } | { problem: SourceProblem } {
  try {
    // Our node types describe the parts of handlebars' AST the checks read.
    return { program: Handlebars.parse(source) as unknown as ProgramNode };
  } catch (error) {
    return { problem: syntaxProblem(error) };
  }
}

/** Checks a part compiles with the options it renders with (a last net under the AST checks). */
export function compileProblem(source: string, options: CompileOptions): SourceProblem | null {
  try {
    Handlebars.precompile(source, options);
    return null;
  } catch (error) {
    return syntaxProblem(error);
  }
}

interface LexerLocation {
  first_line?: number;
  first_column?: number;
}

/**
 * Handlebars' parser reports positions two ways: its Exception carries
 * `lineNumber` and `column`; jison's parse errors only say "line N" in the
 * message, while the lexer still holds the offending token's location
 * (parsing is synchronous, so nothing has moved it yet).
 */
function syntaxProblem(error: unknown): SourceProblem {
  if (error instanceof RangeError) {
    // Handlebars' parser and compiler recurse per nested block: far past any real template.
    return { line: 1, column: 1, message: "blocks nest too deeply to compile: flatten them" };
  }
  const text = error instanceof Error ? error.message : String(error);
  const located = error as { lineNumber?: unknown; column?: unknown };
  if (typeof located.lineNumber === "number") {
    return {
      line: located.lineNumber,
      column: (typeof located.column === "number" ? located.column : 0) + 1,
      message: text.replace(/ - \d+:\d+$/, ""),
    };
  }
  // Handlebars exposes its jison parser as `Parser`; the types do not declare it.
  const parser = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: LexerLocation } } })
    .Parser;
  const location = parser?.lexer?.yylloc;
  const lineInMessage = Number(/on line (\d+)/.exec(text)?.[1] ?? 1);
  const line = location?.first_line ?? lineInMessage;
  const column = line === location?.first_line ? (location.first_column ?? 0) + 1 : 1;
  return { line, column, message: describeSyntaxError(text) };
}

/** jison's message, reworded: what was expected matters less than where it went wrong. */
function describeSyntaxError(text: string): string {
  if (text.startsWith("Lexical error")) {
    return "syntax error: unrecognized text (an unclosed {{!-- comment --}} or a stray {{?)";
  }
  const got = /got '([^']+)'$/.exec(text)?.[1];
  if (got === "EOF") {
    return "syntax error: the template ends before a {{…}} or a block ({{#if}}…{{/if}}) is closed";
  }
  return `syntax error: unexpected ${got === undefined ? "text" : describeToken(got)}`;
}

function describeToken(token: string): string {
  const names: Record<string, string> = {
    INVALID: "text inside {{…}} (check the braces)",
    CLOSE: '"}}"',
    OPEN: '"{{"',
    OPEN_ENDBLOCK: '"{{/" (a block closed that was not opened)',
    CLOSE_UNESCAPED: '"}}}"',
    ID: "a name",
  };
  return names[token] ?? `"${token}"`;
}
