/**
 * Alert rules in the database: list, read, create, edit, silence, and the
 * seed's three rules installed on first start. Every change is an audit
 * entry in the same transaction.
 */
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError, isEngineError } from "../errors.ts";
import { parseOrThrow } from "../validation.ts";
import defaults from "../../alerts/default.json" with { type: "json" };
import type { GroupDimension } from "./metrics.ts";
import {
  type AlertChannel,
  type AlertRuleFields,
  type AlertRuleInput,
  alertRuleInputSchema,
  type Comparison,
  type Severity,
} from "./rule_schema.ts";

/** Who made a change, and when. */
export interface AlertChange {
  actor: string;
  now: Date;
  requestId?: string | null;
}

/** A stored alert rule. */
export interface AlertRule {
  id: string;
  name: string;
  description: string;
  metric: string;
  comparison: Comparison;
  threshold: number;
  severity: Severity;
  channels: AlertChannel[];
  recipients: string[];
  forSeconds: number;
  groupBy: GroupDimension | null;
  enabled: boolean;
  silencedUntil: string | null;
  silenceReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

interface RuleRow {
  id: string;
  name: string;
  description: string;
  metric: string;
  comparison: Comparison;
  threshold: number;
  severity: Severity;
  channels: AlertChannel[];
  recipients: string[];
  for_seconds: number;
  group_by: GroupDimension | null;
  enabled: boolean;
  silenced_until: Date | null;
  silence_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
}

const iso = (d: Date | null) => d === null ? null : new Date(d).toISOString();

/** A row as the API shows it. */
export function ruleOf(row: RuleRow): AlertRule {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metric: row.metric,
    comparison: row.comparison,
    threshold: Number(row.threshold),
    severity: row.severity,
    channels: row.channels,
    recipients: row.recipients,
    forSeconds: row.for_seconds,
    groupBy: row.group_by,
    enabled: row.enabled,
    silencedUntil: iso(row.silenced_until),
    silenceReason: row.silence_reason,
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    updatedBy: row.updated_by,
  };
}

/** Every rule, by id. */
export async function listAlertRules(db: Queryable): Promise<AlertRule[]> {
  return (await db.query<RuleRow>("select * from alert_rules order by id")).map(ruleOf);
}

/** One rule; ALERT_RULE_NOT_FOUND if there is none. */
export async function getAlertRule(db: Queryable, id: string): Promise<AlertRule> {
  const [row] = await db.query<RuleRow>("select * from alert_rules where id = $1", [id]);
  if (!row) throw notFound(id);
  return ruleOf(row);
}

/** Creates a rule; ALERT_RULE_EXISTS when the id is taken. */
export async function createAlertRule(
  db: Db,
  input: AlertRuleInput,
  change: AlertChange,
): Promise<AlertRule> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.query<RuleRow>(
      `insert into alert_rules (id, name, description, metric, comparison, threshold, severity,
         channels, recipients, for_seconds, group_by, enabled, created_at, updated_at, updated_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], $10, $11, $12, $13, $13, $14)
       on conflict (id) do nothing returning *`,
      [input.id, ...fieldParams(input), change.now, change.actor],
    );
    if (!row) {
      throw new EngineError(
        "ALERT_RULE_EXISTS",
        `An alert rule "${input.id}" exists: change it with PUT /api/v1/alert-rules/${input.id}`,
      );
    }
    const rule = ruleOf(row);
    await audit(tx, change, "alert_rule.created", rule.id, null, rule);
    return rule;
  });
}

/** Replaces a rule's fields; its open alerts stay and are judged by the new rule from now on. */
export async function updateAlertRule(
  db: Db,
  id: string,
  fields: AlertRuleFields,
  change: AlertChange,
  /** Runs on the rule as it is, locked, before the change; throwing aborts it (If-Match). */
  precondition?: (current: AlertRule) => Promise<void>,
): Promise<AlertRule> {
  return await db.transaction(async (tx) => {
    const [before] = await tx.query<RuleRow>(
      "select * from alert_rules where id = $1 for update",
      [id],
    );
    if (!before) throw notFound(id);
    await precondition?.(ruleOf(before));
    const [row] = await tx.query<RuleRow>(
      `update alert_rules set name = $2, description = $3, metric = $4, comparison = $5,
         threshold = $6, severity = $7, channels = $8::text[], recipients = $9::text[],
         for_seconds = $10,
         group_by = $11, enabled = $12, updated_at = $13, updated_by = $14,
         version = version + 1
       where id = $1 returning *`,
      [id, ...fieldParams(fields), change.now, change.actor],
    );
    const rule = ruleOf(row!);
    await audit(tx, change, "alert_rule.updated", id, ruleOf(before), rule);
    return rule;
  });
}

/** Silences a rule's notifications until `until` (null ends the silence). */
export async function silenceAlertRule(
  db: Db,
  id: string,
  silence: { until: Date | null; reason: string },
  change: AlertChange,
): Promise<AlertRule> {
  return await db.transaction(async (tx) => {
    const [before] = await tx.query<RuleRow>(
      "select * from alert_rules where id = $1 for update",
      [id],
    );
    if (!before) throw notFound(id);
    const [row] = await tx.query<RuleRow>(
      `update alert_rules set silenced_until = $2, silence_reason = $3 where id = $1 returning *`,
      [id, silence.until, silence.until === null ? null : silence.reason],
    );
    const rule = ruleOf(row!);
    await appendAudit(tx, {
      at: change.now,
      actor: change.actor,
      action: silence.until === null ? "alert_rule.unsilenced" : "alert_rule.silenced",
      subjectType: "alert_rule",
      subjectId: id,
      reason: silence.reason,
      before: { silencedUntil: iso(before.silenced_until) },
      after: { silencedUntil: rule.silencedUntil },
      requestId: change.requestId ?? null,
    });
    return rule;
  });
}

/**
 * Installs alerts/default.json (the seed's rules) when no alert rule exists
 * yet; afterwards they are the users' to edit. Returns how many it installed.
 */
export async function installDefaultAlertRules(db: Db, now: Date): Promise<number> {
  const [row] = await db.query<{ any: boolean }>(
    "select exists (select 1 from alert_rules) as any",
  );
  if (row?.any) return 0;
  let installed = 0;
  for (const [i, entry] of defaults.alertRules.entries()) {
    const input = parseOrThrow(alertRuleInputSchema, entry, {
      what: "alerts/default.json",
      prefix: ["alertRules", i],
    });
    try {
      await createAlertRule(db, input, { actor: "system:install", now });
      installed++;
    } catch (error) {
      // Another engine starting at the same time installed it first.
      if (!isEngineError(error, "ALERT_RULE_EXISTS")) throw error;
    }
  }
  return installed;
}

function fieldParams(f: AlertRuleFields): unknown[] {
  return [
    f.name,
    f.description,
    f.metric,
    f.comparison,
    f.threshold,
    f.severity,
    f.channels,
    f.recipients,
    f.forSeconds,
    f.groupBy,
    f.enabled,
  ];
}

function audit(
  tx: Queryable,
  change: AlertChange,
  action: string,
  id: string,
  before: AlertRule | null,
  after: AlertRule,
): Promise<void> {
  return appendAudit(tx, {
    at: change.now,
    actor: change.actor,
    action,
    subjectType: "alert_rule",
    subjectId: id,
    before,
    after,
    requestId: change.requestId ?? null,
  });
}

function notFound(id: string): EngineError {
  return new EngineError(
    "ALERT_RULE_NOT_FOUND",
    `No alert rule "${id}": GET /api/v1/alert-rules lists them`,
  );
}
