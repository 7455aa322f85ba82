/**
 * COPY FROM STDIN over postgres.js, settled either way. postgres.js hands
 * back a writable stream and ends the COPY when the stream finishes, but
 * when PostgreSQL refuses the rows after the last of them was sent (a
 * duplicate key, a bad value in a short load: most loads), it only rejects
 * the query object, which had already resolved with the stream, and the
 * stream never finishes: the caller would wait forever. The rejection is
 * caught here, where the query object reports it, and ends the wait.
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";
import { copyStatement } from "./copy_payload.ts";

/** Loads `data` (text, or binary when `binary`) into `table` with COPY; rejects with the server's error. */
export async function copyIn(
  sql: postgres.Sql | postgres.TransactionSql,
  table: string,
  columns: readonly string[],
  data: string | Uint8Array,
  binary: boolean,
): Promise<void> {
  const query = sql.unsafe(copyStatement(table, columns, "stdin", binary));
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
  // Bytes as a Node Buffer: what postgres.js's stream copies into its messages.
  const chunk = typeof data === "string"
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await Promise.race([pipeline(Readable.from([chunk]), target), refusal]);
}
