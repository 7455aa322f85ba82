/** Reading a customer's health: latest score, components, trend and history. */
import type { Queryable } from "../db/mod.ts";

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

/** The customer's latest health, its trend, and its history over `historyDays` before the latest. */
export async function getCustomerHealth(
  db: Queryable,
  customerId: string,
  options: { historyDays: number },
): Promise<CustomerHealth> {
  const latestRows = await db.query<{
    score: number;
    at_risk_score: number;
    components: HealthScore["components"];
    at_risk_factors: HealthScore["atRiskFactors"];
    model_version: string;
    scored_at: Date;
    score_7d: number | null;
    score_30d: number | null;
  }>(
    `select l.score, l.at_risk_score, l.components, l.at_risk_factors, l.model_version, l.scored_at,
       (select h.score from customer_health h where h.customer_id = l.customer_id
          and h.scored_at <= l.scored_at - interval '7 days' order by h.scored_at desc limit 1) as score_7d,
       (select h.score from customer_health h where h.customer_id = l.customer_id
          and h.scored_at <= l.scored_at - interval '30 days' order by h.scored_at desc limit 1) as score_30d
     from customer_health_latest l where l.customer_id = $1`,
    [customerId],
  );
  const row = latestRows[0];
  if (!row) {
    return {
      customerId,
      latest: null,
      trend: { change7d: null, change30d: null, direction: "unknown" },
      history: [],
    };
  }
  const history = await db.query<{ score: number; at_risk_score: number; scored_at: Date }>(
    `select score, at_risk_score, scored_at from customer_health
     where customer_id = $1 and scored_at >= $2::timestamptz - $3 * interval '1 day'
     order by scored_at`,
    [customerId, row.scored_at, options.historyDays],
  );
  const change = (past: number | null) => past === null ? null : round2(row.score - past);
  const change7d = change(row.score_7d);
  const change30d = change(row.score_30d);
  const basis = change7d ?? change30d;
  return {
    customerId,
    latest: {
      score: row.score,
      atRiskScore: row.at_risk_score,
      components: row.components,
      atRiskFactors: row.at_risk_factors,
      modelVersion: row.model_version,
      scoredAt: row.scored_at.toISOString(),
    },
    trend: {
      change7d,
      change30d,
      direction: basis === null
        ? "unknown"
        : basis >= STABLE_POINTS
        ? "improving"
        : basis <= -STABLE_POINTS
        ? "declining"
        : "stable",
    },
    history: history.map((h) => ({
      score: h.score,
      atRiskScore: h.at_risk_score,
      scoredAt: h.scored_at.toISOString(),
    })),
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
