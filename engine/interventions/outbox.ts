/**
 * The outbox: claiming due sends and recording what became of them. A claim
 * takes rows no other worker holds (FOR UPDATE SKIP LOCKED) and leases them;
 * a worker that dies leaves its rows to be claimed again when the lease ends.
 * Recording is one statement per batch of results, their `intervention.sent`
 * and `intervention.failed` events included.
 */
import type { Queryable } from "../db/mod.ts";
import { sealText } from "../privacy/mod.ts";
import { openCustomerRows } from "../signals/mod.ts";
import { LAST_ERROR_FIELD } from "./store.ts";

/** A claimed send with what rendering and the channel need. */
export interface ClaimedSend {
  id: number;
  idempotencyKey: string;
  customerId: string;
  ruleId: string | null;
  ruleVersion: number | null;
  templateId: string;
  channel: string;
  /** This attempt's number, from 1. */
  attempt: number;
  test: boolean;
  customer: {
    name: string;
    vendorType: string;
    plan: string;
    country: string;
    timeZone: string;
    mrr: number;
    signupDate: string;
    attributes: Record<string, unknown>;
  };
}

interface ClaimedRow {
  id: number;
  idempotency_key: string;
  customer_id: string;
  rule_id: string | null;
  rule_version: number | null;
  template_id: string;
  channel: string;
  attempt: number;
  test: boolean;
  name: string;
  vendor_type: string;
  plan: string;
  country: string;
  time_zone: string;
  mrr: number;
  signup_date: string;
  attributes: Record<string, unknown>;
}

/** Claims up to `limit` due sends for `worker` until `now` + `leaseSeconds`. */
export async function claimDueSends(
  db: Queryable,
  options: { worker: string; now: Date; limit: number; leaseSeconds: number },
): Promise<ClaimedSend[]> {
  const rows = await db.query<ClaimedRow>(
    `with due as (
       select o.intervention_id from intervention_outbox o
       where o.state = 'pending' and o.due_at <= $1
         and (o.locked_until is null or o.locked_until < $1)
       order by o.due_at, o.intervention_id
       limit $2
       for update skip locked
     ),
     claimed as (
       update intervention_outbox o
       set locked_by = $3, locked_until = $1::timestamptz + $4 * interval '1 second',
         attempts = o.attempts + 1
       from due where o.intervention_id = due.intervention_id
       returning o.intervention_id, o.attempts
     )
     update success_interventions i set status = 'sending', attempts = i.attempts + 1
     from claimed c, customers cu
     where i.id = c.intervention_id and cu.id = i.customer_id
     returning i.id, i.idempotency_key, i.customer_id, i.rule_id, i.rule_version, i.template_id,
       i.channel, c.attempts as attempt, i.test, cu.name, cu.vendor_type, cu.plan, cu.country,
       cu.time_zone, cu.mrr::float8 as mrr, cu.signup_date::text as signup_date, cu.attributes`,
    [options.now, options.limit, options.worker, options.leaseSeconds],
  );
  // Decrypted after the claim, outside the statement: the rows are the batch's, once.
  return (await openCustomerRows(rows)).map((row) => ({
    id: row.id,
    idempotencyKey: row.idempotency_key,
    customerId: row.customer_id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    templateId: row.template_id,
    channel: row.channel,
    attempt: row.attempt,
    test: row.test,
    customer: {
      name: row.name,
      vendorType: row.vendor_type,
      plan: row.plan,
      country: row.country,
      timeZone: row.time_zone,
      mrr: row.mrr,
      signupDate: row.signup_date,
      attributes: row.attributes,
    },
  }));
}

/** What became of one claimed send. */
export type SendResult =
  | { id: number; outcome: "sent" | "delivered"; providerMessageId: string | null }
  /** Failed; try again at `retryAt`. */
  | { id: number; outcome: "retry"; error: string; retryAt: Date }
  /** Failed for good (attempts used up, or a failure retrying cannot fix). */
  | { id: number; outcome: "dead"; error: string };

