/**
 * Health boosts: points that something outside the health model adds to a
 * customer's score while the boost is valid — the viral plugin, for
 * referrals that became customers. The engine knows no granter: a boost
 * names its `source` and a `key` of the source's own, and granting the same
 * source and key again replaces the boost.
 *
 * Scoring (model_sql.ts) sums a customer's boosts valid at its as-of time,
 * caps the sum at HEALTH_BOOST_MAX_POINTS and at 100 points in all, and
 * shows what it added as the component `boost`. A customer without a valid
 * boost scores exactly as the model alone says.
 */
import { z } from "zod";
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { parseOrThrow } from "../validation.ts";

/** The points all of a customer's boosts may add together, when the configuration says nothing. */
export const DEFAULT_BOOST_MAX_POINTS = 10;

/** The component key scoring shows a boost under; no model component may take it. */
export const BOOST_COMPONENT = "boost";

const boostSchema = z.strictObject({
  source: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
    error: "must be a plugin-style name: lower-case letters, digits and '-'",
  }),
  key: z.string().min(1).max(200),
  customerId: z.string().min(1).max(128),
  points: z.number().positive().max(100),
  reason: z.string().min(1).max(500),
  validFrom: z.date(),
  validUntil: z.date(),
}).refine((boost) => boost.validUntil > boost.validFrom, {
  path: ["validUntil"],
  error: "must be later than validFrom",
});

/** A boost to grant: `points` (rounded to 2 decimals) while `validFrom ≤ asOf < validUntil`. */
export type HealthBoost = z.output<typeof boostSchema>;

/**
 * Grants `boosts` in one statement, replacing earlier grants of the same
 * source and key (the last one wins within `boosts` too). Throws VALIDATION_FAILED for a bad boost and
 * CUSTOMER_NOT_FOUND, granting nothing, when one names no customer.
 */
export async function grantHealthBoosts(
  db: Queryable,
  boosts: readonly HealthBoost[],
): Promise<void> {
  if (boosts.length === 0) return;
  parseOrThrow(z.array(boostSchema), boosts, { what: "health boosts" });
  const ids = [...new Set(boosts.map((b) => b.customerId))];
  const known = await db.query<{ id: string }>(
    "select id from customers where id = any($1::text[])",
    [ids],
  );
  const missing = ids.filter((id) => !known.some((row) => row.id === id));
  if (missing.length > 0) {
    throw new EngineError(
      "CUSTOMER_NOT_FOUND",
      `Cannot grant a health boost to ${missing.map((id) => `"${id}"`).join(", ")}: no such ` +
        "customer; create the customer first",
    );
  }
  // One row per source and key: a statement cannot update the same row twice.
  const latest = new Map(boosts.map((b) => [`${b.source}\u0000${b.key}`, b]));
  await db.query(
    `insert into health_boosts (source, boost_key, customer_id, points, reason, valid_from,
       valid_until)
     select source, key, customer_id, round(points::numeric, 2), reason, valid_from, valid_until
     from json_to_recordset($1::json) as b(source text, key text, customer_id text, points float8,
       reason text, valid_from timestamptz, valid_until timestamptz)
     on conflict (source, boost_key) do update set customer_id = excluded.customer_id,
       points = excluded.points, reason = excluded.reason, valid_from = excluded.valid_from,
       valid_until = excluded.valid_until, granted_at = now()`,
    [[...latest.values()].map((b) => ({
      source: b.source,
      key: b.key,
      customer_id: b.customerId,
      points: b.points,
      reason: b.reason,
      valid_from: b.validFrom.toISOString(),
      valid_until: b.validUntil.toISOString(),
    }))],
  );
}
