/**
 * The baseline: health scoring done the naive way, one customer at a time.
 * For each customer one query reads its aggregates (event measures, milestone
 * ratio, last activity, the past and previous scores), TypeScript turns them
 * into the score, and one statement writes its history row, its latest row
 * and, when the score moved, its `health.changed` event — the same rows the
 * set-based statement writes, two round trips per customer instead of one
 * per batch. It interprets the same declarative model, so the scores of both
 * paths can be compared.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import type { HealthModel, Measure, Scale } from "../../engine/health/mod.ts";

/** One customer's scores as the naive path computed them. */
export interface NaiveScore {
  score: number;
  atRiskScore: number;
  /** Component key → component score. */
  components: Record<string, number>;
}

/** What scoring one customer needs from the database. */
interface CustomerAggregates {
  signup_at: Date;
  last_event_at: Date | null;
  milestone_ratio: number | null;
  past_score: number | null;
  prev_score: number | null;
  prev_at_risk: number | null;
  [measure: `m${number}`]: number | null;
}

/** A model's per-customer read and write statements. */
export interface NaiveScorer {
  /** Scores one customer and writes its rows; returns what it wrote. */
  scoreCustomer(db: Queryable, customerId: string): Promise<NaiveScore>;
}

const DAY_SECONDS = 86_400;

/** Builds the naive scorer of `model` for scorings at `asOf`. */
export function naiveScorer(
  model: HealthModel,
  options: { asOf: Date; changeThreshold: number },
): NaiveScorer {
  const read = readStatement(model);
  return {
    async scoreCustomer(db, customerId) {
      const [row] = await db.query<CustomerAggregates>(read.sql, [
        customerId,
        options.asOf,
        ...read.params,
      ]);
      if (!row) throw new Error(`Customer ${customerId} disappeared during the benchmark`);
      const scored = computeScore(model, row, options.asOf);
      await writeScore(db, customerId, model.version, scored, {
        asOf: options.asOf,
        changed: hasChanged(row, scored.result, options.changeThreshold),
        previous: { score: row.prev_score, atRiskScore: row.prev_at_risk },
      });
      return scored.result;
    },
  };
}

/** The per-customer read: $1 customer id, $2 as-of time, then the model's parameters. */
function readStatement(model: HealthModel): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${2 + params.length}::${cast}`;
  };
  const windows = model.components.flatMap((c) =>
    "windowDays" in c.measure ? [c.measure.windowDays] : []
  );
  const lookback = param(Math.max(model.atRisk.inactivityDays, ...windows), "int");
  const measures = model.components.flatMap((c, i) => {
    const sql = measureSql(c.measure, param);
    return sql === null ? [] : [`${sql} as m${i}`];
  });
  const sql = `
select c.signup_date::timestamptz as signup_at, ev.*,
  (select avg(case when m.achieved and m.achieved_at <= $2 then 1.0 else 0.0 end)
   from success_milestones m where m.customer_id = $1) as milestone_ratio,
  (select h.score from customer_health h
   where h.customer_id = $1
     and h.scored_at <= $2::timestamptz - ${
    param(model.atRisk.declineDays, "int")
  } * interval '1 day'
   order by h.scored_at desc limit 1) as past_score,
  l.score as prev_score, l.at_risk_score as prev_at_risk
