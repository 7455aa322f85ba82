/**
 * Encrypting and decrypting values as they are written and read, with the
 * process's keyring. A field name (`customers.name`) is bound into each value.
 * Reads return plaintext from before encryption unchanged, so a database
 * migrated from an older engine works until `deno task keys:rotate` has
 * encrypted it.
 */
import { piiKeyring } from "./active_keyring.ts";
import type { PiiType } from "./data_types.ts";
import { isEncrypted } from "./keyring.ts";

/** `value` encrypted as `type` for `field`; null stays null. */
export async function sealText<T extends string | null>(
  type: PiiType,
  field: string,
  value: T,
): Promise<string | T> {
  return value === null ? value : await piiKeyring().encrypt(type, field, value);
}

/** The plaintext of `stored` (see the module comment); null stays null. */
export async function openText<T extends string | null>(
  field: string,
  stored: T,
): Promise<string | T> {
  return stored === null ? stored : await piiKeyring().decrypt(field, stored);
}

/**
 * `object` with the entries `typeOf` names encrypted, each as the JSON text of
 * its value (so objects and numbers round-trip). Other entries, and null
 * values, are kept as they are.
 */
export async function sealEntries(
  object: Record<string, unknown>,
  field: string,
  typeOf: (key: string, value: unknown) => PiiType | null,
): Promise<Record<string, unknown>> {
  // Most objects (an event's properties) have nothing personal: return them without a promise
  // per entry, which is most of the cost on ingestion's path.
  const personal = Object.entries(object).flatMap(([key, value]) => {
    const type = value === null || value === undefined ? null : typeOf(key, value);
    return type === null ? [] : [{ key, value, type }];
  });
  if (personal.length === 0) return object;
  const keyring = piiKeyring();
  const sealed = await Promise.all(
    personal.map((p) => keyring.encrypt(p.type, `${field}.${p.key}`, JSON.stringify(p.value))),
  );
  const out = { ...object };
  personal.forEach((p, i) => (out[p.key] = sealed[i]));
  return out;
}

/** `object` with every encrypted entry decrypted (the reverse of sealEntries). */
export async function openEntries(
  object: Record<string, unknown>,
  field: string,
): Promise<Record<string, unknown>> {
  const sealed = Object.entries(object).filter((entry): entry is [string, string] =>
    typeof entry[1] === "string" && isEncrypted(entry[1])
  );
  if (sealed.length === 0) return object;
  const keyring = piiKeyring();
  const opened = await Promise.all(
    sealed.map(([key, value]) => keyring.decrypt(`${field}.${key}`, value)),
  );
  const out = { ...object };
  sealed.forEach(([key], i) => (out[key] = JSON.parse(opened[i]!)));
  return out;
}

/** The blind index of an email address under the active index key (see Keyring.blindIndex). */
export async function blindIndex(kind: "email", value: string): Promise<string> {
  return await piiKeyring().blindIndex(kind, value);
}

/** The blind indexes of an email address under every configured index key, for lookups. */
export async function blindIndexCandidates(kind: "email", value: string): Promise<string[]> {
  return await piiKeyring().blindIndexCandidates(kind, value);
}
