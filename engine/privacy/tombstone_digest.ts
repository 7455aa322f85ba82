/**
 * The digest that stands for an erased customer: in tombstones, in privacy
 * requests after a deletion, in the audit entry and the `customer.erased`
 * event. One function, so it can become the field encryption's keyed blind
 * index later without touching its callers (docs/privacy.md).
 */
import { sha256Hex } from "../hash.ts";

/** What a digest is of: a customer id or an external id (the same text must not collide). */
export type DigestKind = "customer_id" | "external_id";

/** SHA-256 (hex) of `value`, separated by kind. */
export function personDigest(kind: DigestKind, value: string): Promise<string> {
  return sha256Hex(`cs-engine:${kind}:${value}`);
}
