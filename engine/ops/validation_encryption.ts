/**
 * The "encryption key" line of production validation: the keys are
 * configured explicitly (not the embedded default's local file), they load,
 * and they are the keys the database's values were written with. Reads only.
 */
import { DAY_MS } from "../clock.ts";
import { isEngineError } from "../errors.ts";
import {
  KEY_PURPOSES,
  keyProblems,
  Keyring,
  loadKeyMaterial,
  registeredKeys,
} from "../privacy/mod.ts";
import type { ValidationCheck } from "./validation.ts";

/** See the module comment. */
export const encryptionValidation: ValidationCheck = async ({ db, config, clock }) => {
  if (config.PII_KEY_FILE === undefined && config.PRIVACY_ENCRYPTION_KEY === undefined) {
    return {
      status: "fail",
      message: "No encryption key is configured" +
        (config.DATABASE_URL === undefined
          ? ": personal data is encrypted with the embedded database's local key file, which " +
            "lives on this machine only"
          : ""),
      fix:
        "Set PII_KEY_FILE (deno task keys:generate --file keys.json) or PRIVACY_ENCRYPTION_KEY " +
        "(openssl rand -base64 32), and keep a copy apart from the database's backups",
    };
  }
  let keyring: Keyring;
  try {
    const { material } = await loadKeyMaterial(config, { now: clock.now(), mayCreateLocal: false });
    keyring = await Keyring.create(material);
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return { status: "fail", message: error.message, fix: "Fix the keys as the message says" };
  }
  const registered = await registeredKeys(db);
  const problem = keyProblems(keyring, registered)[0];
  if (problem !== undefined) {
    return {
      status: "fail",
      message: problem.message,
      fix: "Configure the key the message names; the engine does not start without it",
    };
  }
  const source = config.PII_KEY_FILE === undefined
    ? "PRIVACY_ENCRYPTION_KEY"
    : `PII_KEY_FILE (${config.PII_KEY_FILE})`;
  const active = KEY_PURPOSES.map((p) => keyring.activeKeyId(p));
  const known = new Set(registered.map((k) => k.keyId));
  const unused = active.filter((id) => !known.has(id));
  if (registered.length > 0 && unused.length > 0) {
    return {
      status: "warn",
      message: `The active keys ${unused.join(", ")} from ${source} are not used by any engine yet`,
      fix: "Restart every engine with these keys, then run deno task keys:rotate",
    };
  }
  const activeSet = new Set(active);
  const old = registered.filter((k) => k.retiredAt === null && !activeSet.has(k.keyId));
  if (old.length > 0) {
    return {
      status: "warn",
      message: `Keys from ${source} match the database; values may still be under old keys ` +
        old.map((k) => k.keyId).join(", "),
      fix: "Run deno task keys:rotate, then remove the keys it retires",
    };
  }
  const due = registered.filter((k) =>
    activeSet.has(k.keyId) &&
    clock.now().getTime() - k.registeredAt.getTime() >= config.PII_KEY_ROTATION_DAYS * DAY_MS
  );
  if (due.length > 0) {
    return {
      status: "warn",
      message: `Keys ${due.map((k) => k.keyId).join(", ")} have been in use for more than ` +
        `PII_KEY_ROTATION_DAYS (${config.PII_KEY_ROTATION_DAYS} days)`,
      fix: "Configure new keys (deno task keys:generate --add, or a new PRIVACY_ENCRYPTION_KEY " +
        "with the old one in PRIVACY_ENCRYPTION_KEY_PREVIOUS) and run deno task keys:rotate",
    };
  }
  return {
    status: "pass",
    message: `Keys from ${source} match the database's (active: ${active.join(", ")})`,
    fix: null,
  };
};
