/**
 * Compiles a health model into one set-based SQL statement that scores a
 * batch of customers: measures aggregated from their events and milestones,
 * scaled, weighted, plus the customer's valid health boosts (boosts.ts),
 * written to customer_health and customer_health_latest, and
 * `health.changed` appended to the event log — one round trip per batch.
 *
 * Everything that comes from the model travels as a parameter, never as SQL
 * text, so a model cannot inject SQL.
 */
import { BOOST_COMPONENT } from "./boosts.ts";
import type { HealthModel, Measure, Scale } from "./model_schema.ts";

/** The compiled statement and the model's parameters (which follow the fixed ones). */
export interface CompiledHealthModel {
  sql: string;
  modelParams: unknown[];
}

/**
 * Fixed parameters of the statement, in order:
 * $1 cursor (last customer id of the previous batch, "" first), $2 batch size,
 * $3 as-of time, $4 model version, $5 cycle id (or null), $6 change threshold,
 * $7 last customer id the batch may take (or null for no bound), $8 the most
 * points health boosts may add (HEALTH_BOOST_MAX_POINTS).
 */
export const FIXED_PARAMS = 8;

/** Builds the scoring statement for `model`. */
export function compileHealthModel(model: HealthModel): CompiledHealthModel {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${FIXED_PARAMS + params.length}::${cast}`;
  };
  const windows = model.components.flatMap((c) =>
    "windowDays" in c.measure ? [c.measure.windowDays] : []
  );
  const lookbackDays = param(Math.max(model.atRisk.inactivityDays, ...windows), "int");
  const eventMeasures: string[] = [];
  const values: string[] = [];
  model.components.forEach((component, i) => {
    const measure = measureSql(component.measure, param);
    if (measure === null) values.push("coalesce(ms.ratio, 0)");
    else {
      eventMeasures.push(`${measure} as m${i}`);
      values.push(`coalesce(ev.m${i}, 0)`);
    }
  });
  const totalWeight = model.components.reduce((sum, c) => sum + c.weight, 0);
  const componentScores = model.components.map((c, i) =>
    `${scaleSql(c.scale, `v${i}`, param)} as c${i}`
  );
  const weighted = model.components.map((c, i) => `${param(c.weight, "float8")} * c${i}`).join(
    " + ",
  );
  const componentJson = model.components.map((c, i) =>
    `${param(c.key, "text")}, jsonb_build_object('score', round(c${i}::numeric, 2), ` +
    `'value', round(v${i}::numeric, 4), 'weight', ${param(c.weight, "float8")})`
  ).join(", ");
  // Only a boosted customer gets the component, so other scores stay exactly as they were.
  const boostJson = `case when boost_value is null then '{}'::jsonb else jsonb_build_object(` +
    `'${BOOST_COMPONENT}', jsonb_build_object('score', round(boost::numeric, 2), ` +
    `'value', round(boost_value::numeric, 4), 'weight', 0)) end`;
  const r = model.atRisk;
  const riskWeight = r.lowHealth + r.decline + r.inactivity;
  const decline = `least(100, greatest(0, (past.score - s.score) / ${
    param(r.declineFullPoints, "float8")
  } * 100))`;
  const inactivity =
    `least(100, greatest(0, extract(epoch from ($3::timestamptz - s.last_seen)) / 86400 / ` +
    `${param(r.inactivityDays, "float8")} * 100))`;
  const sql = `
with batch as (
  select c.id, c.signup_date from customers c
  where c.id > $1 and ($7::text is null or c.id <= $7::text)
    and c.signup_date <= $3::timestamptz
    and (c.churned_at is null or c.churned_at > $3::timestamptz)
  order by c.id limit $2
),
ev as (
  select e.customer_id, ${[...eventMeasures, "max(e.occurred_at) as last_event_at"].join(",\n    ")}
  from usage_events e
  where e.customer_id > $1 and e.customer_id <= (select max(id) from batch)
    and e.occurred_at > $3::timestamptz - ${lookbackDays} * interval '1 day'
    and e.occurred_at <= $3::timestamptz
  group by e.customer_id
),
boosts as (
  select hb.customer_id, sum(hb.points)::float8 as points
  from health_boosts hb
  where hb.customer_id > $1 and hb.customer_id <= (select max(id) from batch)
    and hb.valid_from <= $3::timestamptz and hb.valid_until > $3::timestamptz
  group by hb.customer_id
),
ms as (
  select m.customer_id,
    avg(case when m.achieved and m.achieved_at <= $3::timestamptz then 1.0 else 0.0 end) as ratio
  from success_milestones m
  where m.customer_id > $1 and m.customer_id <= (select max(id) from batch)
  group by m.customer_id
),
raw as (
  select b.id, greatest(ev.last_event_at, b.signup_date::timestamptz) as last_seen,
    ${values.map((v, i) => `(${v})::float8 as v${i}`).join(", ")}, bo.points as boost_value
  from batch b left join ev on ev.customer_id = b.id left join ms on ms.customer_id = b.id
    left join boosts bo on bo.customer_id = b.id
),
comp as (
  select raw.*, ${componentScores.join(", ")} from raw
),
weighted as (
  select comp.*, (${weighted}) / ${param(totalWeight, "float8")} as base from comp
),
boosted as (
  select weighted.*, case when boost_value is null then 0::float8
    else greatest(0, least(boost_value, $8::float8, 100 - base)) end as boost
  from weighted
),
scored as (
  select boosted.*, base + boost as score from boosted
),
past as (
  select b.id, p.score::float8 as score from batch b
  left join lateral (
    select h.score from customer_health h
    where h.customer_id = b.id
      and h.scored_at <= $3::timestamptz - ${param(r.declineDays, "int")} * interval '1 day'
    order by h.scored_at desc limit 1
  ) p on true
),
risk as (
  select s.*,
    100 - s.score as f_low, coalesce(${decline}, 0) as f_decline, ${inactivity} as f_inactive
  from scored s join past on past.id = s.id
),
final as (
  select id, round(score::numeric, 2) as score,
    round(((${param(r.lowHealth, "float8")} * f_low + ${param(r.decline, "float8")} * f_decline +
      ${param(r.inactivity, "float8")} * f_inactive) / ${param(riskWeight, "float8")})::numeric, 2)
      as at_risk_score,
    jsonb_build_object(${componentJson}) || ${boostJson} as components,
    jsonb_build_object('lowHealth', round(f_low::numeric, 2), 'decline', round(f_decline::numeric, 2),
      'inactivity', round(f_inactive::numeric, 2)) as at_risk_factors
  from risk
),
prev as (
  select l.customer_id, l.score, l.at_risk_score from customer_health_latest l
  where l.customer_id in (select id from batch)
),
ins as (
  insert into customer_health (customer_id, score, at_risk_score, components, at_risk_factors,
    model_version, cycle_id, scored_at)
  select id, score, at_risk_score, components, at_risk_factors, $4, $5, $3 from final
  returning id, customer_id, score, at_risk_score, components, at_risk_factors, scored_at
),
latest as (
  insert into customer_health_latest (customer_id, health_id, score, at_risk_score, components,
    at_risk_factors, model_version, scored_at)
  select customer_id, id, score, at_risk_score, components, at_risk_factors, $4, scored_at from ins
  on conflict (customer_id) do update set health_id = excluded.health_id, score = excluded.score,
    at_risk_score = excluded.at_risk_score, components = excluded.components,
    at_risk_factors = excluded.at_risk_factors, model_version = excluded.model_version,
    scored_at = excluded.scored_at
  where customer_health_latest.scored_at <= excluded.scored_at
),
changed as (
  insert into event_log (type, customer_id, payload, occurred_at)
  select 'health.changed', i.customer_id, jsonb_build_object('score', i.score,
    'previousScore', p.score, 'atRiskScore', i.at_risk_score,
    'previousAtRiskScore', p.at_risk_score, 'modelVersion', $4), $3
  from ins i left join prev p on p.customer_id = i.customer_id
  where p.customer_id is null or abs(i.score - p.score) >= $6
    or abs(i.at_risk_score - p.at_risk_score) >= $6
  returning 1
)
select (select count(*) from ins) as scored, (select count(*) from changed) as changed,
  (select max(id) from batch) as last_id`;
  return { sql, modelParams: params };
}

type Param = (value: unknown, cast: string) => string;

/** SQL aggregate for an event measure, or null for a milestone measure. */
function measureSql(measure: Measure, param: Param): string | null {
  const inWindow = (days: number) =>
    `e.occurred_at > $3::timestamptz - ${param(days, "int")} * interval '1 day'`;
  switch (measure.kind) {
    case "event_count":
      return `count(*) filter (where e.type = any(${param(measure.events, "text[]")}) and ${
        inWindow(measure.windowDays)
      })`;
    case "active_days":
      return `count(distinct (e.occurred_at at time zone 'UTC')::date) filter (where e.type = any(${
        param(measure.events, "text[]")
      }) and ${inWindow(measure.windowDays)})`;
    case "distinct_property":
      return `count(distinct e.properties ->> ${
        param(measure.property, "text")
      }) filter (where e.type = ${param(measure.event, "text")} and ${
        inWindow(measure.windowDays)
      })`;
    case "milestone_ratio":
      return null;
  }
}

function scaleSql(scale: Scale, value: string, param: Param): string {
  switch (scale.kind) {
    case "target":
      return `least(100, 100.0 * ${value} / ${param(scale.target, "float8")})`;
    case "penalty":
      return `greatest(0, 100 - 100.0 * ${value} / ${param(scale.worst, "float8")})`;
  }
}
