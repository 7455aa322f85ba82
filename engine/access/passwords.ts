/**
 * Password hashing for console users: PBKDF2-SHA256 from WebCrypto (no native
 * package to build), a random 16-byte salt per password and OWASP's 600,000
 * iterations (about 0.1 s on one core). The stored form names the algorithm
 * and the iteration count, so a later, higher count leaves old hashes valid.
 */

const ALGORITHM = "pbkdf2-sha256";
/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
export const PASSWORD_ITERATIONS = 600_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

/** The length a password must have (NIST SP 800-63B: long rather than complex). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;

/** Why `password` cannot be used, or null when it can. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  }
  return null;
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` for `password`, with a fresh salt. */
export async function hashPassword(
  password: string,
  iterations = PASSWORD_ITERATIONS,
): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return [ALGORITHM, iterations, base64(salt), base64(hash)].join("$");
}

/** Whether `password` matches `stored`; false for a stored form it does not know. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, iterationText, saltText, hashText] = stored.split("$");
  const iterations = Number(iterationText);
  if (algorithm !== ALGORITHM || !Number.isInteger(iterations) || iterations < 1) return false;
  if (saltText === undefined || hashText === undefined) return false;
  const expected = unbase64(hashText);
  const actual = await derive(password, unbase64(saltText), iterations);
  return constantTimeEqual(actual, expected);
}

// A hash of no one's password: verifying an unknown email against it costs the
// same time as a real check, so timing does not tell which emails have accounts.
const decoy = hashPassword(crypto.randomUUID());

/** Spends the time of one verification, for a sign-in with an unknown email. */
export async function verifyNoPassword(password: string): Promise<false> {
  await verifyPassword(password, await decoy);
  return false;
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unbase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
