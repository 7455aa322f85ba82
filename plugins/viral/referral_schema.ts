/**
 * What `POST /plugins/viral/referrals` takes: a batch of referrals, each
 * checked on its own so one bad item is answered alone, and what it answers
 * per item.
 */
import { z } from "zod";

/** The most referrals one request may carry. */
export const MAX_REFERRALS_PER_REQUEST = 1_000;

const id = (what: string) =>
  z.string({ error: `must be a string: the ${what}` }).min(1, "must not be empty").max(
    128,
    "must be at most 128 characters",
  );

const dateTime = z.iso.datetime({
  offset: true,
  error: "must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T09:30:00Z",
}).transform((s) => new Date(s));

/** What became of a referral, as far as the sender knows. */
const outcomeSchema = z.discriminatedUnion("status", [
  z.strictObject({ status: z.literal("pending") }),
  z.strictObject({
    status: z.literal("converted"),
    customerId: id("new customer's id"),
    at: dateTime,
  }),
  z.strictObject({ status: z.literal("declined") }),
], { error: "must be an object whose status is pending, converted or declined" });

/** One referral as a sender reports it. */
export const referralSchema = z.strictObject({
  id: id("referral's idempotency key"),
  referrerId: id("referring customer's id"),
  kind: z.enum(["supplier_invited", "form_shared"], {
    error: "must be supplier_invited or form_shared",
  }),
  occurredAt: dateTime,
  outcome: outcomeSchema.default({ status: "pending" }),
}).superRefine((referral, ctx) => {
  const { outcome } = referral;
  if (outcome.status !== "converted") return;
  if (outcome.at < referral.occurredAt) {
    ctx.addIssue({
      code: "custom",
      path: ["outcome", "at"],
      message: "must not be before occurredAt: a referral converts after it was made",
    });
  }
  if (outcome.customerId === referral.referrerId) {
    ctx.addIssue({
      code: "custom",
      path: ["outcome", "customerId"],
      message: "must be another customer than referrerId: a customer cannot refer itself",
    });
  }
});

/** A checked referral. */
export type Referral = z.output<typeof referralSchema>;

/** The request body; its items are checked one by one (referralSchema). */
export const referralBatchSchema = z.strictObject({
  referrals: z.array(z.unknown(), { error: "must be an array of referrals" }).min(
    1,
    "must hold at least one referral",
  ).max(
    MAX_REFERRALS_PER_REQUEST,
    `must hold at most ${MAX_REFERRALS_PER_REQUEST} referrals; send more in several requests`,
  ),
});

/** A field of an item that was refused, and why. */
export interface ItemIssue {
  path: string;
  message: string;
}

/** The answer for one item, in the order of the request. */
export type ReferralAnswer =
  | { index: number; id: string | null; status: "accepted" | "updated" | "duplicate" }
  | { index: number; id: string | null; status: "rejected"; errors: ItemIssue[] };
