/**
 * Unsubscribing: each message carries a signed link for its customer and
 * channel (email sends it as List-Unsubscribe too). Following it records the
 * unsubscription; from then on the planner suppresses that channel for that
 * customer with the reason `unsubscribed`.
 */
import type { Queryable } from "../db/mod.ts";
import type { LinkSigner } from "./links.ts";

/** The unsubscribe link of a customer and channel. */
export async function unsubscribeUrl(
  signer: LinkSigner,
  publicUrl: string,
  target: { customerId: string; channel: string },
): Promise<string> {
  const token = await signer.sign({ u: "unsubscribe", c: target.customerId, ch: target.channel });
  return `${publicUrl.replace(/\/$/, "")}/unsubscribe/${token}`;
}

/** The customer and channel of an unsubscribe token, or null when it is not one of ours. */
export async function readUnsubscribeToken(
  signer: LinkSigner,
  token: string,
): Promise<{ customerId: string; channel: string } | null> {
  const payload = await signer.verify(token);
  if (payload?.u !== "unsubscribe" || !payload.c || !payload.ch) return null;
  return { customerId: payload.c, channel: payload.ch };
}

/** Records that the customer unsubscribed from the channel (again is harmless). */
export async function unsubscribe(
  db: Queryable,
  target: { customerId: string; channel: string },
  options: { now: Date; source: string },
): Promise<void> {
  await db.query(
    `insert into channel_unsubscribes (customer_id, channel, unsubscribed_at, source)
     select id, $2, $3, $4 from customers where id = $1
     on conflict (customer_id, channel) do nothing`,
    [target.customerId, target.channel, options.now, options.source],
  );
}
