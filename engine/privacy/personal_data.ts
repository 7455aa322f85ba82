/**
 * What holds personal data outside the engine's own tables: the plugins. The
 * plugin host implements this port (engine/plugins/host.ts) with each running
 * plugin's `exportCustomer` and `eraseCustomer` hooks; tests pass a fake.
 */

/** Rows by table, as a holder exports them. */
export type RowsByTable = Record<string, Record<string, unknown>[]>;

/** The plugins' side of a privacy request. */
export interface PersonalDataHolders {
  /** Per plugin, its rows about the customer by table. */
  exportCustomer(customerId: string): Promise<Record<string, RowsByTable>>;
  /**
   * Has every plugin erase the customer (its own tables, and downstream
   * systems it fed); `pseudonym` replaces the id where a plugin keeps
   * aggregates. Per plugin, rows erased by table. Throws when one fails: the
   * deletion then fails and can be asked again (hooks must be idempotent).
   */
  eraseCustomer(
    customerId: string,
    pseudonym: string,
  ): Promise<Record<string, Record<string, number>>>;
}

/** No plugins: nothing held outside the engine. */
export const noPersonalDataHolders: PersonalDataHolders = {
  exportCustomer: () => Promise.resolve({}),
  eraseCustomer: () => Promise.resolve({}),
};
