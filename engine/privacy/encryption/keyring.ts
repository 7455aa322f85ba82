/**
 * The keys personal data is encrypted with: AES-256-GCM (WebCrypto) per data
 * type, one active key per type for writing and older ones for reading, and
 * an HMAC-SHA256 key for the email blind index. Keys never reach the
 * database; only their ids (in each value) and check values (pii_keys) do.
 *
 * A stored value is `enc:v1:<keyId>:<base64url(iv ‖ ciphertext ‖ tag)>` with
 * a random 96-bit IV. The additional data binds the data type and the field
 * (e.g. `customers.name`), so a value copied into another column fails to
 * decrypt instead of showing there.
 */
import { EngineError } from "../../errors.ts";
import { KEY_PURPOSES, type KeyPurpose, type PiiType } from "./data_types.ts";
import { fromBase64, toBase64Url, toHex } from "./encoding.ts";

/** One key as configured: raw bytes, never stored. */
export interface KeyMaterial {
  id: string;
  purpose: KeyPurpose;
  bytes: Uint8Array;
  /** The key new values are written with (one per purpose). */
  active: boolean;
}

/** What may be shown of a key: everything but its bytes. */
export interface KeyInfo {
  id: string;
  purpose: KeyPurpose;
  active: boolean;
  /** HMAC of a constant under the key: tells a wrong key from the right one. */
  check: string;
}

interface LoadedKey extends KeyInfo {
  crypto: CryptoKey;
}

const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const CHECK_TEXT = new TextEncoder().encode("customer-success-engine pii key check v1");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** True when `value` is an encrypted value (anything else is plaintext from before encryption). */
export function isEncrypted(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The key id an encrypted value was written under, or null for plaintext. */
export function keyIdOf(value: string): string | null {
  if (!isEncrypted(value)) return null;
  const end = value.indexOf(":", PREFIX.length);
  return end < 0 ? null : value.slice(PREFIX.length, end);
}

/** Encrypts, decrypts and blind-indexes with a fixed set of keys. */
export class Keyring {
  readonly #keys: Map<string, LoadedKey>;
  readonly #active: Map<KeyPurpose, LoadedKey>;

  private constructor(keys: LoadedKey[]) {
    this.#keys = new Map(keys.map((k) => [k.id, k]));
    this.#active = new Map(keys.filter((k) => k.active).map((k) => [k.purpose, k]));
  }

  /** Imports `material`; throws PII_KEYS_INVALID unless each purpose has exactly one active key. */
  static async create(material: readonly KeyMaterial[]): Promise<Keyring> {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const m of material) {
      if (!KEY_ID.test(m.id)) problems.push(`key id "${m.id}" must be 1–64 of A–Z a–z 0–9 _ . -`);
      if (ids.has(m.id)) problems.push(`key id "${m.id}" is listed twice`);
      ids.add(m.id);
      if (m.bytes.length !== 32) problems.push(`key "${m.id}" must be 32 bytes (256 bits)`);
    }
    for (const purpose of KEY_PURPOSES) {
      const active = material.filter((m) => m.purpose === purpose && m.active).length;
      if (active !== 1) {
        problems.push(`${purpose} keys: ${active} active, exactly one must be ("active": true)`);
      }
    }
    if (problems.length > 0) {
      throw new EngineError(
        "PII_KEYS_INVALID",
        `The encryption keys cannot be used: ${problems.join("; ")}`,
      );
    }
    const loaded = await Promise.all(material.map(async (m) => {
      const bytes = m.bytes as Uint8Array<ArrayBuffer>;
      const hmac = await crypto.subtle.importKey(
        "raw",
        bytes,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const check = toHex(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, CHECK_TEXT)))
        .slice(0, 32);
      const key = m.purpose === "index"
        ? hmac
        : await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
      return { id: m.id, purpose: m.purpose, active: m.active, check, crypto: key };
    }));
    return new Keyring(loaded);
  }

  /** Every key, without its bytes. */
  keys(): KeyInfo[] {
    return [...this.#keys.values()].map(({ id, purpose, active, check }) => ({
      id,
      purpose,
      active,
      check,
    }));
  }

  /** The id new values of `purpose` are written under. */
  activeKeyId(purpose: KeyPurpose): string {
    return this.#activeKey(purpose).id;
  }

  /** True when the keyring holds key `id`. */
  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** `value` encrypted under the active key of `type`, bound to `field`. */
  async encrypt(type: PiiType, field: string, value: string): Promise<string> {
    const key = this.#activeKey(type);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: aad(type, field) },
        key.crypto,
        encoder.encode(value),
      ),
    );
    const out = new Uint8Array(IV_BYTES + sealed.length);
    out.set(iv);
    out.set(sealed, IV_BYTES);
    return `${PREFIX}${key.id}:${toBase64Url(out)}`;
  }

  /**
   * The plaintext of `stored` (written for `field`). Plaintext from before
   * encryption is returned as it is. Throws PII_KEY_MISSING for a key id this
   * keyring lacks and PII_DECRYPT_FAILED when the value does not authenticate.
   */
  async decrypt(field: string, stored: string): Promise<string> {
    const id = keyIdOf(stored);
    if (id === null) return stored;
    const key = this.#keys.get(id);
    if (key === undefined || key.purpose === "index") {
      throw new EngineError(
        "PII_KEY_MISSING",
        `A value in ${field} is encrypted under key "${id}", which is not configured: ` +
          "add that key back (PII_KEY_FILE or PRIVACY_ENCRYPTION_KEY_PREVIOUS)",
      );
    }
    try {
      const bytes = fromBase64(stored.slice(PREFIX.length + id.length + 1));
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.slice(0, IV_BYTES), additionalData: aad(key.purpose, field) },
        key.crypto,
        bytes.slice(IV_BYTES),
      );
      return decoder.decode(plain);
    } catch (error) {
      throw new EngineError(
        "PII_DECRYPT_FAILED",
        `A value in ${field} does not decrypt under key "${id}": the key has the right id ` +
          "but other bytes, or the value was changed or copied from another field",
        { cause: error },
      );
    }
  }

  /**
   * The blind index of `value` (an email address, compared case-insensitively):
   * `<keyId>:<hex HMAC-SHA256>` under the active index key. Equal addresses
   * give equal indexes, and the index reveals nothing without the key.
   */
  async blindIndex(kind: "email", value: string): Promise<string> {
    return await this.#index(this.#activeKey("index"), kind, value);
  }

  /** The blind indexes of `value` under every index key: a lookup matches rows not yet rotated. */
  async blindIndexCandidates(kind: "email", value: string): Promise<string[]> {
    const keys = [...this.#keys.values()].filter((k) => k.purpose === "index");
    return await Promise.all(keys.map((k) => this.#index(k, kind, value)));
  }

  async #index(key: LoadedKey, kind: "email", value: string): Promise<string> {
    const normalized = `${kind}:${value.trim().toLowerCase()}`;
    const mac = await crypto.subtle.sign("HMAC", key.crypto, encoder.encode(normalized));
    return `${key.id}:${toHex(new Uint8Array(mac))}`;
  }

  #activeKey(purpose: KeyPurpose): LoadedKey {
    const key = this.#active.get(purpose);
    if (key === undefined) throw new Error(`no active ${purpose} key`); // create() prevents this
    return key;
  }
}

function aad(type: PiiType | KeyPurpose, field: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`pii:v1:${type}:${field}`);
}