/**
 * Records a batch of results in one statement: the interventions, the outbox,
 * and an event for each send a channel accepted (`intervention.sent`) or that
 * failed for good (`intervention.failed`); a failure that will be retried is
 * no event. Test sends are none either: like reports and policies, plugins
 * see only real interventions.
 */
export async function recordSendResults(
  db: Queryable,
  results: readonly SendResult[],
  options: { now: Date },
): Promise<void> {
  if (results.length === 0) return;
  // The whole error is kept encrypted: SMTP replies quote the recipient's address.
  const rows = await Promise.all(results.map(async (r) => ({
    id: r.id,
    outcome: r.outcome,
    provider_message_id: "providerMessageId" in r ? r.providerMessageId : null,
    error: await sealText("text", LAST_ERROR_FIELD, "error" in r ? r.error : null),
    retry_at: r.outcome === "retry" ? r.retryAt.toISOString() : null,
    event_error: r.outcome === "dead" ? withoutPersonalData(r.error) : null,
  })));
  await db.query(
    `with results as (
       select * from json_to_recordset($1::json) as r(id bigint, outcome text,
         provider_message_id text, error text, retry_at timestamptz, event_error text)
     ),
     interventions as (
       update success_interventions i set
         status = case r.outcome when 'retry' then 'failed' else r.outcome end,
         sent_at = case when r.outcome in ('sent', 'delivered') then $2 else i.sent_at end,
         delivered_at = case when r.outcome = 'delivered' then $2 else i.delivered_at end,
         provider_message_id = coalesce(r.provider_message_id, i.provider_message_id),
         last_error = r.error
       from results r where i.id = r.id
       returning i.id, i.customer_id, i.channel, i.attempts, i.test, r.outcome,
         r.provider_message_id, r.event_error
     ),
     events as (
       insert into event_log (type, customer_id, payload, occurred_at)
       select case when outcome = 'dead' then 'intervention.failed' else 'intervention.sent' end,
         customer_id,
         case when outcome = 'dead'
           then jsonb_build_object('interventionId', id, 'channel', channel,
             'error', event_error, 'attempts', attempts)
           else jsonb_build_object('interventionId', id, 'channel', channel, 'status', outcome,
             'providerMessageId', provider_message_id, 'attempt', attempts) end,
         $2
       from interventions where outcome <> 'retry' and not test
       order by id
     ),
     sent as (
       delete from intervention_outbox o using results r
       where o.intervention_id = r.id and r.outcome in ('sent', 'delivered')
     )
     update intervention_outbox o set
       state = case when r.outcome = 'dead' then 'dead' else 'pending' end,
       due_at = coalesce(r.retry_at, o.due_at), locked_by = null, locked_until = null
     from results r
     -- The CTEs above run whether or not this reads them (PostgreSQL runs every
     -- data-modifying WITH exactly once).
     where o.intervention_id = r.id and r.outcome in ('retry', 'dead')`,
    [rows, options.now],
  );
}

// Event payloads go to plugins, outside the operators' view: addresses (SMTP
// replies quote the recipient) and URLs (a path or query can carry a token or
// a customer's data) are masked, and the text is cut short. The whole text
// stays in success_interventions.last_error, encrypted. A URL stops before the
// punctuation of the sentence around it; an address takes the angle brackets
// SMTP puts around it, so "<jane@example.com>" becomes "<email>".
const URL_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"')]*[^\s<>"').,:;!?]/gi;
const EMAIL_TEXT = /<?[^\s<>()[\]"',;:@]+@[^\s<>()[\]"',;:@]+\.[^\s<>()[\]"',;:@]+>?/g;
const EVENT_ERROR_LENGTH = 300;

/** A failure's text as an event may carry it. */
export function withoutPersonalData(error: string): string {
  const masked = error.replace(URL_TEXT, "<url>").replace(EMAIL_TEXT, "<email>");
  // Cut by code points: half a surrogate pair is JSON PostgreSQL refuses.
  const chars = Array.from(masked);
  return chars.length > EVENT_ERROR_LENGTH
    ? `${chars.slice(0, EVENT_ERROR_LENGTH).join("")}…`
    : masked;
}
