/**
 * The answer to each pushed item. Every answer but `duplicate` is final and
 * remembered under the item's key: pushing the key again (a retry after a
 * lost response) gives `duplicate` with that original answer, and changes
 * nothing. A client resolves a conflict or fixes a rejected item with a new
 * item, under a new key.
 */
import type { FieldIssue } from "../../engine/errors.ts";
import type { Customer } from "../../engine/signals/mod.ts";

/** A customer and its version, as a change left it or as the server holds it. */
export interface VersionedCustomer {
  /** Send it as `baseVersion` with the next change of this customer. */
  version: string;
  customer: Customer;
}

/** What a key was answered the first time; remembered. */
export type FinalAnswer =
  /** A usage event, stored with its time on the server's clock. */
  | { status: "accepted"; kind: "usage"; occurredAt: string }
  /** A customer change, applied: the customer as the batch left it. */
  | { status: "accepted"; kind: "customer"; current: VersionedCustomer }
  /**
   * The customer changed since `baseVersion`: nothing applied. `current` is
   * what the server holds once the batch is done; merge the change into it
   * and push it again under a new key with `current.version` as its base.
   */
  | { status: "conflict"; kind: "customer"; message: string; current: VersionedCustomer }
  /**
   * The item cannot be applied as it is: each bad field's path and why;
   * `code` CUSTOMER_ERASED when its customer was erased by a privacy request
   * (drop the item: pushing it again cannot succeed).
   */
  | { status: "rejected"; errors: FieldIssue[]; code?: "CUSTOMER_ERASED" }
  /** A usage event whose id was stored before, not by a push (POST /api/v1/events, an import). */
  | { status: "duplicate"; message: string; original: null };

/** A remembered answer, with when it was given. */
export type OriginalAnswer = FinalAnswer & { answeredAt: string };

/** The answer to one item of a push. */
export type ItemAnswer =
  | FinalAnswer
  /** The key was answered before (in an earlier push, or earlier in this one): its answer. */
  | { status: "duplicate"; message: string; original: OriginalAnswer | null };

/** An answer as the response lists it: the item's place in the batch and its key. */
export type ListedAnswer = ItemAnswer & { index: number; key: string | null };

/** The answer for a key answered before: `original`, unless that was a duplicate already. */
export function duplicateOf(original: OriginalAnswer): ItemAnswer {
  if (original.status === "duplicate") return original;
  return {
    status: "duplicate",
    message: `This key was answered ${original.status} at ${original.answeredAt}; nothing was ` +
      "changed again",
    original,
  };
}

/** A rejection of item `index` for one reason. */
export function rejected(path: string, message: string): FinalAnswer {
  return { status: "rejected", errors: [{ path, message }] };
}
