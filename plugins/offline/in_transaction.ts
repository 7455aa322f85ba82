/**
 * The engine's ingestion (ingestEvents) and customer writes (upsertCustomers)
 * each open their own transaction on the Db they are given. A push must be
 * one transaction with its remembered answers, or a crash between the two
 * would leave changes applied whose answers are lost. This Db runs them
 * inside the push's transaction instead: their `transaction` is the one
 * already open.
 */
import type { Db, Loadable } from "../../engine/db/mod.ts";
import { EngineError } from "../../engine/errors.ts";

/** A Db whose statements and transactions all go to the open transaction `tx` of `db`. */
export function inTransaction(db: Db, tx: Loadable): Db {
  const refused = (what: string) => () =>
    Promise.reject(
      new EngineError("INTERNAL", `${what} is not available inside an offline push's transaction`),
    );
  return {
    backend: db.backend,
    query: (sql, params, options) => tx.query(sql, params, options),
    exec: (sql) => tx.exec(sql),
    copyRows: (table, columns, rows) => tx.copyRows(table, columns, rows),
    transaction: (fn) => fn(tx),
    listen: refused("LISTEN"),
    close: refused("Closing the database"),
  };
}
