/** Reading a customer's health: latest score, components, trend and history. */
import { PREPARED, type Queryable } from "../db/mod.ts";
import { customerNotFound } from "../signals/mod.ts";

/** One scoring of a customer. */
export interface HealthScore {
  score: number;
  atRiskScore: number;
  components: Record<string, { score: number; value: number; weight: number }>;
  atRiskFactors: { lowHealth: number; decline: number; inactivity: number };
  modelVersion: string;
  scoredAt: string;
}

/** Change of the score over a period; null when there is no scoring that old. */
export interface HealthTrend {
  change7d: number | null;
  change30d: number | null;
  direction: "improving" | "declining" | "stable" | "unknown";
}

/** Everything `GET /api/v1/customers/:id/health` shows. */
export interface CustomerHealth {
  customerId: string;
  latest: HealthScore | null;
  trend: HealthTrend;
  history: Array<Pick<HealthScore, "score" | "atRiskScore" | "scoredAt">>;
}

/** A change smaller than this many points counts as stable. */
const STABLE_POINTS = 2;

/**
 * The customer's latest health, its trend, and its history over `historyDays`
 * before the latest; CUSTOMER_NOT_FOUND if there is no such customer.
 */
export async function getCustomerHealth(
  db: Queryable,
  customerId: string,
  options: { historyDays: number },
): Promise<CustomerHealth> {
  const json = (await getCustomersHealthJson(db, [customerId], options)).get(customerId);
  if (json === undefined) throw customerNotFound(customerId);
  return JSON.parse(json) as CustomerHealth;
}

/**
 * getCustomerHealth for many customers in one statement, as the JSON text of
 * each CustomerHealth, built by PostgreSQL. This is the API's hottest read:
 * each statement costs the engine more than PostgreSQL spends answering it,
 * and parsing the row only to serialize it again cost the engine a tenth of
 * its time (bench/README.md, "API load"), so the API sends this text as it
 * is. Ids that name no customer are missing from the result.
 */
export async function getCustomersHealthJson(
  db: Queryable,
  customerIds: readonly string[],
  options: { historyDays: number },
): Promise<Map<string, string>> {
  const rows = await db.query<{ customer_id: string; health: string }>(
    `with found as (
       select c.id, l.score, l.at_risk_score, l.components, l.at_risk_factors, l.model_version,
         l.scored_at,
         round(l.score - (select h.score from customer_health h where h.customer_id = l.customer_id
           and h.scored_at <= l.scored_at - interval '7 days' order by h.scored_at desc limit 1), 2)
           as change_7d,
         round(l.score - (select h.score from customer_health h where h.customer_id = l.customer_id
           and h.scored_at <= l.scored_at - interval '30 days' order by h.scored_at desc limit 1), 2)
           as change_30d,
         (select json_agg(json_build_object('score', h.score::float8,
              'atRiskScore', h.at_risk_score::float8, 'scoredAt', ${isoTime("h.scored_at")})
              order by h.scored_at)
            from customer_health h where h.customer_id = l.customer_id
              and h.scored_at >= l.scored_at - $2 * interval '1 day') as history
       from customers c left join customer_health_latest l on l.customer_id = c.id
       where c.id = any($1::text[])
     )
     select id as customer_id, json_build_object(
         'customerId', id,
         'latest', case when score is null then null else json_build_object(
           'score', score::float8, 'atRiskScore', at_risk_score::float8,
           'components', components, 'atRiskFactors', at_risk_factors,
           'modelVersion', model_version, 'scoredAt', ${isoTime("scored_at")}) end,
         'trend', json_build_object(
           'change7d', change_7d::float8, 'change30d', change_30d::float8,
           'direction', case
             when coalesce(change_7d, change_30d) is null then 'unknown'
             when coalesce(change_7d, change_30d) >= ${STABLE_POINTS} then 'improving'
             when coalesce(change_7d, change_30d) <= -${STABLE_POINTS} then 'declining'
             else 'stable' end),
         'history', coalesce(history, '[]'::json))::text as health
     from found`,
    [customerIds, options.historyDays],
    PREPARED,
  );
  return new Map(rows.map((row) => [row.customer_id, row.health]));
}

/** SQL for `column` (a timestamptz) as the API writes times: ISO 8601 in UTC, milliseconds. */
function isoTime(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
