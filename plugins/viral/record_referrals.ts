/**
 * Recording a batch of referrals: each item checked on its own (shape, time,
 * referrer), decided against what is stored, written in one transaction
 * with the health boosts of the referrals that became customers.
 */
import { DAY_MS } from "../../engine/clock.ts";
import type { Db } from "../../engine/db/mod.ts";
import { grantHealthBoosts, type HealthBoost } from "../../engine/health/mod.ts";
import { zodIssues } from "../../engine/validation.ts";
import { decideReferrals, type StoredReferral } from "./referral_decisions.ts";
import { type Referral, type ReferralAnswer, referralSchema } from "./referral_schema.ts";
import { readForBatch, writeReferrals } from "./referral_store.ts";

/** Days a converted referral counts: in viral_coefficient, and as its referrer's health boost. */
export const CONVERSION_WINDOW_DAYS = 90;

/** How far ahead of the engine's clock a referral's times may be (clocks differ a little). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** What recording a batch needs besides the items. */
export interface RecordOptions {
  /** Who sends the batch (the API caller), kept with each new referral. */
  actor: string;
  now: Date;
  /** Health points per converted referral; 0 grants none. */
  boostPoints: number;
}

/** The answer to a batch: counts, and one answer per item in request order. */
export interface RecordResult {
  accepted: number;
  updated: number;
  duplicates: number;
  rejected: number;
  results: ReferralAnswer[];
}

/** Records `items` (the request's `referrals`) and answers each one. */
export async function recordReferrals(
  db: Db,
  items: readonly unknown[],
  options: RecordOptions,
): Promise<RecordResult> {
  const answers: ReferralAnswer[] = [];
  const checked: Array<{ index: number; referral: Referral }> = [];
  items.forEach((item, index) => {
    const parsed = referralSchema.safeParse(item);
    if (!parsed.success) {
      const errors = zodIssues(parsed.error, ["referrals", index]);
      answers.push({ index, id: idOf(item), status: "rejected", errors });
      return;
    }
    const late = futureProblem(parsed.data, index, options.now);
    if (late) answers.push({ index, id: parsed.data.id, status: "rejected", errors: [late] });
    else checked.push({ index, referral: parsed.data });
  });
  if (checked.length > 0) {
    answers.push(
      ...await db.transaction(async (tx) => {
        const { known, stored } = await readForBatch(
          tx,
          checked.map((c) => c.referral.id),
          checked.map((c) => c.referral.referrerId),
        );
        const decisions = decideReferrals(checked, stored, known);
        await writeReferrals(tx, [...decisions.changed.values()], options.actor);
        const converted = [...decisions.converted].map((id) => decisions.changed.get(id)!);
        if (options.boostPoints > 0) {
          await grantHealthBoosts(tx, converted.map((r) => boostOf(r, options.boostPoints)));
        }
        return decisions.answers;
      }),
    );
  }
  answers.sort((a, b) => a.index - b.index);
  const count = (status: ReferralAnswer["status"]) =>
    answers.filter((a) => a.status === status).length;
  return {
    accepted: count("accepted"),
    updated: count("updated"),
    duplicates: count("duplicate"),
    rejected: count("rejected"),
    results: answers,
  };
}

/** The referrer's boost for a converted referral: `points` for 90 days from the conversion. */
function boostOf(referral: StoredReferral, points: number): HealthBoost {
  const outcome = referral.outcome as Extract<Referral["outcome"], { status: "converted" }>;
  return {
    source: "viral",
    key: referral.id,
    customerId: referral.referrerId,
    points,
    reason: `Referred "${outcome.customerId}" (${referral.kind}), a customer since ` +
      outcome.at.toISOString().slice(0, 10),
    validFrom: outcome.at,
    validUntil: new Date(outcome.at.getTime() + CONVERSION_WINDOW_DAYS * DAY_MS),
  };
}

function futureProblem(referral: Referral, index: number, now: Date) {
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  const times: Array<[string, Date]> = [["occurredAt", referral.occurredAt]];
  if (referral.outcome.status === "converted") times.push(["outcome.at", referral.outcome.at]);
  const late = times.find(([, time]) => time.getTime() > latest);
  return late
    ? {
      path: `referrals[${index}].${late[0]}`,
      message: `${late[1].toISOString()} is in the future (more than 5 minutes ahead of the ` +
        "engine's clock); send what has happened",
    }
    : null;
}

/** The id of an item that failed its check, if it has one to show. */
function idOf(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id.slice(0, 128) : null;
}
