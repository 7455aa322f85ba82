/**
 * An in-process cache of computed reports, keyed by report and parameters,
 * with the seed's TTLs. Concurrent requests for the same missing entry share
 * one computation. Each engine keeps its own: a report is at most one TTL
 * old wherever it is read.
 */
import type { Clock } from "../clock.ts";

/** The seed's cache TTLs in seconds ("roiReports", "dashboardMetrics"). */
export const reportTtls = { roiReports: 3600, dashboardMetrics: 60 } as const;

/** How a report was served: from the cache, computed on a miss, or computed on request. */
export type CacheStatus = "HIT" | "MISS" | "BYPASS";

/** A report as served, with how old it is. */
export interface Cached<T> {
  value: T;
  status: CacheStatus;
  /** Seconds since it was computed. */
  ageSeconds: number;
  ttlSeconds: number;
}

interface Entry {
  value: Promise<unknown>;
  storedAt: number;
}

/** Cached reports; the oldest entries go first once `maxEntries` are held. */
export class ReportCache {
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { clock: Clock; maxEntries?: number }) {
    this.#clock = options.clock;
    this.#maxEntries = options.maxEntries ?? 500;
  }

  /**
   * The report under `key` if computed less than `ttlSeconds` ago, else
   * `compute()`'s, stored. `fresh` computes (and stores) whatever is held.
   */
  async get<T>(
    key: string,
    options: { ttlSeconds: number; fresh?: boolean },
    compute: () => Promise<T>,
  ): Promise<Cached<T>> {
    const now = this.#clock.now().getTime();
    const held = this.#entries.get(key);
    const ttlMs = options.ttlSeconds * 1000;
    if (held && !options.fresh && now - held.storedAt < ttlMs) {
      const value = await held.value as T;
      return {
        value,
        status: "HIT",
        ageSeconds: age(now - held.storedAt),
        ttlSeconds: options.ttlSeconds,
      };
    }
    const entry: Entry = { value: compute(), storedAt: now };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    try {
      const value = await entry.value as T;
      return {
        value,
        status: options.fresh ? "BYPASS" : "MISS",
        ageSeconds: 0,
        ttlSeconds: options.ttlSeconds,
      };
    } catch (error) {
      // A failure is not cached: the next request tries again.
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw error;
    }
  }
}

/** The cache key of `report` with `params`, whatever their order. */
export function reportKey(report: string, params: Record<string, unknown>): string {
  const entries = Object.entries(params)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return `${report}:${JSON.stringify(entries)}`;
}

const age = (ms: number) => Math.floor(ms / 1000);
