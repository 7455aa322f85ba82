/**
 * Customer health reads for the API, coalesced: concurrent reads of the same
 * history length share statements (BatchedLoader), so a busy engine answers
 * many requests per round trip to the database.
 */
import { BatchedLoader, type Queryable } from "../db/mod.ts";
import { customerNotFound } from "../signals/mod.ts";
import { getCustomersHealthJson } from "./queries.ts";

// Measured with bench/api_load.ts at 50 connections: one batch out at a time
// answered 10,900 reads/s, two 9,500 and four 9,300 — each statement costs the
// engine more than a bigger batch costs PostgreSQL. A hundred ids keep one short.
const LOADER_OPTIONS = { maxInFlight: 1, maxBatch: 100 };

/** Reads customers' health, batching concurrent reads. */
export class CustomerHealthReader {
  readonly #db: Queryable;
  // One loader per history length; requests nearly always use the default.
  readonly #loaders = new Map<number, BatchedLoader<string, string>>();

  constructor(db: Queryable) {
    this.#db = db;
  }

  /** As getCustomerHealth, as JSON text: the customer's health, or CUSTOMER_NOT_FOUND. */
  async readJson(customerId: string, options: { historyDays: number }): Promise<string> {
    const health = await this.#loader(options.historyDays).load(customerId);
    if (health === undefined) throw customerNotFound(customerId);
    return health;
  }

  #loader(historyDays: number): BatchedLoader<string, string> {
    let loader = this.#loaders.get(historyDays);
    if (!loader) {
      loader = new BatchedLoader(
        (ids) => getCustomersHealthJson(this.#db, ids, { historyDays }),
        LOADER_OPTIONS,
      );
      this.#loaders.set(historyDays, loader);
    }
    return loader;
  }
}
