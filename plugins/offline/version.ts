/**
 * A customer's version: the ETag that GET /api/v1/customers/{id} sends (a
 * hash of the customer as the API shows it), so a client can take its base
 * version from either the feed or the API. A change is in conflict exactly
 * when what the server holds differs from what the client last saw.
 */
import type { Customer } from "../../engine/signals/mod.ts";
import { canonicalJson, sha256Hex } from "../../engine/hash.ts";

/** The version of `customer`, as a quoted strong ETag: `"3f9c…"`. */
export async function customerVersion(customer: Customer): Promise<string> {
  // The API's ETag formula (engine/api/etag.ts); a test pins that the two agree.
  return `"${(await sha256Hex(canonicalJson(customer))).slice(0, 32)}"`;
}

/** Whether a version a client sent names `current` (quotes and a weak prefix are ignored). */
export function sameVersion(sent: string, current: string): boolean {
  return bare(sent) === bare(current);
}

function bare(version: string): string {
  return version.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}
