/**
 * COPY FROM STDIN over postgres.js, settled either way. postgres.js hands
 * back a writable stream and ends the COPY when the stream finishes, but
 * when PostgreSQL refuses the rows after the last of them was sent (a
 * duplicate key, a bad value in a short load: most loads), it only rejects
 * the query object, which had already resolved with the stream, and the
 * stream never finishes: the caller would wait forever. The rejection is
 * caught here, where the query object reports it, and ends the wait.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";

/** Loads `data` (text, or binary when `binary`) into `table` with COPY; rejects with the server's error. */
export async function copyIn(
  sql: postgres.Sql | postgres.TransactionSql,
  table: string,
  columns: readonly string[],
  data: string | Uint8Array,
  binary: boolean,
): Promise<void> {
  const query = sql.unsafe(
    `copy ${table} (${columns.join(", ")}) from stdin${binary ? " with (format binary)" : ""}`,
  );
  let refused: (error: unknown) => void = () => {};
  const refusal = new Promise<never>((_, reject) => refused = reject);
  // Also reported when the stream failed first; that rejection is the one awaited then.
  refusal.catch(() => {});
  // The query's own reject, called by postgres.js with the server's error (see above).
  const settle = query as unknown as { reject: (error: unknown) => void };
  const reject = settle.reject;
  settle.reject = (error) => {
    refused(error);
    reject(error);
  };
  const target = await query.writable();
  await Promise.race([pipeline(Readable.from([data]), target), refusal]);
}
