/**
 * Rule packs: rules as JSON files (the defaults in rules/*.json), imported on
 * the engine's first start and by `deno task rules:import`. Every file is
 * read and every rule validated before anything is written, so a bad file
 * changes nothing.
 */
import { z } from "zod";
import type { ChangeContext } from "../access/mod.ts";
import type { Db } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { issuesOf, readPacks } from "../packs.ts";
import { canonicalJson } from "../hash.ts";
import { zodIssues } from "../validation.ts";
import { approvalsRequired } from "./approvals.ts";
import { ruleIdSchema, ruleTagSchema } from "./rule_schema.ts";
import { createRule, getRule, publishRule, type RuleMetadata, updateRuleDraft } from "./store.ts";
import { type RuleContext, validateRuleDefinition } from "./validate.ts";

/** The folder of the default packs. */
export const DEFAULT_RULE_PACKS = new URL("../../rules/", import.meta.url);

const packSchema = z.strictObject({
  pack: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  rules: z.array(z.strictObject({
    id: ruleIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    tags: z.array(ruleTagSchema).max(20).optional(),
    owner: z.string().max(200).nullable().optional(),
    definition: z.unknown(),
  })).min(1),
});

/** A rule read from a pack file. */
export interface PackedRule extends RuleMetadata {
  id: string;
  definition: unknown;
  /** Where it came from, for messages: `rules/onboarding.json rules[2]`. */
  source: string;
}

/** What an import did. */
export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  published: string[];
}

/** The `.json` files of `folder`, in name order. */
export async function packFiles(folder: URL): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  return names.sort().map((name) => new URL(name, folder).pathname);
}

/**
 * Reads and checks the rules of `files` (each a pack), or VALIDATION_FAILED
 * listing every problem as `file: path`.
 */
export async function readRulePacks(
  files: readonly string[],
  context: RuleContext,
): Promise<PackedRule[]> {
  return await readPacks(files, {
    noun: "rule",
    parse: (json) => {
      const pack = packSchema.safeParse(json);
      return pack.success ? { items: pack.data.rules } : { issues: zodIssues(pack.error) };
    },
    check: (rule, source) =>
      issuesOf(() => validateRuleDefinition(rule.definition, context), `${source}.definition`),
  });
}

/**
 * Creates the rules that do not exist; for those that do, makes a draft when
 * the pack's definition or metadata differ. With `publish`, what was created
 * or changed is published too.
 */
export async function importRules(
  db: Db,
  rules: readonly PackedRule[],
  options: { publish: boolean; context: RuleContext; change: ChangeContext },
): Promise<ImportResult> {
  if (options.publish && await approvalsRequired(db)) {
    throw new EngineError(
      "RULE_APPROVAL_REQUIRED",
      "Publishing needs a second person's approval (approvals are on): import without " +
        "--publish, then publish each rule through the API for someone to approve",
    );
  }
  const result: ImportResult = { created: [], updated: [], unchanged: [], published: [] };
  const change = { ...options.change, reason: "imported from a rule pack" };
  for (const { source: _source, id, definition, ...metadata } of rules) {
    const existing = await getRule(db, id).catch((error) => {
      if (error instanceof EngineError && error.code === "RULE_NOT_FOUND") return null;
      throw error;
    });
    let rule;
    if (existing === null) {
      try {
        rule = await createRule(db, { id, ...metadata, definition }, options.context, change);
      } catch (error) {
        // Another engine starting at the same moment imported it first.
        if (error instanceof EngineError && error.code === "RULE_EXISTS") {
          result.unchanged.push(id);
          continue;
        }
        throw error;
      }
      result.created.push(id);
    } else {
      const wanted = validateRuleDefinition(definition, options.context);
      const current = existing.draft ?? existing.published;
      // Canonical JSON: the database gives keys back in its own order.
      const same = canonicalJson(current) === canonicalJson(wanted) &&
        existing.name === metadata.name;
      if (same || existing.status === "archived") {
        result.unchanged.push(id);
        // An earlier import left this very definition as a draft: publishing was asked now.
        if (options.publish && same && existing.draft !== null) {
          await publishRule(db, id, existing.revision, options.context, change);
          result.published.push(id);
        }
        continue;
      }
      rule = await updateRuleDraft(
        db,
        id,
        { ...metadata, definition },
        existing.revision,
        options.context,
        change,
      );
      result.updated.push(id);
    }
    if (options.publish) {
      await publishRule(db, id, rule.revision, options.context, change);
      result.published.push(id);
    }
  }
  return result;
}

/**
 * On an engine's first start (no rule at all in the database): imports and
 * publishes the default packs. Returns how many rules it published.
 */
export async function installDefaultRules(
  db: Db,
  options: { context: RuleContext; now: Date },
): Promise<number> {
  const [row] = await db.query<{ any: boolean }>("select exists (select 1 from rules) as any");
  if (row?.any) return 0;
  const rules = await readRulePacks(await packFiles(DEFAULT_RULE_PACKS), options.context);
  const result = await importRules(db, rules, {
    publish: true,
    context: options.context,
    change: { actor: "system:install", now: options.now },
  });
  return result.published.length;
}
