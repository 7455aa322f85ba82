/**
 * Rules in PostgreSQL: a draft that is edited, versions that are published.
 * Every change happens in one transaction with its audit entry, checks the
 * revision the caller read (so a stale edit or publish conflicts instead of
 * overwriting), and validates definitions against the fact catalog, so
 * nothing that fails validation is ever stored.
 */
import type { ChangeContext } from "../access/mod.ts";
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { type CompilableRule, compileRuleSet } from "./compile.ts";
import type { RuleDefinition } from "./rule_schema.ts";
import { type RuleContext, validateRuleDefinition } from "./validate.ts";

/** A rule as the API shows it. */
export interface RuleView {
  id: string;
  name: string;
  description: string;
  tags: string[];
  owner: string | null;
  status: "draft" | "published" | "archived";
  /** The published version that runs (or ran, when archived); null before the first publish. */
  version: number | null;
  /** The definition being edited; null when there is no draft. */
  draft: RuleDefinition | null;
  /** The definition of the published version; null before the first publish. */
  published: RuleDefinition | null;
  /** Bumped by every change; the ETag is derived from it. */
  revision: number;
  /**
   * When the engine switched the published version off because it threw in
   * several cycles in a row (null while it runs); publishing switches it on.
   */
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** A published version of a rule. */
export interface RuleVersion {
  version: number;
  definition: RuleDefinition;
  name: string;
  description: string;
  tags: string[];
  publishedAt: string;
  publishedBy: string;
  restoredFrom: number | null;
  reason: string | null;
}

/** The metadata a person edits. */
export interface RuleMetadata {
  name: string;
  description?: string | undefined;
  tags?: string[] | undefined;
  owner?: string | null | undefined;
}

interface RuleRow {
  id: string;
  name: string;
  description: string;
  tags: string[];
  owner: string | null;
  status: RuleView["status"];
  draft: RuleDefinition | null;
  published_version: number | null;
  published: RuleDefinition | null;
  revision: number;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

const SELECT_RULE = `select r.id, r.name, r.description, r.tags, r.owner, r.status, r.draft,
    r.published_version, v.definition as published, r.revision, r.disabled_at, r.disabled_reason,
    r.created_at, r.created_by,
    r.updated_at, r.updated_by
  from rules r left join rule_versions v on v.rule_id = r.id and v.version = r.published_version`;

/** The ETag of a rule at `revision`. */
export function ruleEtag(rule: Pick<RuleView, "id" | "revision">): string {
  return `"${rule.id}.${rule.revision}"`;
}

/** Creates rule `id` as a draft; RULE_EXISTS if the id is taken. */
export async function createRule(
  db: Db,
  input: RuleMetadata & { id: string; definition: unknown },
  context: RuleContext,
  change: ChangeContext & { reason?: string | null },
): Promise<RuleView> {
  const definition = validateRuleDefinition(input.definition, context, ["definition"]);
  return await db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `insert into rules (id, name, description, tags, owner, status, draft, created_at, created_by,
         updated_at, updated_by)
       values ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $7, $8)
       on conflict (id) do nothing returning id`,
      [
        input.id,
        input.name,
        input.description ?? "",
        input.tags ?? [],
        input.owner ?? null,
        definition,
        change.now,
        change.actor,
      ],
    );
    if (inserted.length === 0) {
      throw new EngineError(
        "RULE_EXISTS",
        `A rule "${input.id}" exists already: edit it with PUT /api/v1/rules/${input.id}, or ` +
          "choose another id",
      );
    }
    const rule = await readRule(tx, input.id);
    await auditRuleChange(tx, change, "rule.created", rule.id, null, rule);
    return rule;
  });
}

/** One rule, or RULE_NOT_FOUND. */
export async function getRule(db: Queryable, id: string): Promise<RuleView> {
  return await readRule(db, id);
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
  const rows = await db.query<RuleRow>(
    `${SELECT_RULE}
     where ($1::text is null or r.id > $1) and ($2::text is null or r.status = $2)
       and ($3::text is null or $3 = any(r.tags))
     order by r.id limit $4`,
    [options.cursor ?? null, options.status ?? null, options.tag ?? null, options.limit + 1],
  );
  const items = rows.slice(0, options.limit).map(toView);
  return {
    items,
    nextCursor: rows.length > options.limit ? items.at(-1)?.id ?? null : null,
  };
}

