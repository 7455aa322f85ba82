/** The embedded backend: PostgreSQL compiled to WebAssembly (PGlite), stored in a folder. */
import { PGlite, type Transaction, types } from "@electric-sql/pglite";
import { copyPayload, copyStatement } from "./copy_payload.ts";
import type { Db, Loadable } from "./db.ts";

/** Opens (creating on first use) the PGlite database stored in `dataDir`, or in memory. */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  if (dataDir !== undefined) await Deno.mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    // Same number parsing as the PostgreSQL backend (see postgres.ts).
    parsers: { [types.INT8]: Number, [types.NUMERIC]: Number },
  });
  await pg.exec("set time zone 'UTC'"); // As the PostgreSQL backend does.
  return {
    backend: "pglite",
    ...queryable(pg),
    transaction: <T>(fn: (tx: Loadable) => Promise<T>) => pg.transaction((tx) => fn(queryable(tx))),
    listen: async (channel, onNotify) => {
      const unsubscribe = await pg.listen(channel, onNotify);
      return () => unsubscribe();
    },
    // Closing twice is harmless, as with postgres.js.
    close: async () => {
      if (!pg.closed) await pg.close();
    },
  };
}

function queryable(pg: PGlite | Transaction): Loadable {
  return {
    copyRows: async (table, columns, rows) => {
      const payload = copyPayload(rows);
      if (!payload) return;
      await pg.query(copyStatement(table, columns, "'/dev/blob'", payload.binary), [], {
        blob: new Blob([payload.data]),
      });
    },
    query: async <T>(text: string, params: readonly unknown[] = []) =>
      (await pg.query<T>(text, params as unknown[])).rows,
    exec: async (text: string) => {
      await pg.exec(text);
    },
  };
}
