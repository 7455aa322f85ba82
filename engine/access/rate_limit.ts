/**
 * Per-token rate limiting: a token bucket per token, refilled continuously at
 * RATE_LIMIT_PER_MINUTE and holding at most RATE_LIMIT_BURST requests. Kept
 * in the engine's memory: each engine limits on its own, so N engines behind
 * a balancer allow up to N times the rate.
 */

/** The outcome for one request. */
export interface RateDecision {
  allowed: boolean;
  /** Requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until a request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by token id. */
export class RateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: { perMinute: number; burst: number }) {
    this.#perMs = options.perMinute / 60_000;
    this.#burst = options.burst;
  }

  /** Takes one request from `key`'s bucket at time `nowMs`. */
  take(key: string, nowMs: number): RateDecision {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: nowMs };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (nowMs - bucket.at) * this.#perMs);
    bucket.at = nowMs;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    const waitMs = (1 - bucket.tokens) / this.#perMs;
    return {
      allowed: false,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }

  /** The bucket size, for the RateLimit-Limit header. */
  get burst(): number {
    return this.#burst;
  }
}
