/**
 * Reading interventions (every planner decision, sent or not, and why) and
 * an operator's retries of dead-lettered sends. Retries are audit entries.
 */
import { openText } from "../privacy/mod.ts";
import type { ChangeContext } from "../access/mod.ts";
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";

/** An intervention as the API shows it. */
export interface Intervention {
  id: number;
  customerId: string;
  ruleId: string | null;
  ruleVersion: number | null;
  cycleId: number | null;
  templateId: string;
  channel: string;
  priority: number;
  decision: "send" | "holdout" | "suppressed";
  /** Why it was suppressed (null otherwise). */
  reason: string | null;
  status: string;
  plannedAt: string;
  scheduledFor: string;
  sentAt: string | null;
  deliveredAt: string | null;
  providerMessageId: string | null;
  attempts: number;
  lastError: string | null;
  test: boolean;
  /** The first open, click and reply (outcomes.ts); null until then. */
  openedAt: string | null;
  clickedAt: string | null;
  repliedAt: string | null;
}

interface InterventionRow {
  id: number;
  customer_id: string;
  rule_id: string | null;
  rule_version: number | null;
  cycle_id: number | null;
  template_id: string;
  channel: string;
  priority: number;
  decision: Intervention["decision"];
  reason: string | null;
  status: string;
  planned_at: Date;
  scheduled_for: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  provider_message_id: string | null;
  attempts: number;
  last_error: string | null;
  test: boolean;
  opened_at: Date | null;
  clicked_at: Date | null;
  replied_at: Date | null;
}

const COLUMNS = `id, customer_id, rule_id, rule_version, cycle_id, template_id, channel, priority,
  decision, reason, status, planned_at, scheduled_for, sent_at, delivered_at, provider_message_id,
  attempts, last_error, test, opened_at, clicked_at, replied_at`;

/** Filters of listInterventions. */
export interface InterventionFilters {
  customerId?: string | undefined;
  ruleId?: string | undefined;
  status?: string | undefined;
  decision?: string | undefined;
}

/** Interventions, newest first, after `cursor` (an id). */
export async function listInterventions(
  db: Queryable,
  filters: InterventionFilters,
  page: { limit: number; cursor?: number | undefined },
): Promise<{ items: Intervention[]; nextCursor: string | null }> {
  const rows = await db.query<InterventionRow>(
    `select ${COLUMNS} from success_interventions
     where ($1::text is null or customer_id = $1) and ($2::text is null or rule_id = $2)
       and ($3::text is null or status = $3) and ($4::text is null or decision = $4)
       and ($5::bigint is null or id < $5)
     order by id desc limit $6`,
    [
      filters.customerId ?? null,
      filters.ruleId ?? null,
      filters.status ?? null,
      filters.decision ?? null,
      page.cursor ?? null,
      page.limit + 1,
    ],
  );
  const items = await Promise.all(rows.slice(0, page.limit).map(toIntervention));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? String(last.id) : null };
}

/** The field name bound into an encrypted last_error (it can quote the recipient's address). */
export const LAST_ERROR_FIELD = "success_interventions.last_error";

/** One intervention, or INTERVENTION_NOT_FOUND. */
export async function getIntervention(db: Queryable, id: number): Promise<Intervention> {
  const [row] = await db.query<InterventionRow>(
    `select ${COLUMNS} from success_interventions where id = $1`,
    [id],
  );
  if (!row) throw notFound(id);
  return await toIntervention(row);
}

/**
 * Puts a dead-lettered (or failing) send back in the outbox, due now, with
 * its attempts counted afresh. INTERVENTION_NOT_RETRIABLE for one that was
 * sent, is still due, or was never to be sent.
 */
