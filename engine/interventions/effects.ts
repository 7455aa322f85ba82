/**
 * The outcomes stage of a cycle measures what interventions did: the
 * customer's health score 14 days after, and whether they were still a
 * customer 30, 60 and 90 days after. Sends and the holdout (control) group
 * are measured the same way from the moment each was planned, so the report
 * compares like with like. Set-based, in batches; each measure is written
 * once its day has passed (as of the cycle), and a cycle run again measures
 * nothing twice. The console's customer page reads them back per intervention.
 */
import type { Db, Queryable } from "../db/mod.ts";

/** What one measuring pass did. */
export interface EffectsMeasured {
  /** Sends and held-out interventions newly measured from. */
  enrolled: number;
  /** Rows that got a 14-day health or a 30/60/90-day retention measure. */
  measured: number;
}

const DAY = "interval '1 day'";

/**
 * Enrols the interventions planned since the last pass (their health at
 * planning is the baseline) and measures every enrolled one whose 14, 30,
 * 60 or 90 days have passed by `asOf`, `batchSize` rows per statement.
 */
export async function measureEffects(
  db: Db,
  options: { asOf: Date; batchSize: number; progress?: (done: number) => void },
): Promise<EffectsMeasured> {
  let enrolled = 0;
  for (;;) {
    const [row] = await db.query<{ n: number }>(ENROL, [options.batchSize]);
    enrolled += Number(row!.n);
    options.progress?.(enrolled);
    if (Number(row!.n) < options.batchSize) break;
  }
  // A measured row's next measure is due after asOf, so it leaves the due set.
  let measured = 0;
  for (;;) {
    const [row] = await db.query<{ n: number }>(MEASURE, [options.asOf, options.batchSize]);
    measured += Number(row!.n);
    options.progress?.(enrolled + measured);
    if (Number(row!.n) < options.batchSize) break;
  }
  return { enrolled, measured };
}

// Planning only ever adds interventions with higher ids, and the stage runs
// after the planning stage of its cycle, so "above the highest enrolled id"
// finds every new one without scanning the old.
const ENROL = `
  with enrolled as (
    insert into intervention_effects (intervention_id, baseline_at, health_before, next_due_at)
    select i.id, i.planned_at,
      (select h.score from customer_health h
        where h.customer_id = i.customer_id and h.scored_at <= i.planned_at
        order by h.scored_at desc limit 1),
      i.planned_at + 14 * ${DAY}
    from success_interventions i
    where i.id > (select coalesce(max(intervention_id), 0) from intervention_effects)
      and i.decision in ('send', 'holdout') and not i.test
    order by i.id
    limit $1
    on conflict (intervention_id) do nothing
    returning 1
  )
  select count(*)::int as n from enrolled`;

// One batch of the rows with a measure due by $1: every measure whose day has
// passed is set (each once), and the next due day moves past $1.
const MEASURE = `
  with batch as (
    select e.intervention_id from intervention_effects e
    where e.next_due_at <= $1::timestamptz
    order by e.next_due_at, e.intervention_id
    limit $2
  ), measured as (
    update intervention_effects e set
      health_measured_at = coalesce(e.health_measured_at, $1),
      health_after_14d = case when e.health_measured_at is null then
        (select h.score from customer_health h
          where h.customer_id = i.customer_id and h.scored_at <= e.baseline_at + 14 * ${DAY}
          order by h.scored_at desc limit 1)
        else e.health_after_14d end,
      retained_30d = ${retained(30)},
      retained_60d = ${retained(60)},
      retained_90d = ${retained(90)},
      next_due_at = case
        when e.baseline_at + 30 * ${DAY} > $1 then e.baseline_at + 30 * ${DAY}
        when e.baseline_at + 60 * ${DAY} > $1 then e.baseline_at + 60 * ${DAY}
        when e.baseline_at + 90 * ${DAY} > $1 then e.baseline_at + 90 * ${DAY}
        end
    from batch, success_interventions i, customers c
    where e.intervention_id = batch.intervention_id and i.id = e.intervention_id
      and c.id = i.customer_id
    returning 1
  )
  select count(*)::int as n from measured`;

/** Retained `days` after the baseline: set once that day has passed. */
function retained(days: number): string {
  const column = `e.retained_${days}d`;
  return `case when ${column} is null and e.baseline_at <= $1::timestamptz - ${days} * ${DAY}
    then c.churned_at is null or c.churned_at > e.baseline_at + ${days} * ${DAY}
    else ${column} end`;
}

/** What was measured of one intervention so far; null where its day has not passed. */
export interface InterventionEffect {
  healthBefore: number | null;
  healthAfter14d: number | null;
  retained30d: boolean | null;
  retained60d: boolean | null;
  retained90d: boolean | null;
}

/** The measured effects of `interventionIds`, by id; those not enrolled yet are missing. */
export async function interventionEffects(
  db: Queryable,
  interventionIds: readonly number[],
): Promise<Map<number, InterventionEffect>> {
  const rows = await db.query<{
    intervention_id: number;
    health_before: number | null;
    health_after_14d: number | null;
    retained_30d: boolean | null;
    retained_60d: boolean | null;
    retained_90d: boolean | null;
  }>(
    `select intervention_id, health_before::float8 as health_before,
       health_after_14d::float8 as health_after_14d, retained_30d, retained_60d, retained_90d
     from intervention_effects where intervention_id = any($1::bigint[])`,
    [interventionIds],
  );
  return new Map(rows.map((row) => [Number(row.intervention_id), {
    healthBefore: row.health_before,
    healthAfter14d: row.health_after_14d,
    retained30d: row.retained_30d,
    retained60d: row.retained_60d,
    retained90d: row.retained_90d,
  }]));
}
