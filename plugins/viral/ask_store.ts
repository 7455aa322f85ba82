/**
 * The viral_asks table: a referral ask is claimed before it is posted and
 * marked sent after, so an event delivered twice, or retried after a failed
 * post, finds its ask instead of making another one.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import { openText } from "../../engine/privacy/mod.ts";
import { CUSTOMER_FIELDS } from "../../engine/signals/mod.ts";

/** A health change that crossed minScore, as the handler read it. */
export interface AskCandidate {
  customerId: string;
  /** The scoring time of the health.changed: one ask per customer and scoring. */
  scoredAt: Date;
  eventId: number;
  score: number;
  previousScore: number | null;
}

/** A claimed ask, with what the post says about its customer. */
export interface ClaimedAsk {
  id: number;
  /** When the endpoint took it; null while it is still to post. */
  sentAt: Date | null;
  customer: { id: string; name: string; vendorType: string };
}

/**
 * Claims the ask for `candidate`, or finds the one claimed before; null when
 * there must be none: the customer does not exist, churned by the scoring
 * time, or was sent another ask within `cooldownDays` of it (either side, so
 * a replayed older event respects a newer ask too). One statement.
 */
export async function claimAsk(
  db: Queryable,
  candidate: AskCandidate,
  cooldownDays: number,
): Promise<ClaimedAsk | null> {
  const [row] = await db.query<{
    id: number;
    sent_at: Date | null;
    name: string;
    vendor_type: string;
  }>(
    `with customer as (
       select id, name, vendor_type from customers
       where id = $1 and (churned_at is null or churned_at > $2::timestamptz)
     ),
     claimed as (
       insert into viral_asks (customer_id, asked_at, event_id, score, previous_score)
       select id, $2, $3, $4, $5 from customer
       where not exists (
         select 1 from viral_asks a
         where a.customer_id = $1 and a.sent_at is not null and a.asked_at <> $2::timestamptz
           and a.asked_at > $2::timestamptz - $6 * interval '1 day'
           and a.asked_at < $2::timestamptz + $6 * interval '1 day'
       )
       -- A second delivery updates nothing, but returns the ask it claimed.
       on conflict (customer_id, asked_at) do update set event_id = viral_asks.event_id
       returning id, sent_at
     )
     select k.id, k.sent_at, c.name, c.vendor_type from claimed k cross join customer c`,
    [
      candidate.customerId,
      candidate.scoredAt,
      candidate.eventId,
      candidate.score,
      candidate.previousScore,
      cooldownDays,
    ],
  );
  if (!row) return null;
  return {
    id: Number(row.id),
    sentAt: row.sent_at,
    customer: {
      id: candidate.customerId,
      name: await openText(CUSTOMER_FIELDS.name, row.name),
      vendorType: row.vendor_type,
    },
  };
}

/** Records that the endpoint took the ask. */
export async function markAskSent(db: Queryable, askId: number, sentAt: Date): Promise<void> {
  await db.query("update viral_asks set sent_at = $2 where id = $1 and sent_at is null", [
    askId,
    sentAt,
  ]);
}
