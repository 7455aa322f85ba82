/**
 * The tables retention deletes from row by row, in batches: one statement per
 * batch, each its own short transaction, rows another transaction holds
 * skipped (`skip locked`) so a cycle or ingestion never waits on retention;
 * what was skipped goes on a later batch or run.
 */
import type { Queryable } from "../db/mod.ts";

/** One table (or family of tables) deleted in batches. */
export interface BatchTarget {
  /** The name reported for it. */
  table: string;
  /** The plugin whose manifest declared it; engine tables have none. */
  plugin?: string;
  /** Whether it is measured from the cutoff, or from the first kept month of usage_events. */
  from: "cutoff" | "bound";
  /** Counts what a run would delete ($1: the limit). */
  count: string;
  /** Deletes one batch ($1: the limit, $2: the batch size); returns `n` and child counts. */
  delete: string;
}

// Finished interventions only: still sending, retrying or measuring, they stay.
const FINISHED_INTERVENTION = `i.planned_at < $1
  and i.status in ('sent', 'delivered', 'dead', 'held_out', 'suppressed')
  and not exists (select 1 from intervention_outbox o
    where o.intervention_id = i.id and o.state = 'pending')
  and not exists (select 1 from intervention_effects e
    where e.intervention_id = i.id and e.next_due_at is not null)`;

// Every plugin's cursor (tx_id, id) has passed it, and no dead letter waits to
// be replayed from it: the hub never reads it again (docs/events.md).
const PASSED_EVENT = `l.recorded_at < $1
  and not exists (select 1 from event_hub_plugins p
    where (p.cursor_tx, p.cursor_event_id) < (l.tx_id, l.id))
  and not exists (select 1 from event_hub_redeliveries r where r.event_id = l.id)
  and not exists (select 1 from event_hub_dead_letters d
    where d.event_id = l.id and d.replayed_at is null)`;

// The latest run of each job stays: the reports read when they were last refreshed from it.
const OLD_JOB_RUN = `s.started_at < $1 and s.finished_at is not null
  and exists (select 1 from scheduled_job_runs n where n.job = s.job and n.slot > s.slot)`;

/** A target keyed by `key` (its primary key) whose rows go when `where` holds (`alias` names the table). */
function simple(
  table: string,
  rows: {
    alias: string;
    key: string;
    where: string;
    // For tables with no index on their time: walking the primary key in order reaches the
    // oldest rows first and stops at the batch size, instead of scanning the table each batch.
    orderBy?: string;
  },
): Omit<BatchTarget, "table" | "from"> {
  const { alias, key, where, orderBy = "" } = rows;
  return {
    count: `select count(*)::int as n from ${table} ${alias} where ${where}`,
    delete: `with doomed as (
        select ${key} from ${table} ${alias} where ${where} ${orderBy} limit $2
        for update skip locked
      ), gone as (
        delete from ${table} t using doomed d where ${
      key.split(", ").map((k) => `t.${k} = d.${k}`).join(" and ")
    } returning 1
      ) select count(*)::int as n from gone`,
  };
}

