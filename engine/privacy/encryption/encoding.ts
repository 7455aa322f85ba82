/** Bytes as base64url (no padding) and back, and 32-byte keys from their text forms. */

/** `bytes` as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of base64 or base64url text (padding optional); throws on anything else. */
export function fromBase64(text: string): Uint8Array {
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(standard + "=".repeat((4 - standard.length % 4) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** 32 key bytes from 64 hex digits or base64, or null when `text` is neither. */
export function keyBytes(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return Uint8Array.from(trimmed.match(/../g)!, (h) => parseInt(h, 16));
  }
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return null;
  try {
    const bytes = fromBase64(trimmed);
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/** `bytes` as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
