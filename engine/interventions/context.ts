/**
 * Rendering contexts, read from the database for a batch of customers in
 * one statement: the customer row, its latest health, its owner and the
 * links a message carries. Attributes are whatever the customer's system
 * sent, so they are read defensively: a locale or success manager of the
 * wrong shape falls back to the defaults.
 */
import { z } from "zod";
import type { Queryable } from "../db/mod.ts";
import { openCustomerRows } from "../signals/mod.ts";
import type { TemplateContext } from "./template_context.ts";

/** The owner of a customer without a success manager: the team. */
export const SUCCESS_TEAM = { name: "Customer Success", email: null } as const;

/** The locale of a customer whose attributes name none. */
export const DEFAULT_LOCALE = "en";

const localeAttribute = z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/).max(35);
const successManager = z.object({
  name: z.string().min(1).max(200),
  email: z.string().max(320).nullable().optional(),
});

/** A customer's data a context is made of. */
export interface ContextRow {
  id: string;
  name: string;
  vendor_type: string;
  plan: string;
  country: string;
  time_zone: string;
  mrr: number;
  tenure_days: number;
  attributes: Record<string, unknown>;
  score: number | null;
  at_risk_score: number | null;
  components: Record<string, { score?: unknown }> | null;
}

/** The context rows of `customerIds` (those that exist), by id; tenure counted to `now`. */
export async function loadContextRows(
  db: Queryable,
  customerIds: readonly string[],
  now: Date,
): Promise<Map<string, ContextRow>> {
  const rows = await db.query<ContextRow>(
    `select c.id, c.name, c.vendor_type, c.plan, c.country, c.time_zone, c.mrr::float8 as mrr,
       greatest(0, ($2::timestamptz at time zone 'UTC')::date - c.signup_date) as tenure_days,
       c.attributes, h.score::float8 as score, h.at_risk_score::float8 as at_risk_score,
       h.components
     from customers c left join customer_health_latest h on h.customer_id = c.id
     where c.id = any($1::text[])`,
    [customerIds, now],
  );
  return new Map((await openCustomerRows(rows)).map((row) => [row.id, row]));
}

/** What a context is built with besides the customer's data. */
export interface ContextOptions {
  /** Where people reach the engine (PUBLIC_URL); links start with it. */
  publicUrl: string;
  /** The unsubscribe link; a preview's (`<publicUrl>/unsubscribe/preview`) when not given. */
  unsubscribeUrl?: string | undefined;
  /** The rule that proposed the message; null for a preview. */
  rule?: TemplateContext["rule"] | undefined;
}

/** The rendering context of one customer's row. */
export function contextFromRow(row: ContextRow, options: ContextOptions): TemplateContext {
  const base = options.publicUrl.replace(/\/+$/, "");
  const locale = localeAttribute.safeParse(row.attributes.locale);
  const manager = successManager.safeParse(row.attributes.successManager);
  return {
    customer: {
      id: row.id,
      name: row.name,
      vendorType: row.vendor_type,
      plan: row.plan,
      country: row.country,
      timeZone: row.time_zone,
      locale: locale.success ? locale.data : DEFAULT_LOCALE,
      mrr: row.mrr,
      tenureDays: row.tenure_days,
    },
    health: row.score === null || row.at_risk_score === null ? null : {
      score: row.score,
      atRiskScore: row.at_risk_score,
      components: componentScores(row.components),
    },
    // No churn model yet: every template must read well without a prediction.
    prediction: null,
    rule: options.rule ?? null,
    owner: manager.success
      ? { name: manager.data.name, email: manager.data.email ?? null }
      : { ...SUCCESS_TEAM },
    links: {
      app: base,
      unsubscribe: options.unsubscribeUrl ?? `${base}/unsubscribe/preview`,
      booking: `${base}/book/${encodeURIComponent(row.id)}`,
    },
  };
}

/** `{engagement: {score: 62, …}, …}` → `{engagement: 62, …}`, in key order (as `#each` shows them). */
function componentScores(
  components: Record<string, { score?: unknown }> | null,
): Record<string, number> {
  const scores: Record<string, number> = {};
  const entries = Object.entries(components ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [key, component] of entries) {
    if (typeof component?.score === "number") scores[key] = component.score;
  }
  return scores;
}
