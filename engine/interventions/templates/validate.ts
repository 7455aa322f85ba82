/**
 * Validation at save, not at send: a template's definition is checked for
 * shape, then every part (subject, html, text; the base and each locale) is
 * parsed and checked against the rendering context. A problem in a part
 * names the part's path (`definition.locales.de.html`), the line and column
 * in it, and what to do; every problem is reported at once, so a template
 * that could fail or leak when sent is never stored.
 */
import { EngineError, type FieldIssue, formatPath } from "../../errors.ts";
import { zodIssues } from "../../validation.ts";
import { compileOptions, compileProblem, parseTemplate } from "./handlebars_env.ts";
import { checkTemplateAst, MAX_BLOCK_DEPTH, rendersNothing } from "./template_ast.ts";
import {
  type PartName,
  partNames,
  type TemplateDefinition,
  templateDefinitionSchema,
  type TemplateVariant,
} from "./template_schema.ts";

/** Largest html or text part, in bytes of UTF-8. */
export const MAX_PART_BYTES = 64 * 1024;
/** Largest subject template, in bytes of UTF-8. */
export const MAX_SUBJECT_BYTES = 1024;
/** Most locale variants in one template. */
export const MAX_LOCALES = 30;

/** A problem in a template: a field issue, with the line and column when it is in a part. */
export interface TemplateIssue extends FieldIssue {
  /** 1-based line in the part. */
  line?: number;
  /** 1-based column in the line. */
  column?: number;
}

/** A checked definition and the variables its parts use. */
export interface ValidatedTemplate {
  definition: TemplateDefinition;
  /** Every variable path the parts name, sorted (`customer.name`, `health.components.*`). */
  variables: string[];
}

type Path = PropertyKey[];

/** The checked definition, or VALIDATION_FAILED listing every problem with its path. */
export function validateTemplateDefinition(
  input: unknown,
  prefix: Path = [],
): ValidatedTemplate {
  const issues: TemplateIssue[] = [];
  const parsed = templateDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    // zod says only "Invalid key in record" for a bad locale key; its inner issue says why.
    const messages = parsed.error.issues.map((issue) =>
      issue.code === "invalid_key" ? issue.issues[0]?.message ?? issue.message : issue.message
    );
    zodIssues(parsed.error, prefix).forEach((issue, i) => {
      issues.push({ path: issue.path, message: messages[i] ?? issue.message });
    });
    throw invalid(issues);
  }
  const definition = parsed.data;
  const variables = new Set<string>();
  const add = (path: Path, message: string, at?: { line: number; column: number }) => {
    const where = formatPath([...prefix, ...path]) || "(root)";
    if (at === undefined) issues.push({ path: where, message });
    else {
      issues.push({
        path: where,
        message: `line ${at.line}, column ${at.column}: ${message}`,
        line: at.line,
        column: at.column,
      });
    }
  };
  const locales = Object.entries(definition.locales ?? {});
  if (locales.length > MAX_LOCALES) {
    add(["locales"], `has ${locales.length} locales; at most ${MAX_LOCALES}`);
  }
  const variants: Array<[Path, TemplateVariant]> = [
    [[], definition],
    ...locales.map(([key, variant]): [Path, TemplateVariant] => [["locales", key], variant]),
  ];
  for (const [path, variant] of variants) {
    checkChannelParts(definition.channel, variant, path, add);
    for (const part of partNames) {
      const source = variant[part];
      if (source === undefined) continue;
      for (const variable of checkPart(source, part, [...path, part], add)) {
        variables.add(variable);
      }
    }
  }
  if (issues.length > 0) throw invalid(issues);
  return { definition, variables: [...variables].sort() };
}

type Add = (path: Path, message: string, at?: { line: number; column: number }) => void;

/** Which parts a channel has: email a subject (and html if wanted), the others text only. */
function checkChannelParts(
  channel: TemplateDefinition["channel"],
  variant: TemplateVariant,
  path: Path,
  add: Add,
): void {
  if (channel === "email") {
    if (variant.subject === undefined) {
      add([...path, "subject"], "is required: an email needs a subject line");
    }
    return;
  }
  for (const part of ["subject", "html"] as const) {
    if (variant[part] !== undefined) {
      add(
        [...path, part],
        `only email templates have a ${part}; a ${channel} message is the markdown in text`,
      );
    }
  }
}

/** Checks one part; returns the variables it uses. */
function checkPart(source: string, part: PartName, path: Path, add: Add): Set<string> {
  const bytes = new TextEncoder().encode(source).length;
  const limit = part === "subject" ? MAX_SUBJECT_BYTES : MAX_PART_BYTES;
  if (bytes > limit) {
    add(path, `is ${bytes} bytes; at most ${limit}`);
    return new Set();
  }
  if (part === "subject" && /[\r\n]/.test(source)) {
    add(path, "a subject is one line: remove the line breaks");
  }
  // Handlebars parses deep nesting slowly (seconds at a few thousand levels): refuse it unparsed.
  const tooDeep = blockBeyond(source, MAX_BLOCK_DEPTH);
  if (tooDeep !== null) {
    add(path, `blocks nest more than ${MAX_BLOCK_DEPTH} deep: flatten them`, tooDeep);
    return new Set();
  }
  const parsed = parseTemplate(source);
  if ("problem" in parsed) {
    add(path, parsed.problem.message, parsed.problem);
    return new Set();
  }
  const checked = checkTemplateAst(parsed.program, { html: part === "html" });
  for (const problem of checked.problems) add(path, problem.message, problem);
  if (checked.problems.length === 0) {
    const problem = compileProblem(source, compileOptions({ escape: part === "html" }));
    if (problem) add(path, problem.message, problem);
  }
  if (rendersNothing(parsed.program)) {
    add(
      path,
      source.trim() === ""
        ? "is empty: write the message (or leave the part out where it is optional)"
        : "renders nothing whatever the customer (only whitespace and comments)",
    );
  }
  return checked.variables;
}

/**
 * Where `{{#…}}` / `{{^…}}` blocks first nest deeper than `limit`, found on
 * the source without parsing (blocks inside comments count too: an
 * overestimate is fine for a limit no real template comes near); null if never.
 */
function blockBeyond(source: string, limit: number): { line: number; column: number } | null {
  let depth = 0;
  for (const match of source.matchAll(/\{\{~?\s*(#|\/|\^(?!\s*~?\}\}))/g)) {
    depth = match[1] === "/" ? depth - 1 : depth + 1;
    if (depth > limit) {
      const before = source.slice(0, match.index);
      const line = before.split("\n").length;
      return { line, column: match.index - (before.lastIndexOf("\n") + 1) + 1 };
    }
  }
  return null;
}

function invalid(issues: readonly TemplateIssue[]): EngineError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new EngineError(
    "VALIDATION_FAILED",
    `Invalid template: ${first.path}: ${first.message}${more}`,
    { issues },
  );
}
