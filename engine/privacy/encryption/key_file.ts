/**
 * The key file (PII_KEY_FILE, or the local one the embedded database gets):
 * JSON listing each key with its id, purpose, 32 bytes in base64 and whether
 * it is the active one. `deno task keys:generate` writes and extends it.
 *
 * ```json
 * { "keys": [{ "id": "name-20261126-3fa1", "purpose": "name", "key": "…", "active": true }] }
 * ```
 */
import { z } from "zod";
import { EngineError } from "../../errors.ts";
import { zodIssues } from "../../validation.ts";
import { KEY_PURPOSES, type KeyPurpose } from "./data_types.ts";
import { keyBytes, toBase64Url } from "./encoding.ts";
import type { KeyMaterial } from "./keyring.ts";

const keyFileSchema = z.object({
  keys: z.array(z.object({
    id: z.string(),
    purpose: z.enum(["name", "contact", "text", "index"]),
    key: z.string().refine((k) => keyBytes(k) !== null, {
      error: "must be 32 bytes in base64 (or 64 hex digits)",
    }),
    active: z.boolean(),
  })),
});

/** The key file's contents. */
export type KeyFile = z.output<typeof keyFileSchema>;

/** Parses key file text; throws PII_KEYS_INVALID naming the file and what is wrong. */
export function parseKeyFile(text: string, path: string): KeyMaterial[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EngineError("PII_KEYS_INVALID", `The key file ${path} is not valid JSON`);
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new EngineError("PII_KEYS_INVALID", `The key file ${path} is not valid: ${issues}`);
  }
  return parsed.data.keys.map((k) => ({
    id: k.id,
    purpose: k.purpose,
    bytes: keyBytes(k.key)!,
    active: k.active,
  }));
}

/** Reads and parses the key file at `path`; PII_KEYS_INVALID when it cannot be read. */
export async function readKeyFile(path: string): Promise<KeyMaterial[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new EngineError(
      "PII_KEYS_INVALID",
      `The key file ${path} cannot be read (${(error as Error).message}): check PII_KEY_FILE, ` +
        "or create one with `deno task keys:generate --file " + path + "`",
      { cause: error },
    );
  }
  return parseKeyFile(text, path);
}

/**
 * `existing` plus a new random active key for each purpose in `purposes`; the
 * keys they replace stay in the file, inactive, to read older values until
 * `deno task keys:rotate` has moved every value off them.
 */
export function addKeys(
  existing: KeyFile,
  purposes: readonly KeyPurpose[],
  now: Date,
): KeyFile {
  const stamp = now.toISOString().slice(0, 10).replaceAll("-", "");
  const fresh = purposes.map((purpose) => {
    const tag = Array.from(
      crypto.getRandomValues(new Uint8Array(2)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    return {
      id: `${purpose}-${stamp}-${tag}`,
      purpose,
      key: toBase64Url(crypto.getRandomValues(new Uint8Array(32))),
      active: true,
    };
  });
  const replaced = new Set(purposes);
  return {
    keys: [
      ...existing.keys.map((k) => replaced.has(k.purpose) ? { ...k, active: false } : k),
      ...fresh,
    ],
  };
}

/** A new key file with one active key per purpose. */
export function newKeyFile(now: Date): KeyFile {
  return addKeys({ keys: [] }, KEY_PURPOSES, now);
}

/** The key file as text. */
export function keyFileText(file: KeyFile): string {
  return JSON.stringify(file, null, 2) + "\n";
}

/** Reads the key file at `path` as a KeyFile (for keys:generate --add). */
export async function loadKeyFile(path: string): Promise<KeyFile> {
  await readKeyFile(path); // the same checks and messages as at start
  return keyFileSchema.parse(JSON.parse(await Deno.readTextFile(path)));
}

/**
 * Writes `file` to `path` readable by its owner only; `createNew` refuses to
 * replace a file (losing a key loses the data encrypted under it).
 */
export async function writeKeyFile(
  path: string,
  file: KeyFile,
  options: { createNew: boolean },
): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, keyFileText(file), { mode: 0o600, createNew: true });
  if (options.createNew) {
    try {
      await Deno.link(tmp, path);
    } finally {
      await Deno.remove(tmp);
    }
  } else await Deno.rename(tmp, path);
}
