/**
 * What a batch of referrals does to what is stored, decided item by item in
 * request order, as if each item were sent alone: a new id is accepted; the
 * same referral again is a duplicate; a later outcome (pending → converted
 * or declined, declined → converted) updates it; an id reused for another
 * referral, or a conversion that changes, is rejected. Pure: the caller
 * reads the stored referrals first and writes `changed` afterwards.
 */
import type { ItemIssue, Referral, ReferralAnswer } from "./referral_schema.ts";

/** A referral as stored: its current state. */
export type StoredReferral = Pick<
  Referral,
  "id" | "referrerId" | "kind" | "occurredAt" | "outcome"
>;

/** What a batch changes, and what to answer for each of its checked items. */
export interface ReferralDecisions {
  answers: ReferralAnswer[];
  /** The new state of each referral the batch adds or changes, by id. */
  changed: Map<string, StoredReferral>;
  /** Ids of the referrals that became converted in this batch. */
  converted: Set<string>;
}

/** Decides each of `items` (checked, with their place in the request) against `stored`. */
export function decideReferrals(
  items: ReadonlyArray<{ index: number; referral: Referral }>,
  stored: ReadonlyMap<string, StoredReferral>,
  knownCustomers: ReadonlySet<string>,
): ReferralDecisions {
  const state = new Map(stored);
  const decisions: ReferralDecisions = { answers: [], changed: new Map(), converted: new Set() };
  for (const { index, referral } of items) {
    const at = (field: string) => `referrals[${index}].${field}`;
    const reject = (errors: ItemIssue[]) =>
      decisions.answers.push({ index, id: referral.id, status: "rejected", errors });
    if (!knownCustomers.has(referral.referrerId)) {
      reject([{
        path: at("referrerId"),
        message: `no customer "${referral.referrerId}": create the customer first ` +
          "(PUT /api/v1/customers/{id}), then send the referral again",
      }]);
      continue;
    }
    const current = state.get(referral.id);
    if (current === undefined) {
      keep(decisions, state, referral);
      decisions.answers.push({ index, id: referral.id, status: "accepted" });
      continue;
    }
    const mismatch = mismatchOf(current, referral);
    if (mismatch !== null) {
      reject([{
        path: at(mismatch.field),
        message: `the referral "${referral.id}" was recorded with ${mismatch.field} ` +
          `${mismatch.stored}: an id names one referral; give this one its own id`,
      }]);
      continue;
    }
    const step = transition(current.outcome, referral.outcome);
    if (step === "conflict") {
      const stored = current.outcome as Extract<Referral["outcome"], { status: "converted" }>;
      reject([{
        path: at("outcome"),
        message: `the referral "${referral.id}" converted to "${stored.customerId}" at ` +
          `${stored.at.toISOString()} already; a conversion does not change`,
      }]);
      continue;
    }
    if (step === "update") keep(decisions, state, referral);
    decisions.answers.push({
      index,
      id: referral.id,
      status: step === "update" ? "updated" : "duplicate",
    });
  }
  return decisions;
}

function keep(decisions: ReferralDecisions, state: Map<string, StoredReferral>, r: Referral) {
  const next: StoredReferral = {
    id: r.id,
    referrerId: r.referrerId,
    kind: r.kind,
    occurredAt: r.occurredAt,
    outcome: r.outcome,
  };
  state.set(r.id, next);
  decisions.changed.set(r.id, next);
  if (r.outcome.status === "converted") decisions.converted.add(r.id);
}

function mismatchOf(
  current: StoredReferral,
  referral: Referral,
): { field: string; stored: string } | null {
  if (current.referrerId !== referral.referrerId) {
    return { field: "referrerId", stored: `"${current.referrerId}"` };
  }
  if (current.kind !== referral.kind) return { field: "kind", stored: current.kind };
  if (current.occurredAt.getTime() !== referral.occurredAt.getTime()) {
    return { field: "occurredAt", stored: current.occurredAt.toISOString() };
  }
  return null;
}

/**
 * Outcomes only move forward: pending → declined → converted. An older
 * outcome sent again (a retried report) changes nothing.
 */
function transition(
  current: Referral["outcome"],
  next: Referral["outcome"],
): "update" | "same" | "conflict" {
  if (current.status === "converted") {
    if (next.status !== "converted") return "same";
    const same = next.customerId === current.customerId &&
      next.at.getTime() === current.at.getTime();
    return same ? "same" : "conflict";
  }
  const rank = { pending: 0, declined: 1, converted: 2 } as const;
  return rank[next.status] > rank[current.status] ? "update" : "same";
}