/**
 * Replaces the draft's metadata and, when given, its definition. The
 * revision must be the one the caller read (`ifRevision`).
 */
export async function updateRuleDraft(
  db: Db,
  id: string,
  input: RuleMetadata & { definition?: unknown },
  ifRevision: number,
  context: RuleContext,
  change: ChangeContext & { reason?: string | null },
): Promise<RuleView> {
  const definition = input.definition === undefined
    ? undefined
    : validateRuleDefinition(input.definition, context, ["definition"]);
  return await db.transaction(async (tx) => {
    const before = await lockRule(tx, id, ifRevision);
    if (before.status === "archived") throw archived(id);
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
    const after = await readRule(tx, id);
    await auditRuleChange(tx, change, "rule.edited", id, before, after);
    return after;
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
  change: ChangeContext & { reason?: string | null },
): Promise<RuleView> {
  return await db.transaction(async (tx) => {
    const before = await lockRule(tx, id, ifRevision);
    if (before.status === "archived") throw archived(id);
    if (before.draft === null) {
      throw new EngineError(
        "RULE_NOTHING_TO_PUBLISH",
        `Rule "${id}" has no draft: version ${before.version} is published already. Edit it ` +
          "(PUT) to make a draft, or roll back to an earlier version",
      );
    }
    const definition = validateRuleDefinition(before.draft, context, ["draft"]);
    return await publishVersion(tx, before, definition, null, change);
  });
}

/** Publishes an earlier version's definition again, as a new version. */
export async function rollbackRule(
  db: Db,
  id: string,
  toVersion: number,
  ifRevision: number,
  context: RuleContext,
  change: ChangeContext & { reason?: string | null },
): Promise<RuleView> {
  return await db.transaction(async (tx) => {
    const before = await lockRule(tx, id, ifRevision);
    const [old] = await tx.query<{ definition: unknown }>(
      "select definition from rule_versions where rule_id = $1 and version = $2",
      [id, toVersion],
    );
    if (!old) {
      throw new EngineError(
        "RULE_VERSION_NOT_FOUND",
        `Rule "${id}" has no version ${toVersion}; GET /api/v1/rules/${id}/versions lists them`,
      );
    }
    const definition = validateRuleDefinition(old.definition, context, ["definition"]);
    return await publishVersion(tx, before, definition, toVersion, change);
  });
}

/** Archives the rule: nothing of it runs any more; its history stays. */
export async function archiveRule(
  db: Db,
  id: string,
  ifRevision: number,
  change: ChangeContext & { reason?: string | null },
): Promise<RuleView> {
  return await db.transaction(async (tx) => {
    const before = await lockRule(tx, id, ifRevision);
    if (before.status === "archived") return before;
    await tx.query(
      `update rules set status = 'archived', revision = revision + 1, updated_at = $2,
         updated_by = $3 where id = $1`,
      [id, change.now, change.actor],
    );
    await supersedePending(tx, id, change);
    const after = await readRule(tx, id);
    await auditRuleChange(tx, change, "rule.archived", id, before, after);
    return after;
  });
}

/** The published versions of a rule, newest first; RULE_NOT_FOUND if there is no rule. */
export async function listRuleVersions(db: Queryable, id: string): Promise<RuleVersion[]> {
  await readRule(db, id);
  const rows = await db.query<{
    version: number;
    definition: RuleDefinition;
    name: string;
    description: string;
    tags: string[];
    published_at: Date;
    published_by: string;
    restored_from: number | null;
    reason: string | null;
  }>(
    `select version, definition, name, description, tags, published_at, published_by,
       restored_from, reason
     from rule_versions where rule_id = $1 order by version desc`,
    [id],
  );
  return rows.map((row) => ({
    version: row.version,
    definition: row.definition,
    name: row.name,
    description: row.description,
    tags: row.tags,
    publishedAt: row.published_at.toISOString(),
    publishedBy: row.published_by,
    restoredFrom: row.restored_from,
    reason: row.reason,
  }));
}

/**
 * Publishes `definition` as the rule's next version (a rollback when
 * `restoredFrom` names the version it restores), with its audit entry.
 */
export async function publishVersion(
  tx: Queryable,
  rule: RuleView,
  definition: RuleDefinition,
  restoredFrom: number | null,
  change: ChangeContext & { reason?: string | null },
): Promise<RuleView> {
  const [top] = await tx.query<{ max: number | null }>(
    "select max(version) as max from rule_versions where rule_id = $1",
    [rule.id],
  );
  const next = (top?.max ?? 0) + 1;
  await tx.query(
    `insert into rule_versions (rule_id, version, definition, name, description, tags,
       published_at, published_by, restored_from, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      rule.id,
      next,
      definition,
      rule.name,
      rule.description,
      rule.tags,
      change.now,
      change.actor,
      restoredFrom,
      change.reason ?? null,
    ],
  );
  await tx.query(
    `update rules set status = 'published', published_version = $2, draft = null,
       revision = revision + 1, updated_at = $3, updated_by = $4,
       failing_cycles = 0, disabled_at = null, disabled_reason = null
     where id = $1`,
    [rule.id, next, change.now, change.actor],
  );
  const after = await readRule(tx, rule.id);
  const action = restoredFrom === null ? "rule.published" : "rule.rolled_back";
  await auditRuleChange(tx, change, action, rule.id, rule, {
    ...after,
    evaluator: evaluatorOf({ id: rule.id, version: next, definition }),
  });
  return after;
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
async function supersedePending(tx: Queryable, id: string, change: ChangeContext): Promise<void> {
  await tx.query(
    `update rule_change_requests set status = 'superseded', decided_at = $2, decided_by = $3,
       decision_reason = 'the rule changed after the request'
     where rule_id = $1 and status = 'pending'`,
    [id, change.now, change.actor],
  );
}

async function readRule(db: Queryable, id: string): Promise<RuleView> {
  const [row] = await db.query<RuleRow>(`${SELECT_RULE} where r.id = $1`, [id]);
  if (!row) throw ruleNotFound(id);
  return toView(row);
}

/** Locks the rule for this transaction and checks the caller read its current revision. */
export async function lockRule(tx: Queryable, id: string, ifRevision: number): Promise<RuleView> {
  await tx.query("select 1 from rules where id = $1 for update", [id]);
  const rule = await readRule(tx, id);
  if (rule.revision !== ifRevision) {
    throw new EngineError(
      "ETAG_MISMATCH",
      `Rule "${id}" changed since you read it (revision ${rule.revision}, you sent ` +
        `${ifRevision}); someone else edited or published it. Read it again, apply your change ` +
        "to what is there, and send the new ETag",
      { headers: { ETag: ruleEtag(rule) } },
    );
  }
  return rule;
}

function toView(row: RuleRow): RuleView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    owner: row.owner,
    status: row.status,
    version: row.published_version,
    draft: row.draft,
    published: row.published,
    revision: row.revision,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

/**
 * The audit entry of a change to rule `ruleId`, in the change's transaction:
 * who, when, which request, why, and the subject before and after.
 */
export async function auditRuleChange(
  tx: Queryable,
  change: ChangeContext & { reason?: string | null },
  action: string,
  ruleId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await appendAudit(tx, {
    at: change.now,
    actor: change.actor,
    action,
    subjectType: "rule",
    subjectId: ruleId,
    reason: change.reason ?? null,
    before,
    after,
    requestId: change.requestId ?? null,
  });
}

function ruleNotFound(id: string): EngineError {
  return new EngineError(
    "RULE_NOT_FOUND",
    `No rule "${id}": GET /api/v1/rules lists them; POST /api/v1/rules creates one`,
  );
}

function archived(id: string): EngineError {
  return new EngineError(
    "RULE_ARCHIVED",
    `Rule "${id}" is archived: it can no longer be edited or published. Create a new rule, ` +
      "or roll this one back to a version to run it again",
  );
}
