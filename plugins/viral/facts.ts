/**
 * The plugin's facts for rules, for a batch of customers in one statement:
 *
 * - `referrals_sent_30d`: referrals the customer made in (asOf − 30 days, asOf].
 * - `viral_coefficient`: its referrals that became customers in
 *   (asOf − 90 days, asOf]. A viral coefficient is invitations per customer
 *   times their conversion rate; for one customer that is the new customers
 *   its referrals brought, so the fact's average over customers is the
 *   product's coefficient over the window.
 *
 * Every asked customer gets both facts; 0 when it made no referral.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import type { PluginFactValues } from "../../engine/plugins/mod.ts";
import { CONVERSION_WINDOW_DAYS } from "./record_referrals.ts";

/** The window of `referrals_sent_30d`. */
const SENT_WINDOW_DAYS = 30;

/** Both facts of each of `customerIds` at `asOf`. */
export async function referralFacts(
  db: Queryable,
  customerIds: readonly string[],
  asOf: Date,
): Promise<PluginFactValues> {
  if (customerIds.length === 0) return {};
  const rows = await db.query<{ id: string; sent: number; converted: number }>(
    `select c.id,
       count(*) filter (where r.occurred_at > $2::timestamptz - $3 * interval '1 day')::int
         as sent,
       count(*) filter (where r.converted_at > $2::timestamptz - $4 * interval '1 day'
         and r.converted_at <= $2::timestamptz)::int as converted
     from unnest($1::text[]) as c(id)
     left join viral_referrals r on r.referrer_id = c.id and r.occurred_at <= $2::timestamptz
       and (r.occurred_at > $2::timestamptz - $3 * interval '1 day'
         or r.converted_at > $2::timestamptz - $4 * interval '1 day')
     group by c.id`,
    [customerIds, asOf, SENT_WINDOW_DAYS, CONVERSION_WINDOW_DAYS],
  );
  return Object.fromEntries(rows.map((row) => [row.id, {
    referrals_sent_30d: row.sent,
    viral_coefficient: row.converted,
  }]));
}