/** Every batch target, in the order a run goes through them. */
export const BATCH_TARGETS: readonly BatchTarget[] = [
  {
    table: "rule_firings",
    from: "cutoff",
    ...simple("rule_firings", {
      alias: "f",
      key: "id",
      where: "f.fired_at < $1",
      orderBy: "order by f.id",
    }),
  },
  {
    table: "success_interventions",
    from: "cutoff",
    count: `select count(*)::int as n,
        (select count(*) from intervention_outbox o join success_interventions i
          on i.id = o.intervention_id where ${FINISHED_INTERVENTION})::int as outbox,
        (select count(*) from intervention_outcomes o join success_interventions i
          on i.id = o.intervention_id where ${FINISHED_INTERVENTION})::int as outcomes,
        (select count(*) from intervention_effects o join success_interventions i
          on i.id = o.intervention_id where ${FINISHED_INTERVENTION})::int as effects
      from success_interventions i where ${FINISHED_INTERVENTION}`,
    // The children are deleted in the same statement, so the run can report them.
    delete: `with doomed as (
        select i.id from success_interventions i where ${FINISHED_INTERVENTION}
        order by i.id limit $2 for update skip locked
      ), outbox as (
        delete from intervention_outbox o using doomed d where o.intervention_id = d.id returning 1
      ), outcomes as (
        delete from intervention_outcomes o using doomed d where o.intervention_id = d.id returning 1
      ), effects as (
        delete from intervention_effects o using doomed d where o.intervention_id = d.id returning 1
      ), gone as (
        delete from success_interventions t using doomed d where t.id = d.id returning 1
      ) select (select count(*) from gone)::int as n, (select count(*) from outbox)::int as outbox,
        (select count(*) from outcomes)::int as outcomes,
        (select count(*) from effects)::int as effects`,
  },
  // Deliveries by the in-app channel: the rendered message, read or not, goes with its intervention.
  {
    table: "in_app_messages",
    from: "cutoff",
    ...simple("in_app_messages", {
      alias: "m",
      key: "id",
      where: "m.created_at < $1",
      orderBy: "order by m.id",
    }),
  },
  {
    table: "event_log",
    from: "cutoff",
    ...simple("event_log", { alias: "l", key: "id", where: PASSED_EVENT }),
  },
  {
    table: "churn_scoring_runs",
    from: "cutoff",
    ...simple("churn_scoring_runs", { alias: "r", key: "id", where: "r.scored_at < $1" }),
  },
  {
    table: "scheduled_job_runs",
    from: "cutoff",
    ...simple("scheduled_job_runs", { alias: "s", key: "job, slot", where: OLD_JOB_RUN }),
  },
  // Both go with the usage_events months that are dropped, not before: a day's
  // counts stay as long as its events do.
  {
    table: "usage_daily",
    from: "bound",
    ...simple("usage_daily", { alias: "u", key: "customer_id, day", where: "u.day < $1::date" }),
  },
  // Boosts (plugins grant them; health scoring reads those valid at its as-of time) long expired.
  {
    table: "health_boosts",
    from: "cutoff",
    ...simple("health_boosts", {
      alias: "b",
      key: "source, boost_key",
      where: "b.valid_until < $1",
    }),
  },
  {
    table: "usage_event_ids",
    from: "bound",
    ...simple("usage_event_ids", { alias: "e", key: "event_id", where: "e.occurred_at < $1" }),
  },
  {
    table: "retention_runs",
    from: "cutoff",
    ...simple("retention_runs", {
      alias: "r",
      key: "id",
      where:
        "r.started_at < $1 and r.status <> 'running' and r.id < (select max(id) from retention_runs)",
    }),
  },
];

/**
 * A table a first-party plugin keeps in the engine's database, as its
 * manifest's `retention` declares it (names checked there: SQL names only).
 */
export interface PluginTable {
  plugin: string;
  table: string;
  /** A timestamptz column: rows before the cutoff go; null is kept. */
  olderThan: string;
  key: readonly string[];
}

/** The batch target of a plugin's table. */
export function pluginTableTarget(owned: PluginTable): BatchTarget {
  const quote = (name: string) => `"${name}"`;
  return {
    table: owned.table,
    plugin: owned.plugin,
    from: "cutoff",
    ...simple(quote(owned.table), {
      alias: "p",
      key: owned.key.map(quote).join(", "),
      where: `p.${quote(owned.olderThan)} < $1`,
    }),
  };
}

/** Counts per table: `rows` for the table itself, and any child tables deleted with it. */
export type BatchCounts = Record<string, number>;

/** What a target would delete now. */
export async function countTarget(
  db: Queryable,
  target: BatchTarget,
  at: Date,
): Promise<BatchCounts> {
  const [row] = await db.query<BatchCounts>(target.count, [at]);
  return row ?? { n: 0 };
}

/** Deletes one batch of a target; `n` is the rows of the table itself. */
export async function deleteBatch(
  db: Queryable,
  target: BatchTarget,
  options: { at: Date; batchSize: number },
): Promise<BatchCounts> {
  const [row] = await db.query<BatchCounts>(target.delete, [options.at, options.batchSize]);
  return row ?? { n: 0 };
}
