/**
 * Turns a bearer secret into an actor. Verified tokens are remembered for a
 * few seconds, by the secret itself, so a busy client costs a map lookup per
 * request instead of a hash and a database round trip (hashing alone took a
 * seventh of a health read's CPU: bench/README.md). Only secrets that verified
 * are remembered, so unknown ones cannot fill the map. A revocation through
 * this engine takes effect at once, through another engine within the cache
 * time.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import { type Actor, tokenActor } from "./actor.ts";
import { findActiveToken, hashTokenSecret, recordTokenUse } from "./tokens.ts";

// Secrets are `cse_…` (43 base64url characters) or, for INIT_ADMIN_TOKEN, any
// 32–200 such characters; anything else is refused without a lookup.
const WELL_FORMED = /^[A-Za-z0-9_\-.~+/=]{32,200}$/;

// Past this many remembered secrets, expired ones are dropped before another is added.
const PRUNE_AT = 1_000;

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
    const now = this.#clock.now();
    const remembered = this.#cache.get(secret);
    if (remembered && remembered.until > now.getTime()) {
      if (remembered.expiresAt === null || remembered.expiresAt > now.getTime()) {
        return remembered.actor;
      }
    }
    const token = await findActiveToken(this.#db, await hashTokenSecret(secret), now);
    if (!token) {
      this.#cache.delete(secret);
      return null;
    }
    const actor = tokenActor(token);
    if (this.#cache.size >= PRUNE_AT) this.#prune(now.getTime());
    this.#cache.set(secret, {
      actor,
      expiresAt: token.expiresAt ? Date.parse(token.expiresAt) : null,
      until: now.getTime() + this.#cacheMs,
    });
    // Last use is bookkeeping: it must never fail or slow the request.
    recordTokenUse(this.#db, token.id, now).catch(this.#onError);
    return actor;
  }

  /** Drops the entries whose cache time has passed. */
  #prune(now: number): void {
    for (const [secret, remembered] of this.#cache) {
      if (remembered.until <= now) this.#cache.delete(secret);
    }
  }

  /** Forgets token `id` at once (after a revocation through this engine). */
  forget(tokenId: number): void {
    for (const [secret, remembered] of this.#cache) {
      if (remembered.actor.tokenId === tokenId) this.#cache.delete(secret);
    }
  }
}