from customers c
cross join lateral (
  select ${[...measures, "max(e.occurred_at) as last_event_at"].join(", ")}
  from usage_events e
  where e.customer_id = $1
    and e.occurred_at > $2::timestamptz - ${lookback} * interval '1 day'
    and e.occurred_at <= $2::timestamptz
) ev
left join customer_health_latest l on l.customer_id = c.id
where c.id = $1`;
  return { sql, params };
}

type Param = (value: unknown, cast: string) => string;

/** One customer's aggregate for an event measure; null for the milestone measure. */
function measureSql(measure: Measure, param: Param): string | null {
  const since = (days: number) =>
    `e.occurred_at > $2::timestamptz - ${param(days, "int")} * interval '1 day'`;
  switch (measure.kind) {
    case "event_count":
      return `count(*) filter (where e.type = any(${param(measure.events, "text[]")}) and ${
        since(measure.windowDays)
      })`;
    case "active_days":
      return `count(distinct (e.occurred_at at time zone 'UTC')::date) filter (where e.type = any(${
        param(measure.events, "text[]")
      }) and ${since(measure.windowDays)})`;
    case "distinct_property":
      return `count(distinct e.properties ->> ${
        param(measure.property, "text")
      }) filter (where ${`e.type = ${param(measure.event, "text")}`} and ${
        since(measure.windowDays)
      })`;
    case "milestone_ratio":
      return null;
  }
}

/** A customer's computed scores and the rows' JSON details. */
interface Computed {
  result: NaiveScore;
  components: Record<string, { score: number; value: number; weight: number }>;
  atRiskFactors: { lowHealth: number; decline: number; inactivity: number };
}

/** Scales, weights and combines the aggregates as the model says. */
function computeScore(model: HealthModel, row: CustomerAggregates, asOf: Date): Computed {
  const components: Computed["components"] = {};
  let weighted = 0;
  let totalWeight = 0;
  model.components.forEach((component, i) => {
    const value = component.measure.kind === "milestone_ratio"
      ? row.milestone_ratio ?? 0
      : row[`m${i}`] ?? 0;
    const score = scaled(component.scale, value);
    components[component.key] = {
      score: round(score, 2),
      value: round(value, 4),
      weight: component.weight,
    };
    weighted += component.weight * score;
    totalWeight += component.weight;
  });
  const score = weighted / totalWeight;
  const r = model.atRisk;
  const lastSeen = Math.max(row.last_event_at?.getTime() ?? -Infinity, row.signup_at.getTime());
  const factors = {
    lowHealth: 100 - score,
    decline: row.past_score === null
      ? 0
      : clamp((row.past_score - score) / r.declineFullPoints * 100),
    inactivity: clamp((asOf.getTime() - lastSeen) / 1000 / DAY_SECONDS / r.inactivityDays * 100),
  };
  const atRisk = (r.lowHealth * factors.lowHealth + r.decline * factors.decline +
    r.inactivity * factors.inactivity) / (r.lowHealth + r.decline + r.inactivity);
  return {
    result: {
      score: round(score, 2),
      atRiskScore: round(atRisk, 2),
      components: Object.fromEntries(Object.entries(components).map(([k, c]) => [k, c.score])),
    },
    components,
    atRiskFactors: {
      lowHealth: round(factors.lowHealth, 2),
      decline: round(factors.decline, 2),
      inactivity: round(factors.inactivity, 2),
    },
  };
}

function scaled(scale: Scale, value: number): number {
  switch (scale.kind) {
    case "target":
      return Math.min(100, 100 * value / scale.target);
    case "penalty":
      return Math.max(0, 100 - 100 * value / scale.worst);
  }
}

function hasChanged(row: CustomerAggregates, scored: NaiveScore, threshold: number): boolean {
  if (row.prev_score === null || row.prev_at_risk === null) return true;
  return Math.abs(scored.score - row.prev_score) >= threshold ||
    Math.abs(scored.atRiskScore - row.prev_at_risk) >= threshold;
}

/** The customer's history row, latest row and (if it changed) event, in one statement. */
async function writeScore(
  db: Queryable,
  customerId: string,
  modelVersion: string,
  computed: Computed,
  options: {
    asOf: Date;
    changed: boolean;
    previous: { score: number | null; atRiskScore: number | null };
  },
): Promise<void> {
  const { score, atRiskScore } = computed.result;
  await db.query(
    `with ins as (
       insert into customer_health (customer_id, score, at_risk_score, components,
         at_risk_factors, model_version, scored_at)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
       returning id
     ),
     latest as (
       insert into customer_health_latest (customer_id, health_id, score, at_risk_score,
         components, at_risk_factors, model_version, scored_at)
       select $1, id, $2, $3, $4::jsonb, $5::jsonb, $6, $7 from ins
       on conflict (customer_id) do update set health_id = excluded.health_id,
         score = excluded.score, at_risk_score = excluded.at_risk_score,
         components = excluded.components, at_risk_factors = excluded.at_risk_factors,
         model_version = excluded.model_version, scored_at = excluded.scored_at
       where customer_health_latest.scored_at <= excluded.scored_at
     )
     insert into event_log (type, customer_id, payload, occurred_at)
     select 'health.changed', $1, jsonb_build_object('score', $2::numeric,
       'previousScore', $9::numeric, 'atRiskScore', $3::numeric,
       'previousAtRiskScore', $10::numeric, 'modelVersion', $6::text), $7
     where $8::boolean`,
    [
      customerId,
      score,
      atRiskScore,
      computed.components,
      computed.atRiskFactors,
      modelVersion,
      options.asOf,
      options.changed,
      options.previous.score,
      options.previous.atRiskScore,
    ],
  );
}

function clamp(x: number): number {
  return Math.min(100, Math.max(0, x));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
