/**
 * Remembered answers (`offline_push_receipts`), one per idempotency key. A
 * push claims its keys first, in its transaction: a key being answered by
 * another push at the same moment makes this one wait for it, then read its
 * answer, so a key is applied once however many pushes race.
 */
import { PREPARED, type Queryable } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { openAnswer, sealAnswer } from "./answer_sealing.ts";
import type { FinalAnswer, OriginalAnswer } from "./answers.ts";

/** A key to claim, with the hash of its item. */
export interface Claim {
  key: string;
  fingerprint: string;
}

/** A remembered answer to a key. */
export interface Receipt {
  key: string;
  caller: string;
  fingerprint: string;
  answer: OriginalAnswer;
}

/**
 * Claims the keys not claimed before, for `caller`; returns those it got.
 * In key order, so two pushes sharing keys wait for each other instead of
 * deadlocking.
 */
export async function claimKeys(
  tx: Queryable,
  claims: readonly Claim[],
  by: { caller: string; clientId: string; now: Date },
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const rows = await tx.query<{ key: string }>(
    `insert into offline_push_receipts (key, caller, client_id, fingerprint, received_at)
     select k, $3, $4, f, $5 from unnest($1::text[], $2::text[]) as c(k, f)
     order by k collate "C"
     on conflict (key) do nothing
     returning key`,
    [claims.map((c) => c.key), claims.map((c) => c.fingerprint), by.caller, by.clientId, by.now],
    PREPARED,
  );
  return new Set(rows.map((r) => r.key));
}

/** The remembered answers to `keys`. */
export async function readReceipts(
  tx: Queryable,
  keys: readonly string[],
): Promise<Map<string, Receipt>> {
  if (keys.length === 0) return new Map();
  const rows = await tx.query<{
    key: string;
    caller: string;
    fingerprint: string;
    answer: Record<string, unknown> | null;
    received_at: Date;
  }>(
    `select key, caller, fingerprint, answer, received_at from offline_push_receipts
     where key = any($1::text[])`,
    [keys],
  );
  return new Map(
    await Promise.all(rows.map(async (r): Promise<[string, Receipt]> => {
      // A claim and its answer are written in one transaction: a committed row has both.
      if (r.answer === null) {
        throw new EngineError("INTERNAL", `The answer to key "${r.key}" was never stored`);
      }
      return [r.key, {
        key: r.key,
        caller: r.caller,
        fingerprint: r.fingerprint,
        answer: { ...await openAnswer(r.answer), answeredAt: r.received_at.toISOString() },
      }];
    })),
  );
}

/** An answer to remember under a claimed key. */
export interface AnswerToKeep {
  key: string;
  answer: FinalAnswer;
  customerId: string | null;
  at: Date | null;
}

/** Stores the answers to claimed keys, in one statement. */
export async function keepAnswers(tx: Queryable, answers: readonly AnswerToKeep[]): Promise<void> {
  if (answers.length === 0) return;
  await tx.query(
    `update offline_push_receipts r
     set answer = a.answer, customer_id = a.customer_id, client_at = a.client_at
     from json_to_recordset($1::json) as a(key text, answer jsonb, customer_id text, client_at timestamptz)
     where r.key = a.key`,
    [
      await Promise.all(answers.map(async (a) => ({
        key: a.key,
        answer: await sealAnswer(a.answer),
        customer_id: a.customerId,
        client_at: a.at?.toISOString() ?? null,
      }))),
    ],
  );
}
