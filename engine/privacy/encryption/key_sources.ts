/**
 * Where the keys come from, in this order: the key file PII_KEY_FILE; else
 * PRIVACY_ENCRYPTION_KEY (with PRIVACY_ENCRYPTION_KEY_PREVIOUS while
 * rotating), from which one key per purpose is derived with HKDF; else, on the
 * embedded database only, a local key file next to DATA_DIR, made on first
 * start so `deno task start` works with no configuration. With DATABASE_URL
 * and no key configured the engine does not start: engines sharing a
 * database must share keys, which a file made on one machine cannot give.
 */
import type { Config } from "../../config.ts";
import { EngineError } from "../../errors.ts";
import { KEY_PURPOSES } from "./data_types.ts";
import { keyBytes, toHex } from "./encoding.ts";
import { newKeyFile, readKeyFile, writeKeyFile } from "./key_file.ts";
import type { KeyMaterial } from "./keyring.ts";

/** The configuration keys are read from. */
export type KeyConfig = Pick<
  Config,
  | "PII_KEY_FILE"
  | "PRIVACY_ENCRYPTION_KEY"
  | "PRIVACY_ENCRYPTION_KEY_PREVIOUS"
  | "DATABASE_URL"
  | "DATA_DIR"
>;

/** Which source the keys came from; "local" is the embedded default, not for production. */
export interface KeySource {
  kind: "file" | "environment" | "local";
  /** The key file, for "file" and "local". */
  path: string | null;
  /** True when this start made the local key file. */
  created: boolean;
}

/** The local key file of the embedded database in `dataDir`: beside it, not in it. */
export function localKeyFilePath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}-keys.json`;
}

/** Reads the configured keys (see the module comment for the order). */
export async function loadKeyMaterial(
  config: KeyConfig,
  options: { now: Date; mayCreateLocal: boolean },
): Promise<{ material: KeyMaterial[]; source: KeySource }> {
  if (config.PII_KEY_FILE !== undefined) {
    const path = config.PII_KEY_FILE;
    return { material: await readKeyFile(path), source: { kind: "file", path, created: false } };
  }
  if (config.PRIVACY_ENCRYPTION_KEY !== undefined) {
    const previous = (config.PRIVACY_ENCRYPTION_KEY_PREVIOUS ?? "").split(",")
      .map((k) => k.trim()).filter((k) => k !== "");
    const material = [
      ...await derivedKeys(config.PRIVACY_ENCRYPTION_KEY, true),
      ...(await Promise.all(previous.map((k) => derivedKeys(k, false)))).flat(),
    ];
    return { material, source: { kind: "environment", path: null, created: false } };
  }
  if (config.DATABASE_URL !== undefined) {
    throw new EngineError(
      "PII_KEYS_INVALID",
      "No encryption key is configured: with DATABASE_URL set, every engine must use the same " +
        "keys. Set PRIVACY_ENCRYPTION_KEY (e.g. openssl rand -base64 32) or PII_KEY_FILE " +
        "(made with `deno task keys:generate --file keys.json`), kept outside the database",
    );
  }
  const path = localKeyFilePath(config.DATA_DIR);
  try {
    return { material: await readKeyFile(path), source: { kind: "local", path, created: false } };
  } catch (error) {
    if (await exists(path)) throw error;
  }
  if (!options.mayCreateLocal) {
    throw new EngineError(
      "PII_KEY_MISSING",
      `The key file ${path} is gone, but the database holds values encrypted with its keys: ` +
        "restore the file from your backup (no new key can read them)",
    );
  }
  await writeKeyFile(path, newKeyFile(options.now), { createNew: true });
  return { material: await readKeyFile(path), source: { kind: "local", path, created: true } };
}

/**
 * One key per purpose derived from a 256-bit master key (HKDF-SHA256, the
 * purpose as info). The id carries a fingerprint of the derived key, so a
 * different master key gives different ids and rows name the key they need.
 */
export async function derivedKeys(master: string, active: boolean): Promise<KeyMaterial[]> {
  const bytes = keyBytes(master);
  if (bytes === null) {
    throw new EngineError("PII_KEYS_INVALID", "An encryption key is not 32 bytes (base64 or hex)");
  }
  const base = await crypto.subtle.importKey(
    "raw",
    bytes as Uint8Array<ArrayBuffer>,
    "HKDF",
    false,
    ["deriveBits"],
  );
  return await Promise.all(KEY_PURPOSES.map(async (purpose) => {
    const derived = new Uint8Array(
      await crypto.subtle.deriveBits(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: new TextEncoder().encode("customer-success-engine"),
          info: new TextEncoder().encode(`pii:${purpose}`),
        },
        base,
        256,
      ),
    );
    const fingerprint = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", derived)));
    return { id: `${purpose}-${fingerprint.slice(0, 12)}`, purpose, bytes: derived, active };
  }));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
