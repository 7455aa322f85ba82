/** Loading the keys at start: read, check against the database, install for the process. */
import type { Queryable } from "../../db/mod.ts";
import { type EngineError, isEngineError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { installKeyring } from "./active_keyring.ts";
import { keyProblems, registeredKeys, verifyAndRegisterKeys } from "./key_registry.ts";
import { type KeyConfig, type KeySource, loadKeyMaterial } from "./key_sources.ts";
import { Keyring } from "./keyring.ts";

/**
 * Reads the configured keys, refuses wrong or missing ones (PII_KEY_WRONG,
 * PII_KEY_MISSING, PII_KEYS_INVALID, each naming the key and what to do) and
 * installs them. Runs after migrations, before anything reads customers.
 */
export async function openKeyring(
  db: Queryable,
  config: KeyConfig,
  options: { now: Date; log: Logger },
): Promise<{ keyring: Keyring; source: KeySource }> {
  // A new local key file only for a database that has never had keys: one made for a
  // database with encrypted values would hide that the real file is lost.
  const mayCreateLocal = (await registeredKeys(db)).length === 0;
  const { material, source } = await loadKeyMaterial(config, { now: options.now, mayCreateLocal });
  const keyring = await Keyring.create(material);
  await verifyAndRegisterKeys(db, keyring);
  installKeyring(keyring, source);
  if (source.created) {
    options.log.warn(
      `Made the encryption key file ${source.path} for the embedded database: back it up ` +
        "with the data folder but apart from it; without it, personal data cannot be read",
    );
  }
  return { keyring, source };
}

/**
 * For commands that only read (validate): installs the configured keys when
 * they load and match the database, registering nothing; else installs none
 * and returns the reason, for the command to report.
 */
export async function openKeyringReadOnly(
  db: Queryable,
  config: KeyConfig,
  options: { now: Date },
): Promise<{ installed: true } | { installed: false; problem: EngineError }> {
  try {
    const { material, source } = await loadKeyMaterial(config, {
      ...options,
      mayCreateLocal: false,
    });
    const keyring = await Keyring.create(material);
    const problem = keyProblems(keyring, await registeredKeys(db))[0];
    if (problem !== undefined) return { installed: false, problem };
    installKeyring(keyring, source);
    return { installed: true };
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return { installed: false, problem: error };
  }
}
