/** Keyrings for the encryption tests: from master keys as PRIVACY_ENCRYPTION_KEY gives them. */
import { derivedKeys, installKeyring, Keyring } from "../../../../engine/privacy/mod.ts";

/** Two master keys: the one before a rotation and the one after. */
export const OLD_KEY = "1111111111111111111111111111111111111111111111111111111111111111";
export const NEW_KEY = "2222222222222222222222222222222222222222222222222222222222222222";

/** The keyring of `active` (writing) with `previous` (reading only). */
export async function keyringOf(active: string, previous: string[] = []): Promise<Keyring> {
  return await Keyring.create([
    ...await derivedKeys(active, true),
    ...(await Promise.all(previous.map((k) => derivedKeys(k, false)))).flat(),
  ]);
}

/** Makes that keyring the process's, as an engine start would. */
export async function useKeys(active: string, previous: string[] = []): Promise<Keyring> {
  const keyring = await keyringOf(active, previous);
  installKeyring(keyring, { kind: "environment", path: null, created: false });
  return keyring;
}
