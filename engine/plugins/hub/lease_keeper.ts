/**
 * Keeps a plugin's delivery lease while its deliverer works: renews it every
 * third of the lease, on its own timer, so a slow handler or a long breaker
 * cooldown never lets it run out. When another engine has taken the plugin
 * over (this one was presumed dead), `lost` aborts and the deliverer stops.
 */
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/mod.ts";
import type { Logger } from "../../log.ts";
import { renewLease } from "./plugins_sql.ts";

/** Options of a LeaseKeeper. */
export interface LeaseKeeperOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  plugin: string;
  holder: string;
  leaseSeconds: number;
}

/** Renews a lease until stopped or lost. */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #lost = new AbortController();
  readonly #timer: ReturnType<typeof setInterval>;
  #renewing: Promise<void> = Promise.resolve();

  /** Starts renewing at once. */
  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    const every = Math.max(100, (options.leaseSeconds * 1000) / 3);
    this.#timer = setInterval(() => {
      this.#renewing = this.#renew();
    }, every);
  }

  /** Aborts when another engine took the plugin over. */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** Stops renewing (the lease itself stays until released or run out). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewing;
  }

  async #renew(): Promise<void> {
    const { db, clock, log, plugin, holder, leaseSeconds } = this.#options;
    try {
      const held = await renewLease(db, { plugin, holder, now: clock.now(), leaseSeconds });
      if (!held) {
        log.warn("another engine took over delivery to the plugin", { plugin });
        this.#lost.abort();
      }
    } catch (error) {
      // The next renewal tries again; if the lease runs out meanwhile, the
      // deliverer's own writes are refused and it stops.
      log.warn("renewing the plugin's delivery lease failed", { plugin, error });
    }
  }
}
