/**
 * Signed links in interventions (unsubscribe today; tracked clicks and opens
 * use the same signing): the payload travels in the link, and an HMAC-SHA256
 * tag over it proves the engine made it, so a link cannot be forged or
 * altered to act on another customer. The key is made once per database
 * (engine_settings), so links keep working across restarts and engines.
 */
import type { Queryable } from "../db/mod.ts";

const KEY_SETTING = "interventions.link_key";

/** Signs and checks link payloads with the database's link key. */
export interface LinkSigner {
  sign(payload: Record<string, string>): Promise<string>;
  /** The payload of a token this engine signed, or null for anything else. */
  verify(token: string): Promise<Record<string, string> | null>;
}

/** The database's link signer, making its key on first use. */
export async function linkSigner(db: Queryable, now: Date): Promise<LinkSigner> {
  const fresh = base64url(crypto.getRandomValues(new Uint8Array(32)));
  // Two engines starting together: the first insert wins and both read it.
  await db.query(
    `insert into engine_settings (key, value, updated_at, updated_by) values ($1, $2, $3, 'engine')
     on conflict (key) do nothing`,
    [KEY_SETTING, { key: fresh }, now],
  );
  const [row] = await db.query<{ value: string }>(
    "select value ->> 'key' as value from engine_settings where key = $1",
    [KEY_SETTING],
  );
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64url(row!.value),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const encoder = new TextEncoder();
  return {
    async sign(payload) {
      const body = base64url(encoder.encode(JSON.stringify(payload)));
      const tag = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
      return `${body}.${base64url(tag)}`;
    },
    async verify(token) {
      const [body, tag, extra] = token.split(".");
      if (!body || !tag || extra !== undefined) return null;
      let valid = false;
      try {
        valid = await crypto.subtle.verify("HMAC", key, fromBase64url(tag), encoder.encode(body));
      } catch {
        return null;
      }
      if (!valid) return null;
      const payload: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(body)));
      if (typeof payload !== "object" || payload === null) return null;
      return payload as Record<string, string>;
    },
  };
}

/** The database's link signer, made on first use and then reused. */
export function lazyLinkSigner(db: Queryable, now: () => Date): () => Promise<LinkSigner> {
  let signer: Promise<LinkSigner> | null = null;
  return () => (signer ??= linkSigner(db, now()));
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
