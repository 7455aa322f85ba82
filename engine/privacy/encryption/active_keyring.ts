/**
 * The process's keyring. An engine process has one database and one set of
 * keys, so the keyring is set once at start (openKeyring) instead of being
 * threaded through every function that reads or writes a customer; code that
 * stores or shows personal values asks for it here.
 */
import { EngineError } from "../../errors.ts";
import type { Keyring } from "./keyring.ts";
import type { KeySource } from "./key_sources.ts";

let current: { keyring: Keyring; source: KeySource } | null = null;

/** Makes `keyring` the one personal values are encrypted and decrypted with. */
export function installKeyring(keyring: Keyring, source: KeySource): void {
  current = { keyring, source };
}

/** The installed keyring; throws if the process has not loaded its keys (a bug, not a user error). */
export function piiKeyring(): Keyring {
  if (current === null) {
    throw new EngineError(
      "PII_KEYS_INVALID",
      "The encryption keys are not loaded: openKeyring() must run before personal data is used",
    );
  }
  return current.keyring;
}

/** Where the installed keys came from, or null before they are loaded. */
export function piiKeySource(): KeySource | null {
  return current?.source ?? null;
}
