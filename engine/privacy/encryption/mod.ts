/**
 * Encryption of personal data at rest (docs/privacy.md, "Encryption at rest"):
 * AES-256-GCM per data type, keys from configuration only, an email blind
 * index, key checks at start and rotation while the engine runs.
 *
 * @example
 * ```ts
 * await openKeyring(db, config, { now: new Date(), log }); // once, at start
 * const stored = await sealText("name", "customers.name", "Ada Florist");
 * const shown = await openText("customers.name", stored);
 * const index = await blindIndex("email", "ada@example.com");
 * ```
 */
export {
  KEY_PURPOSES,
  type KeyPurpose,
  PERSONAL_ATTRIBUTES,
  PII_TYPES,
  type PiiType,
  PLAIN_EVENT_PROPERTIES,
} from "./data_types.ts";
export { isEncrypted, keyIdOf, type KeyInfo, type KeyMaterial, Keyring } from "./keyring.ts";
export { installKeyring, piiKeyring, piiKeySource } from "./active_keyring.ts";
export {
  derivedKeys,
  type KeyConfig,
  type KeySource,
  loadKeyMaterial,
  localKeyFilePath,
} from "./key_sources.ts";
export {
  addKeys,
  type KeyFile,
  loadKeyFile,
  newKeyFile,
  parseKeyFile,
  readKeyFile,
  writeKeyFile,
} from "./key_file.ts";
export {
  keyProblems,
  type RegisteredKey,
  registeredKeys,
  retireKeys,
  verifyAndRegisterKeys,
} from "./key_registry.ts";
export { openKeyring, openKeyringReadOnly } from "./open_keyring.ts";
export { openRows } from "./open_rows.ts";
export {
  blindIndex,
  blindIndexCandidates,
  openEntries,
  openText,
  sealEntries,
  sealText,
} from "./sealing.ts";
export {
  rotateKeys,
  type RotationOptions,
  type RotationReport,
  type TableProgress,
} from "./rotation.ts";
export { ROTATION_TARGETS, type RotationTarget } from "./rotation_targets.ts";
