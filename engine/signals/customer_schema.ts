/** The customer (wedding supplier) format of `PUT /api/v1/customers/:id` and imports. */
import { z } from "zod";

/** Kinds of wedding supplier the product serves. */
export const vendorTypes = [
  "photographer",
  "videographer",
  "venue",
  "planner",
  "florist",
  "caterer",
  "baker",
  "dj",
  "band",
  "hair_makeup",
  "stationer",
  "officiant",
  "other",
] as const;

/** A customer id: what the product calls the supplier account. */
export const customerIdSchema = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
  "must be 1–64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit",
);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const isoDate = z.iso.date({ error: "must be a date like 2025-03-14" });

/** A customer's fields as sent by a client (everything but the id). */
export const customerInputSchema = z.strictObject({
  externalId: z.string().min(1).max(128).nullish().describe("Id in another system (CRM, billing)"),
  name: z.string().trim().min(1, "must not be empty").max(200),
  vendorType: z.enum(vendorTypes),
  plan: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "must be a lower-case plan name like starter"),
  mrr: z.number().nonnegative("must be 0 or more").max(10_000_000).describe(
    "Monthly recurring revenue in `currency`",
  ),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be a three-letter currency code like GBP")
    .default("GBP"),
  country: z.string().regex(/^[A-Z]{2}$/, "must be a two-letter country code like GB"),
  timeZone: z.string().refine(isTimeZone, "must be an IANA time zone like Europe/London"),
  signupDate: isoDate,
  churnedAt: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).nullish(),
  attributes: z.record(z.string().max(100), z.unknown()).default({}),
});

/** Validated customer fields. */
export type CustomerInput = z.output<typeof customerInputSchema>;

/** A customer with its id, as upserted in batches. */
export const customerRecordSchema = customerInputSchema.extend({ id: customerIdSchema });

/** A validated customer with its id. */
export type CustomerRecord = z.output<typeof customerRecordSchema>;

/** A stored customer, as the API returns it. */
export interface Customer extends CustomerRecord {
  externalId: string | null;
  churnedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
