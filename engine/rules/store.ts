/**
 * Rules in PostgreSQL: a draft that is edited, versions that are published.
 * The life cycle is the one every versioned document has (engine/versioned:
 * one transaction per change with its audit entry, the revision the caller
 * read checked, so a stale edit or publish conflicts instead of
 * overwriting); what is a rule's own is here: definitions are validated
 * against the fact catalog, so nothing that fails validation is ever
 * stored, and a change request waiting for approval is superseded by an
 * edit.
 */
import type { Db, Queryable } from "../db/mod.ts";
import {
  archiveDocument,
  createDocument,
  type DocumentChange,
  editDraft,
  listDocuments,
  listVersions,
  publishDraft,
  publishVersion as publishDocumentVersion,
  readDocument,
  rollbackDocument,
} from "../versioned/mod.ts";
import { type CompilableRule, compileRuleSet } from "./compile.ts";
import type { RuleDefinition } from "./rule_schema.ts";
import { RULES, type RuleVersion, type RuleView } from "./rule_kind.ts";
import { type RuleContext, validateRuleDefinition } from "./validate.ts";

/** The metadata a person edits. */
export interface RuleMetadata {
  name: string;
  description?: string | undefined;
  tags?: string[] | undefined;
  owner?: string | null | undefined;
}

/** Creates rule `id` as a draft; RULE_EXISTS if the id is taken. */
export async function createRule(
  db: Db,
  input: RuleMetadata & { id: string; definition: unknown },
  context: RuleContext,
  change: DocumentChange,
): Promise<RuleView> {
  const definition = validateRuleDefinition(input.definition, context, ["definition"]);
  return await createDocument(db, RULES, input.id, {
    sql: `insert into rules (id, name, description, tags, owner, status, draft, created_at,
         created_by, updated_at, updated_by)
       values ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $7, $8)
       on conflict (id) do nothing returning id`,
    params: [
      input.id,
      input.name,
      input.description ?? "",
      input.tags ?? [],
      input.owner ?? null,
      definition,
      change.now,
      change.actor,
    ],
  }, change);
}

/** One rule, or RULE_NOT_FOUND. */
export async function getRule(db: Queryable, id: string): Promise<RuleView> {
  return await readDocument(db, RULES, id);
}

/** A page of rules in id order, optionally of one status or tag. */
export async function listRules(
  db: Queryable,
  options: {
    limit: number;
    cursor?: string | undefined;
    status?: string | undefined;
    tag?: string | undefined;
  },
): Promise<{ items: RuleView[]; nextCursor: string | null }> {
  return await listDocuments(db, RULES, "$3 = any(r.tags)", {
    limit: options.limit,
    cursor: options.cursor,
    status: options.status,
    filterValue: options.tag,
  });
}

/**
 * Replaces the draft's metadata and, when given, its definition (else the
 * draft starts from the published version). The revision must be the one
 * the caller read (`ifRevision`).
 */
export async function updateRuleDraft(
  db: Db,
  id: string,
  input: RuleMetadata & { definition?: unknown },
  ifRevision: number,
  context: RuleContext,
  change: DocumentChange,
): Promise<RuleView> {
  const definition = input.definition === undefined
    ? undefined
    : validateRuleDefinition(input.definition, context, ["definition"]);
  return await editDraft(db, RULES, id, ifRevision, change, async (tx, before) => {
    await tx.query(
      `update rules set name = $2, description = $3, tags = $4, owner = $5,
         draft = coalesce($6, draft, (select definition from rule_versions
           where rule_id = $1 and version = rules.published_version)),
         revision = revision + 1, updated_at = $7, updated_by = $8
       where id = $1`,
      [
        id,
        input.name,
        input.description ?? before.description,
        input.tags ?? before.tags,
        input.owner === undefined ? before.owner : input.owner,
        definition ?? null,
        change.now,
        change.actor,
      ],
    );
    await supersedePending(tx, id, change);
  });
}

/**
 * Publishes the draft as the next version, which runs from the next cycle
 * on. The draft is validated again (the catalog may have changed since it
 * was saved).
 */
export async function publishRule(
  db: Db,
  id: string,
  ifRevision: number,
  context: RuleContext,
  change: DocumentChange,
): Promise<RuleView> {
  return await publishDraft(db, RULES, id, ifRevision, async (tx, before, draft) => {
    const definition = validateRuleDefinition(draft, context, ["draft"]);
    return await publishVersion(tx, before, definition, null, change);
  });
}

/** Publishes an earlier version's definition again, as a new version (also of an archived rule). */
export async function rollbackRule(
  db: Db,
  id: string,
  toVersion: number,
  ifRevision: number,
  context: RuleContext,
  change: DocumentChange,
): Promise<RuleView> {
  return await rollbackDocument(db, RULES, id, toVersion, ifRevision, async (tx, before, old) => {
    const definition = validateRuleDefinition(old, context, ["definition"]);
    return await publishVersion(tx, before, definition, toVersion, change);
  });
}

/** Archives the rule: nothing of it runs any more; its history stays. */
export async function archiveRule(
  db: Db,
  id: string,
  ifRevision: number,
  change: DocumentChange,
): Promise<RuleView> {
  return await archiveDocument(
    db,
    RULES,
    id,
    ifRevision,
    change,
    (tx) => supersedePending(tx, id, change),
  );
}

/** The published versions of a rule, newest first; RULE_NOT_FOUND if there is no rule. */
export async function listRuleVersions(db: Queryable, id: string): Promise<RuleVersion[]> {
  return await listVersions(db, RULES, id);
}

/**
 * Publishes `definition` as the rule's next version (a rollback when
 * `restoredFrom` names the version it restores), with its audit entry,
 * which says what will evaluate the version.
 */
export async function publishVersion(
  tx: Queryable,
  rule: RuleView,
  definition: RuleDefinition,
  restoredFrom: number | null,
  change: DocumentChange,
): Promise<RuleView> {
  const snapshot = { definition, name: rule.name, description: rule.description, tags: rule.tags };
  return await publishDocumentVersion(tx, RULES, rule, snapshot, change, {
    restoredFrom,
    audited: (after, version) => ({
      ...after,
      evaluator: evaluatorOf({ id: rule.id, version, definition }),
    }),
  });
}

/**
 * What will evaluate a published version, for its audit entry: the compiler,
 * or json-rules-engine with the reason the compiler gave up.
 */
export function evaluatorOf(rule: CompilableRule): string {
  const [fallback] = compileRuleSet([rule]).fallback;
  return fallback ? `json-rules-engine (${fallback.reason})` : "compiled";
}

/**
 * A change request waiting for approval no longer matches an edited or
 * archived rule: it is superseded (approvals.ts), in the change's transaction.
 */
async function supersedePending(tx: Queryable, id: string, change: DocumentChange): Promise<void> {
  await tx.query(
    `update rule_change_requests set status = 'superseded', decided_at = $2, decided_by = $3,
       decision_reason = 'the rule changed after the request'
     where rule_id = $1 and status = 'pending'`,
    [id, change.now, change.actor],
  );
}
