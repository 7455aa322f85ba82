/**
 * The pii_keys table: each key id ever configured, with its purpose and check
 * value (never the key). Comparing them at start tells a wrong key (same id,
 * other bytes) and a missing one (an id values may still be under) before any
 * value is read or written with it.
 */
import type { Queryable } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import type { KeyPurpose } from "./data_types.ts";
import type { Keyring } from "./keyring.ts";

/** A registered key, as the database knows it. */
export interface RegisteredKey {
  keyId: string;
  purpose: KeyPurpose;
  checkValue: string;
  /** When an engine first used it: the key's age, for rotation (PII_KEY_ROTATION_DAYS). */
  registeredAt: Date;
  retiredAt: Date | null;
}

/** Every registered key. */
export async function registeredKeys(db: Queryable): Promise<RegisteredKey[]> {
  const rows = await db.query<{
    key_id: string;
    purpose: KeyPurpose;
    check_value: string;
    registered_at: Date;
    retired_at: Date | null;
  }>(
    `select key_id, purpose, check_value, registered_at, retired_at from pii_keys
     order by key_id`,
  );
  return rows.map((r) => ({
    keyId: r.key_id,
    purpose: r.purpose,
    checkValue: r.check_value,
    registeredAt: r.registered_at,
    retiredAt: r.retired_at,
  }));
}

/** Why `keyring` cannot be used with this database: wrong keys first, then missing ones. */
export function keyProblems(keyring: Keyring, registered: readonly RegisteredKey[]): EngineError[] {
  const configured = new Map(keyring.keys().map((k) => [k.id, k]));
  const problems: EngineError[] = [];
  for (const r of registered) {
    const key = configured.get(r.keyId);
    if (key !== undefined && key.check !== r.checkValue) {
      problems.push(
        new EngineError(
          "PII_KEY_WRONG",
          `Encryption key "${r.keyId}" (${r.purpose}) is not the key this database's values ` +
            "were written with (its check value differs): configure the original key under " +
            `that id; a new key needs a new id (deno task keys:generate --add)`,
        ),
      );
    }
  }
  for (const r of registered) {
    if (r.retiredAt === null && !configured.has(r.keyId)) {
      problems.push(
        new EngineError(
          "PII_KEY_MISSING",
          `Encryption key "${r.keyId}" (${r.purpose}) is not configured, but values in the ` +
            "database may be encrypted under it: add it back to PII_KEY_FILE, or, if " +
            "PRIVACY_ENCRYPTION_KEY changed, set the old value as PRIVACY_ENCRYPTION_KEY_PREVIOUS; " +
            "then `deno task keys:rotate` moves the values to the new key and retires the old one",
        ),
      );
    }
  }
  return problems;
}

/**
 * Throws the first key problem, else records the configured keys (new ids
 * registered; an active key un-retired, since values are written under it again).
 */
export async function verifyAndRegisterKeys(db: Queryable, keyring: Keyring): Promise<void> {
  const problem = keyProblems(keyring, await registeredKeys(db))[0];
  if (problem !== undefined) throw problem;
  const keys = keyring.keys();
  await db.query(
    `insert into pii_keys (key_id, purpose, check_value)
     select * from unnest($1::text[], $2::text[], $3::text[])
     on conflict (key_id) do nothing`,
    [keys.map((k) => k.id), keys.map((k) => k.purpose), keys.map((k) => k.check)],
  );
  await db.query("update pii_keys set retired_at = null where key_id = any($1::text[])", [
    keys.filter((k) => k.active).map((k) => k.id),
  ]);
}

/** Marks `keyIds` retired: no stored value is under them any more. */
export async function retireKeys(
  db: Queryable,
  keyIds: readonly string[],
  now: Date,
): Promise<void> {
  if (keyIds.length === 0) return;
  await db.query(
    "update pii_keys set retired_at = $2::timestamptz where key_id = any($1::text[]) and retired_at is null",
    [keyIds, now],
  );
}
