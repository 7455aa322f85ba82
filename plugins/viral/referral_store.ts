/**
 * The viral_referrals table (migrations/0019_viral_referrals.sql): reading a
 * batch's referrals under the table's write lock, writing a batch's changes
 * in one statement, and listing a referrer's referrals.
 */
import type { Queryable } from "../../engine/db/mod.ts";
import type { StoredReferral } from "./referral_decisions.ts";
import type { Referral } from "./referral_schema.ts";

interface ReferralRow {
  id: string;
  referrer_id: string;
  kind: Referral["kind"];
  occurred_at: string;
  status: Referral["outcome"]["status"];
  converted_customer_id: string | null;
  converted_at: string | null;
}

/**
 * Takes the table's write lock for the rest of the transaction, then reads,
 * in one round trip, which referrers exist and the referrals already stored.
 * Batches decide against what they read, so two of them must not interleave
 * (both would accept the same new id); the lock lets readers (facts, lists)
 * through, and batches are few and short.
 */
export async function readForBatch(
  tx: Queryable,
  ids: readonly string[],
  referrerIds: readonly string[],
): Promise<{ known: Set<string>; stored: Map<string, StoredReferral> }> {
  await tx.query("lock table viral_referrals in share row exclusive mode");
  const [row] = await tx.query<{ known: string[] | null; stored: ReferralRow[] | null }>(
    `select
       (select array_agg(id) from customers where id = any($2::text[])) as known,
       (select json_agg(json_build_object('id', r.id, 'referrer_id', r.referrer_id,
          'kind', r.kind, 'occurred_at', r.occurred_at, 'status', r.status,
          'converted_customer_id', r.converted_customer_id, 'converted_at', r.converted_at))
        from viral_referrals r where r.id = any($1::text[])) as stored`,
    [ids, referrerIds],
  );
  return {
    known: new Set(row?.known ?? []),
    stored: new Map((row?.stored ?? []).map((r) => [r.id, referralOf(r)])),
  };
}

/** Inserts new referrals and moves the outcome of stored ones forward, in one statement. */
export async function writeReferrals(
  tx: Queryable,
  referrals: readonly StoredReferral[],
  recordedBy: string,
): Promise<void> {
  if (referrals.length === 0) return;
  await tx.query(
    `insert into viral_referrals (id, referrer_id, kind, occurred_at, status,
       converted_customer_id, converted_at, recorded_by)
     select id, referrer_id, kind, occurred_at, status, converted_customer_id, converted_at, $2
     from json_to_recordset($1::json) as r(id text, referrer_id text, kind text,
       occurred_at timestamptz, status text, converted_customer_id text, converted_at timestamptz)
     on conflict (id) do update set status = excluded.status,
       converted_customer_id = excluded.converted_customer_id,
       converted_at = excluded.converted_at, updated_at = now()`,
    [referrals.map(rowOf), recordedBy],
  );
}

/** A referral as the API shows it. */
export interface ListedReferral {
  id: string;
  referrerId: string;
  kind: Referral["kind"];
  occurredAt: string;
  outcome:
    | { status: "pending" | "declined" }
    | { status: "converted"; customerId: string; at: string };
  recordedAt: string;
  recordedBy: string;
}

/**
 * The referrals `referrerId` made, newest first, at most `limit`; null when
 * no customer has that id.
 */
export async function listReferrals(
  db: Queryable,
  referrerId: string,
  limit: number,
): Promise<ListedReferral[] | null> {
  const [row] = await db.query<{ known: boolean; items: ListedReferral[] }>(
    `select exists (select 1 from customers where id = $1) as known,
       coalesce((select json_agg(json_build_object('id', id, 'referrerId', referrer_id,
         'kind', kind, 'occurredAt', to_char(occurred_at at time zone 'UTC', $3),
         'outcome', case when status = 'converted' then json_build_object('status', status,
           'customerId', converted_customer_id,
           'at', to_char(converted_at at time zone 'UTC', $3))
           else json_build_object('status', status) end,
         'recordedAt', to_char(recorded_at at time zone 'UTC', $3), 'recordedBy', recorded_by)
         order by occurred_at desc, id desc)
       from (select * from viral_referrals where referrer_id = $1
             order by occurred_at desc, id desc limit $2) r), '[]') as items`,
    [referrerId, limit, ISO_UTC],
  );
  return row?.known ? row.items : null;
}

// ISO 8601 in UTC with milliseconds, as Date#toISOString writes it.
const ISO_UTC = `YYYY-MM-DD"T"HH24:MI:SS.MS"Z"`;

function referralOf(row: ReferralRow): StoredReferral {
  const base = {
    id: row.id,
    referrerId: row.referrer_id,
    kind: row.kind,
    occurredAt: new Date(row.occurred_at),
  };
  if (row.status === "converted") {
    return {
      ...base,
      outcome: {
        status: "converted",
        customerId: row.converted_customer_id!,
        at: new Date(row.converted_at!),
      },
    };
  }
  return { ...base, outcome: { status: row.status } };
}

function rowOf(referral: StoredReferral): ReferralRow {
  const { outcome } = referral;
  const converted = outcome.status === "converted" ? outcome : null;
  return {
    id: referral.id,
    referrer_id: referral.referrerId,
    kind: referral.kind,
    occurred_at: referral.occurredAt.toISOString(),
    status: outcome.status,
    converted_customer_id: converted?.customerId ?? null,
    converted_at: converted?.at.toISOString() ?? null,
  };
}
