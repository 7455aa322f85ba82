/**
 * Data on both sides of the retention window (730 days before NOW:
 * 2024-06-15) in every table retention touches: OLD rows the job removes,
 * EDGE rows older than the cutoff but in a month that reaches into the window
 * (kept with their month), and NEW rows inside the window.
 */
import type { Db } from "../../../engine/db/mod.ts";

/** Long before the window: March 2024, a month wholly outside. */
export const OLD = new Date("2024-03-10T12:00:00Z");
/** Before the cutoff (2024-06-15) but in June 2024, whose month reaches into the window. */
export const EDGE = new Date("2024-06-10T12:00:00Z");
/** Inside the window. */
export const RECENT = new Date("2026-05-10T12:00:00Z");

/** Plants a customer with events, predictions, firings, interventions and log events at OLD, EDGE and RECENT. */
export async function plantRetentionData(db: Db): Promise<void> {
  await db.query(
    `insert into customers (id, name, vendor_type, plan, country, time_zone, signup_date)
     values ('sup_r', 'Retained Ltd', 'photographer', 'professional', 'GB', 'Europe/London', '2024-01-01')`,
  );
  for (const [i, at] of [OLD, EDGE, RECENT].entries()) {
    await db.query("select ensure_usage_events_partition($1::date)", [at]);
    await db.query("select ensure_monthly_partition('churn_prediction_logs', $1::date)", [at]);
    await db.query(
      `insert into usage_events (event_id, customer_id, type, occurred_at, received_at)
       values ($1, 'sup_r', 'login', $2, $2)`,
      [`evt-${i}`, at],
    );
    await db.query(
      `insert into usage_event_ids (event_id, customer_id, occurred_at) values ($1, 'sup_r', $2)`,
      [`evt-${i}`, at],
    );
    await db.query(
      `insert into usage_daily (customer_id, day, events, logins, features_used, clients_added,
         forms_sent, payments_failed, tickets_opened, tickets_resolved, last_event_at)
       values ('sup_r', ($1::timestamptz at time zone 'UTC')::date, 1, 1, 0, 0, 0, 0, 0, 0, $1)`,
      [at],
    );
    await db.query(
      `insert into churn_prediction_logs (customer_id, model_version, probability, confidence,
         confident, top_features, top_values, top_contributions, predicted_at)
       values ('sup_r', 'v1', 0.2, 0.9, true, '{}', '{}', '{}', $1)`,
      [at],
    );
    await db.query(
      `insert into churn_scoring_runs (model_version, scorer, rows, feature_bins, scored_at)
       values ('v1', 'typescript', 1, '{}', $1)`,
      [at],
    );
  }
  await plantFiringsAndInterventions(db);
  await plantJobRuns(db);
}

async function plantFiringsAndInterventions(db: Db): Promise<void> {
  await db.query(
    `insert into rules (id, name, status, created_at, created_by, updated_at, updated_by)
     values ('r1', 'R1', 'draft', $1, 'test', $1, 'test')`,
    [OLD],
  );
  await db.query(
    `insert into rule_versions (rule_id, version, definition, name, description, tags,
       published_at, published_by) values ('r1', 1, '{}', 'R1', '', '{}', $1, 'test')`,
    [OLD],
  );
  for (const [key, at] of [["old", OLD], ["recent", RECENT]] as const) {
    const [cycle] = await db.query<{ id: string }>(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at, finished_at)
       values ('schedule', 'succeeded', $1, $1, $1, $1) returning id`,
      [at],
    );
    await db.query(
      `insert into rule_firings (cycle_id, customer_id, rule_id, rule_version, priority, event,
         facts, conditions, fired_at) values ($1, 'sup_r', 'r1', 1, 1, '{}', '{}', '[]', $2)`,
      [cycle!.id, at],
    );
    // A finished send with its outcome and measured effect, and one still waiting in the outbox.
    for (const status of ["delivered", "planned"]) {
      const [i] = await db.query<{ id: string }>(
        `insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
           template_id, channel, priority, decision, status, planned_at, scheduled_for)
         values ($1, 'sup_r', 'r1', 1, 't', 'email', 1, 'send', $2, $3, $3) returning id`,
        [`${key}-${status}`, status, at],
      );
      await db.query(
        `insert into in_app_messages (customer_id, intervention_id, dedup_key, body, created_at)
         values ('sup_r', $1, $2, 'Hello', $3)`,
        [String(i!.id), `${key}-${status}`, at],
      );
      if (status === "planned") {
        await db.query(
          "insert into intervention_outbox (intervention_id, due_at) values ($1, $2)",
          [i!.id, at],
        );
        continue;
      }
      await db.query(
        `insert into intervention_outcomes (intervention_id, kind, occurred_at, source)
         values ($1, 'opened', $2, 'pixel')`,
        [i!.id, at],
      );
      await db.query(
        `insert into intervention_effects (intervention_id, baseline_at, retained_30d)
         values ($1, $2, true)`,
        [i!.id, at],
      );
    }
  }
}

async function plantJobRuns(db: Db): Promise<void> {
  // Two old runs of one job (the older goes), one old run of another (its latest: stays).
  const runs: Array<[string, Date]> = [
    ["churn-model-retrain", OLD],
    ["churn-model-retrain", EDGE],
    ["success-metrics-refresh", OLD],
  ];
  for (const [job, at] of runs) {
    await db.query(
      `insert into scheduled_job_runs (job, slot, holder, started_at, finished_at)
       values ($1, $2, 'test', $2, $2)`,
      [job, at],
    );
  }
}

/**
 * Log events, all old but the last: one the plugin failed on for good (a dead
 * letter waiting to be replayed), one delivered (the plugin's cursor is on it),
 * one it has not reached yet; and a recent one.
 */
export async function plantLogEvents(
  db: Db,
): Promise<{ deadLettered: number; delivered: number; pending: number }> {
  const insert = async (type: string, at: Date) => {
    const [row] = await db.query<{ id: string }>(
      `insert into event_log (type, customer_id, payload, occurred_at, recorded_at)
       values ($1, 'sup_r', '{}', $2, $2) returning id`,
      [type, at],
    );
    return Number(row!.id);
  };
  const deadLettered = await insert("customer.scored", OLD);
  const delivered = await insert("customer.scored", OLD);
  await db.query(
    `insert into event_hub_plugins (plugin, types, cursor_tx, cursor_event_id)
     select 'viral', '{customer.scored}', tx_id, id from event_log where id = $1`,
    [delivered],
  );
  await db.query(
    `insert into event_hub_dead_letters (plugin, event_id, attempts, last_error, failed_at)
     values ('viral', $1, 10, 'HTTP 500', $2)`,
    [deadLettered, OLD],
  );
  const pending = await insert("customer.scored", OLD);
  await insert("customer.scored", RECENT);
  return { deadLettered, delivered, pending };
}

/** Row counts of every table retention touches. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = [
    "usage_events",
    "usage_event_ids",
    "usage_daily",
    "churn_prediction_logs",
    "churn_scoring_runs",
    "rule_firings",
    "success_interventions",
    "intervention_outbox",
    "intervention_outcomes",
    "intervention_effects",
    "in_app_messages",
    "event_log",
    "scheduled_job_runs",
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    counts[table] = row!.n;
  }
  return counts;
}

/** The monthly partitions of `table`, by name. */
export async function partitionNames(db: Db, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = $1::regclass order by 1`,
    [table],
  );
  return rows.map((r) => r.name);
}