export async function retryIntervention(
  db: Db,
  id: number,
  change: ChangeContext & { reason?: string | null },
): Promise<Intervention> {
  return await db.transaction(async (tx) => {
    const before = await getIntervention(tx, id);
    const requeued = await requeue(tx, { ids: [id] }, change.now);
    if (requeued.length === 0) {
      throw new EngineError(
        "INTERVENTION_NOT_RETRIABLE",
        `Intervention ${id} is ${before.status} (${before.decision}): only a dead-lettered or ` +
          "failing send can be retried",
      );
    }
    const after = await getIntervention(tx, id);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "intervention.retried",
      subjectType: "intervention",
      subjectId: String(id),
      reason: change.reason ?? null,
      before: { status: before.status, attempts: before.attempts, lastError: before.lastError },
      after: { status: after.status },
      requestId: change.requestId ?? null,
    });
    return after;
  });
}

/** Which dead-lettered sends a bulk replay takes. */
export interface ReplayFilters {
  ruleId?: string | undefined;
  channel?: string | undefined;
  /** Only those planned at or after this time. */
  since?: Date | undefined;
}

/** Puts every dead-lettered send matching `filters` back in the outbox; one audit entry. */
export async function replayDeadLetters(
  db: Db,
  filters: ReplayFilters,
  change: ChangeContext & { reason?: string | null },
): Promise<{ requeued: number }> {
  return await db.transaction(async (tx) => {
    const ids = await requeue(tx, { dead: filters }, change.now);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: "intervention.replayed",
      subjectType: "intervention",
      subjectId: "dead-letters",
      reason: change.reason ?? null,
      before: {
        ruleId: filters.ruleId ?? null,
        channel: filters.channel ?? null,
        since: filters.since?.toISOString() ?? null,
      },
      after: { requeued: ids.length },
      requestId: change.requestId ?? null,
    });
    return { requeued: ids.length };
  });
}

/** Back to pending, due `now`, attempts from zero; returns the ids it requeued. */
async function requeue(
  tx: Queryable,
  which: { ids: number[] } | { dead: ReplayFilters },
  now: Date,
): Promise<number[]> {
  const dead = "dead" in which ? which.dead : null;
  const rows = await tx.query<{ id: number }>(
    `with picked as (
       select o.intervention_id as id from intervention_outbox o
       join success_interventions i on i.id = o.intervention_id
       where ($1::bigint[] is null and o.state = 'dead' or o.intervention_id = any($1::bigint[]))
         and (o.state = 'dead' or i.status = 'failed')
         and ($2::text is null or i.rule_id = $2) and ($3::text is null or i.channel = $3)
         and ($4::timestamptz is null or i.planned_at >= $4)
       for update of o
     ),
     outbox as (
       update intervention_outbox o set state = 'pending', due_at = $5, attempts = 0,
         locked_by = null, locked_until = null
       from picked where o.intervention_id = picked.id
     )
     update success_interventions i set status = 'planned', attempts = 0
     from picked where i.id = picked.id
     returning i.id`,
    [
      "ids" in which ? which.ids : null,
      dead?.ruleId ?? null,
      dead?.channel ?? null,
      dead?.since ?? null,
      now,
    ],
  );
  return rows.map((row) => row.id);
}

function notFound(id: number): EngineError {
  return new EngineError(
    "INTERVENTION_NOT_FOUND",
    `No intervention ${id}: GET /api/v1/interventions lists them`,
  );
}

async function toIntervention(row: InterventionRow): Promise<Intervention> {
  return {
    id: row.id,
    customerId: row.customer_id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    cycleId: row.cycle_id,
    templateId: row.template_id,
    channel: row.channel,
    priority: row.priority,
    decision: row.decision,
    reason: row.reason,
    status: row.status,
    plannedAt: row.planned_at.toISOString(),
    scheduledFor: row.scheduled_for.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    providerMessageId: row.provider_message_id,
    attempts: row.attempts,
    lastError: await openText(LAST_ERROR_FIELD, row.last_error),
    test: row.test,
    openedAt: row.opened_at?.toISOString() ?? null,
    clickedAt: row.clicked_at?.toISOString() ?? null,
    repliedAt: row.replied_at?.toISOString() ?? null,
  };
}
