/** How far health scoring has got, in a few cheap reads, for the health checks. */
import type { Queryable } from "../db/mod.ts";

/** The state of health scoring across all customers. */
export interface HealthScoringSummary {
  /** The version of the active health model, or null when none is active. */
  activeModelVersion: string | null;
  /** When the newest score was computed, and by which model version. */
  lastScoredAt: Date | null;
  lastScoredModelVersion: string | null;
  /** Customers not churned, and how many of them have never been scored. */
  activeCustomers: number;
  unscoredCustomers: number;
}

/** Reads the scoring summary (index reads and two counts; no scan of the history). */
export async function healthScoringSummary(db: Queryable): Promise<HealthScoringSummary> {
  const [row] = await db.query<{
    active_model: string | null;
    last_scored_at: Date | null;
    last_model: string | null;
    active_customers: number;
    unscored: number;
  }>(
    `select
       (select version from health_models where active) as active_model,
       last.scored_at as last_scored_at,
       last.model_version as last_model,
       (select count(*)::int from customers where churned_at is null) as active_customers,
       (select count(*)::int from customers c
         where c.churned_at is null
           and not exists (select 1 from customer_health_latest l where l.customer_id = c.id))
         as unscored
     from (select 1) as one
     left join lateral (
       select scored_at, model_version from customer_health order by scored_at desc limit 1
     ) as last on true`,
  );
  return {
    activeModelVersion: row?.active_model ?? null,
    lastScoredAt: row?.last_scored_at ?? null,
    lastScoredModelVersion: row?.last_model ?? null,
    activeCustomers: row?.active_customers ?? 0,
    unscoredCustomers: row?.unscored ?? 0,
  };
}
