/**
 * `deno task keys:rotate`: rewrites every personal value that is not under
 * the active key of its type (and plaintext from before encryption) in
 * batches, while engines keep running. Each batch is one read and one
 * update, so no lock is held while values are re-encrypted. Values carry
 * their key id, so an interrupted run resumes by running again. When no
 * value is left under an old key, the old keys are retired: they may then be
 * removed from the configuration.
 */
import type { Db } from "../../db/mod.ts";
import { piiKeyring } from "./active_keyring.ts";
import { PII_TYPES } from "./data_types.ts";
import { registeredKeys, retireKeys } from "./key_registry.ts";
import { batchSql, countSql, updateSql } from "./rotation_sql.ts";
import { ROTATION_TARGETS, type RotationTarget } from "./rotation_targets.ts";
import { blindIndex, openEntries, openText, sealEntries, sealText } from "./sealing.ts";

/** How far one table is. */
export interface TableProgress {
  table: string;
  /** Rows rewritten so far by this run. */
  done: number;
  /** Rows that had something to rewrite when the run reached the table. */
  total: number;
}

/** What a run did. */
export interface RotationReport {
  tables: TableProgress[];
  /** False when stopped by maxBatches: run again to continue. */
  complete: boolean;
  /** Rows still holding a value under an old key or in plaintext (when complete: written meanwhile). */
  remaining: number;
  /** Old key ids this run retired: no value is under them, so they may be removed from the config. */
  retired: string[];
}

/** Options of a run. */
export interface RotationOptions {
  batchSize: number;
  /** Stop after this many batches in all (a short run; the next run continues). */
  maxBatches?: number;
  now: Date;
  onProgress?: (progress: TableProgress) => void;
}

/** Rotates every target; see the module comment. */
export async function rotateKeys(db: Db, options: RotationOptions): Promise<RotationReport> {
  const keyring = piiKeyring();
  const active = PII_TYPES.map((t) => keyring.activeKeyId(t));
  const indexId = keyring.activeKeyId("index");
  const tables: TableProgress[] = [];
  let batches = 0;
  let complete = true;
  for (const target of ROTATION_TARGETS) {
    const [count] = await db.query<{ n: number }>(countSql(target), [active, indexId]);
    const progress: TableProgress = { table: target.table, done: 0, total: count?.n ?? 0 };
    tables.push(progress);
    options.onProgress?.({ ...progress });
    let after: string[] | null = null;
    while (progress.total > 0) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) {
        complete = false;
        break;
      }
      const rows: Record<string, unknown>[] = await db.query<Record<string, unknown>>(
        batchSql(target, after === null),
        [active, indexId, ...(after ?? []), options.batchSize],
      );
      if (rows.length === 0) break;
      batches++;
      const updates = await Promise.all(rows.map((row) => resealRow(target, row)));
      const written = await db.query(updateSql(target), [updates]);
      progress.done += written.length;
      options.onProgress?.({ ...progress });
      const last = rows.at(-1)!;
      after = target.key.map((_, i) => String(last[`k${i}`]));
    }
    if (!complete) break;
  }
  let remaining = 0;
  for (const target of ROTATION_TARGETS) {
    const [count] = await db.query<{ n: number }>(countSql(target), [active, indexId]);
    remaining += count?.n ?? 0;
  }
  const retired = complete && remaining === 0
    ? (await registeredKeys(db)).filter((k) =>
      k.retiredAt === null && ![...active, indexId].includes(k.keyId)
    ).map((k) => k.keyId)
    : [];
  await retireKeys(db, retired, options.now);
  return { tables, complete, remaining, retired };
}

/** The row's sealed columns decrypted and encrypted again under the active keys. */
async function resealRow(
  target: RotationTarget,
  row: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  target.key.forEach((_, i) => (out[`k${i}`] = row[`k${i}`]));
  const opened: Record<string, Record<string, unknown>> = {};
  await Promise.all(target.columns.map(async (c) => {
    const old = row[c.column];
    out[`old_${c.column}`] = old;
    if (c.kind === "text") {
      out[c.column] = typeof old === "string"
        ? await sealText(c.type, c.field, await openText(c.field, old))
        : old;
      return;
    }
    const plain = await openEntries(old as Record<string, unknown>, c.field);
    opened[c.column] = plain;
    out[c.column] = await sealEntries(plain, c.field, c.typeOf);
  }));
  if (target.emailIndex) {
    const { column, entries, attribute } = target.emailIndex;
    const email = opened[entries]?.[attribute];
    out[`old_${column}`] = row[column];
    out[column] = typeof email === "string" && email.trim() !== ""
      ? await blindIndex("email", email)
      : null;
  }
  return out;
}
