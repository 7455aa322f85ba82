/**
 * Turns a bearer secret into an actor. Verified tokens are remembered for a
 * few seconds, so a busy client costs one hash and a map lookup per request
 * instead of a database round trip; a revocation through this engine takes
 * effect at once, through another engine within the cache time.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import { type Actor, tokenActor } from "./actor.ts";
import { findActiveToken, hashTokenSecret, recordTokenUse } from "./tokens.ts";

// Secrets are `cse_…` (43 base64url characters) or, for INIT_ADMIN_TOKEN, any
// 32–200 such characters; anything else is refused without a lookup.
const WELL_FORMED = /^[A-Za-z0-9_\-.~+/=]{32,200}$/;

interface Remembered {
  actor: Actor;
  expiresAt: number | null;
  until: number;
}

/** Verifies bearer secrets against the token table, with a short cache. */
export class TokenVerifier {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #cacheMs: number;
  readonly #local = new Map<string, Actor>();
  readonly #cache = new Map<string, Remembered>();
  readonly #onError: (error: unknown) => void;

  constructor(
    options: { db: Db; clock: Clock; cacheSeconds: number; onError: (error: unknown) => void },
  ) {
    this.#db = options.db;
    this.#clock = options.clock;
    this.#cacheMs = options.cacheSeconds * 1000;
    this.#onError = options.onError;
  }

  /** Accepts `secret` as `actor` without the database (the engine's own local commands). */
  allowLocal(secret: string, actor: Actor): void {
    this.#local.set(secret, actor);
  }

  /** The actor of `secret`, or null when it is malformed, unknown, expired or revoked. */
  async verify(secret: string): Promise<Actor | null> {
    if (!WELL_FORMED.test(secret)) return null;
    const local = this.#local.get(secret);
    if (local) return local;
    const hash = await hashTokenSecret(secret);
    const now = this.#clock.now();
    const remembered = this.#cache.get(hash);
    if (remembered && remembered.until > now.getTime()) {
      if (remembered.expiresAt === null || remembered.expiresAt > now.getTime()) {
        return remembered.actor;
      }
    }
    const token = await findActiveToken(this.#db, hash, now);
    if (!token) {
      this.#cache.delete(hash);
      return null;
    }
    const actor = tokenActor(token);
    this.#cache.set(hash, {
      actor,
      expiresAt: token.expiresAt ? Date.parse(token.expiresAt) : null,
      until: now.getTime() + this.#cacheMs,
    });
    // Last use is bookkeeping: it must never fail or slow the request.
    recordTokenUse(this.#db, token.id, now).catch(this.#onError);
    return actor;
  }

  /** Forgets token `id` at once (after a revocation through this engine). */
  forget(tokenId: number): void {
    for (const [hash, remembered] of this.#cache) {
      if (remembered.actor.tokenId === tokenId) this.#cache.delete(hash);
    }
  }
}
