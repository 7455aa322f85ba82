/**
 * Four eyes on publishing: with approvals switched on, publishing a rule
 * files a change request, and a second person with publish rights approves
 * (publishing it) or rejects it. The author cannot approve their own change;
 * an edit to the draft while a request waits supersedes it. Every step is an
 * audit entry.
 */
import type { ChangeContext } from "../access/mod.ts";
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { auditChange, type DocumentChange, lockRevision } from "../versioned/mod.ts";
import type { RuleDefinition } from "./rule_schema.ts";
import { RULES, type RuleView } from "./rule_kind.ts";
import { getRule, publishVersion } from "./store.ts";
import { type RuleContext, validateRuleDefinition } from "./validate.ts";

const SETTING = "rules.approvals";

/** A request to publish a rule's draft. */
export interface RuleChangeRequest {
  id: number;
  ruleId: string;
  revision: number;
  definition: RuleDefinition;
  reason: string | null;
  status: "pending" | "approved" | "rejected" | "superseded";
  requestedAt: string;
  requestedBy: string;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

/** Whether publishing needs a second person's approval (off unless an admin turned it on). */
export async function approvalsRequired(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ value: { required?: boolean } }>(
    "select value from engine_settings where key = $1",
    [SETTING],
  );
  return row?.value.required === true;
}

/** Turns approvals on or off, with an audit entry. */
export async function setApprovalsRequired(
  db: Db,
  required: boolean,
  change: ChangeContext & { reason?: string | null },
): Promise<{ required: boolean }> {
  return await db.transaction(async (tx) => {
    const before = await approvalsRequired(tx);
    await tx.query(
      `insert into engine_settings (key, value, updated_at, updated_by) values ($1, $2, $3, $4)
       on conflict (key) do update set value = $2, updated_at = $3, updated_by = $4`,
      [SETTING, { required }, change.now, change.actor],
    );
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "setting.changed",
      subjectType: "setting",
      subjectId: SETTING,
      reason: change.reason ?? null,
      before: { required: before },
      after: { required },
      requestId: change.requestId ?? null,
    });
    return { required };
  });
}

/** Files a request to publish the rule's draft (at the revision the caller read). */
export async function requestPublish(
  db: Db,
  id: string,
  ifRevision: number,
  context: RuleContext,
  change: DocumentChange,
): Promise<RuleChangeRequest> {
  return await db.transaction(async (tx) => {
    const rule = await lockRevision(tx, RULES, id, ifRevision);
    if (rule.draft === null) {
      throw new EngineError("RULE_NOTHING_TO_PUBLISH", `Rule "${id}" has no draft to publish`);
    }
    const definition = validateRuleDefinition(rule.draft, context, ["draft"]);
    const [pending] = await tx.query<{ id: number }>(
      "select id from rule_change_requests where rule_id = $1 and status = 'pending'",
      [id],
    );
    if (pending) {
      throw new EngineError(
        "RULE_CHANGE_PENDING",
        `Rule "${id}" already waits for approval (change request ${pending.id}); approve or ` +
          "reject it first",
      );
    }
    const [row] = await tx.query<RequestRow>(
      `insert into rule_change_requests (rule_id, revision, definition, reason, status,
         requested_at, requested_by)
       values ($1, $2, $3, $4, 'pending', $5, $6) returning ${COLUMNS}`,
      [id, rule.revision, definition, change.reason ?? null, change.now, change.actor],
    );
    const request = toRequest(row!);
    await auditChange(tx, RULES, change, "rule.publish_requested", id, null, request);
    return request;
  });
}

/**
 * Approves the rule's pending request and publishes it. Refused to its own
 * author (FORBIDDEN), and when none waits (RULE_NO_PENDING_CHANGE).
 */
export async function approvePublish(
  db: Db,
  id: string,
  context: RuleContext,
  change: DocumentChange,
): Promise<{ request: RuleChangeRequest; rule: RuleView }> {
  return await db.transaction(async (tx) => {
    const pending = await lockPending(tx, id);
    if (pending.requestedBy === change.actor) {
      throw new EngineError(
        "FORBIDDEN",
        `You asked for change request ${pending.id} yourself: someone else with publish rights ` +
          "must approve it",
      );
    }
    const rule = await lockRevision(tx, RULES, id, pending.revision);
    const definition = validateRuleDefinition(pending.definition, context, ["definition"]);
    const request = await decide(tx, pending, "approved", change);
    const published = await publishVersion(tx, rule, definition, null, change);
    await auditChange(tx, RULES, change, "rule.publish_approved", id, pending, request);
    return { request, rule: published };
  });
}

/** Rejects the rule's pending request; the draft stays as it is. */
export async function rejectPublish(
  db: Db,
  id: string,
  change: DocumentChange,
): Promise<RuleChangeRequest> {
  return await db.transaction(async (tx) => {
    const pending = await lockPending(tx, id);
    const request = await decide(tx, pending, "rejected", change);
    await auditChange(tx, RULES, change, "rule.publish_rejected", id, pending, request);
    return request;
  });
}

/** A rule's change requests, newest first. */
export async function listChangeRequests(
  db: Queryable,
  id: string,
): Promise<RuleChangeRequest[]> {
  await getRule(db, id);
  const rows = await db.query<RequestRow>(
    `select ${COLUMNS} from rule_change_requests where rule_id = $1 order by id desc`,
    [id],
  );
  return rows.map(toRequest);
}

interface RequestRow {
  id: number;
  rule_id: string;
  revision: number;
  definition: RuleDefinition;
  reason: string | null;
  status: RuleChangeRequest["status"];
  requested_at: Date;
  requested_by: string;
  decided_at: Date | null;
  decided_by: string | null;
  decision_reason: string | null;
}

const COLUMNS = `id, rule_id, revision, definition, reason, status, requested_at, requested_by,
  decided_at, decided_by, decision_reason`;

async function lockPending(tx: Queryable, id: string): Promise<RuleChangeRequest> {
  const [row] = await tx.query<RequestRow>(
    `select ${COLUMNS} from rule_change_requests where rule_id = $1 and status = 'pending'
     for update`,
    [id],
  );
  if (!row) {
    await getRule(tx, id);
    throw new EngineError(
      "RULE_NO_PENDING_CHANGE",
      `Rule "${id}" has no change waiting for approval: publish it to ask for one`,
    );
  }
  return toRequest(row);
}

async function decide(
  tx: Queryable,
  pending: RuleChangeRequest,
  status: "approved" | "rejected",
  change: DocumentChange,
): Promise<RuleChangeRequest> {
  const [row] = await tx.query<RequestRow>(
    `update rule_change_requests set status = $2, decided_at = $3, decided_by = $4,
       decision_reason = $5 where id = $1 returning ${COLUMNS}`,
    [pending.id, status, change.now, change.actor, change.reason ?? null],
  );
  return toRequest(row!);
}

function toRequest(row: RequestRow): RuleChangeRequest {
  return {
    id: row.id,
    ruleId: row.rule_id,
    revision: row.revision,
    definition: row.definition,
    reason: row.reason,
    status: row.status,
    requestedAt: row.requested_at.toISOString(),
    requestedBy: row.requested_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
  };
}
