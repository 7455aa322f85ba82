/**
 * Signed HTTP bodies, for every plugin that posts to an endpoint of the
 * customer's (the webhook channel, the marketing stream): HMAC-SHA256 over
 * "<timestamp>.<raw body>" with a shared secret, sent as
 * `X-CS-Signature: sha256=<hex>` with `X-CS-Timestamp: <unix seconds>`.
 * Signing the timestamp with the body lets a receiver refuse a captured
 * request replayed later. This file uses only Web Crypto, so a receiver can
 * copy it as it is.
 */

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [usage],
  );
}

/** The `X-CS-Signature` value for `body` sent at `timestamp` (unix seconds). */
export async function signBody(
  secret: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await hmacKey(secret, "sign");
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return `sha256=${
    Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

/** Options of verifyBodySignature. */
export interface VerifySignatureOptions {
  /** How far the timestamp may be from `now`, either way; 300 s when not given. */
  toleranceSeconds?: number;
  /** The receiver's time; the current time when not given. */
  now?: Date;
}

/**
 * True when `signatureHeader` (`sha256=<hex>`) is the HMAC of `timestamp`
 * and the raw `body` with `secret`, and `timestamp` is within the tolerance
 * of `now` (so a captured request cannot be replayed later). Compares in
 * constant time (crypto.subtle.verify).
 */
export async function verifyBodySignature(
  secret: string,
  timestamp: string,
  body: string,
  signatureHeader: string,
  options: VerifySignatureOptions = {},
): Promise<boolean> {
  const tolerance = options.toleranceSeconds ?? 300;
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > tolerance) return false;
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim())?.[1];
  if (hex === undefined) return false;
  const mac = new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
  const key = await hmacKey(secret, "verify");
  return crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${timestamp}.${body}`));
}
