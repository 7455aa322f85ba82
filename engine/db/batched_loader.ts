/**
 * Coalesces concurrent lookups by key into batched ones, the way a database
 * group-commits: the first lookups go out at once, and while `maxInFlight`
 * batches are out, new keys wait and leave together in the next batch. Idle,
 * a lookup costs no delay; busy, one statement answers many requests, which
 * saves the per-statement costs (a round trip, a socket write, planning) that
 * dominate small reads (bench/README.md, "API load").
 */

import { setImmediate } from "node:timers";

/** Options of BatchedLoader. */
export interface BatchedLoaderOptions {
  /** Batches out at once; more keys wait for one to come back. */
  maxInFlight: number;
  /** Most keys in one batch. */
  maxBatch: number;
}

interface Waiting<V> {
  promise: Promise<V | undefined>;
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

/** Loads values by key in batches; `load` answers a batch with the values it found. */
export class BatchedLoader<K, V> {
  readonly #load: (keys: K[]) => Promise<Map<K, V>>;
  readonly #options: BatchedLoaderOptions;
  #queue = new Map<K, Waiting<V>>();
  #inFlight = 0;

  constructor(load: (keys: K[]) => Promise<Map<K, V>>, options: BatchedLoaderOptions) {
    this.#load = load;
    this.#options = options;
  }

  /** The value of `key`, or undefined when the load found none. */
  load(key: K): Promise<V | undefined> {
    const queued = this.#queue.get(key);
    if (queued) return queued.promise;
    const waiting = Promise.withResolvers<V | undefined>();
    this.#queue.set(key, waiting);
    if (this.#inFlight < this.#options.maxInFlight) this.#dispatch();
    return waiting.promise;
  }

  #dispatch(): void {
    const batch = new Map<K, Waiting<V>>();
    for (const [key, waiting] of this.#queue) {
      if (batch.size === this.#options.maxBatch) break;
      batch.set(key, waiting);
      this.#queue.delete(key);
    }
    this.#inFlight++;
    this.#load([...batch.keys()]).then(
      (found) => {
        this.#next();
        // postgres.js sends a statement from a setImmediate callback: queued
        // after it, the callers' work no longer delays the next batch's send.
        setImmediate(() => {
          for (const [key, waiting] of batch) waiting.resolve(found.get(key));
        });
      },
      (error) => {
        this.#next();
        for (const waiting of batch.values()) waiting.reject(error);
      },
    );
  }

  // The next batch leaves before this one's callers run, so the database
  // works on it while they build their responses.
  #next(): void {
    this.#inFlight--;
    if (this.#queue.size > 0) this.#dispatch();
  }
}
