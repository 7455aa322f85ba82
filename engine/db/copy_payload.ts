/** What a `copyRows` call sends, whatever form its rows came in; both backends use it. */
import { CopyBinary } from "./copy_binary.ts";
import { type CopyText, encodeCopyText } from "./copy_text.ts";

/** The bytes or text of a load and its format; null when there is no row to load. */
export function copyPayload(
  rows: Iterable<readonly unknown[]> | CopyText | CopyBinary,
): { data: string | Uint8Array<ArrayBuffer>; binary: boolean } | null {
  if (rows instanceof CopyBinary) {
    return rows.rows === 0 ? null : { data: rows.bytes, binary: true };
  }
  const text = encodeCopyText(rows);
  return text === "" ? null : { data: text, binary: false };
}

/** The COPY statement of a load into `table`'s `columns` from `source`. */
export function copyStatement(
  table: string,
  columns: readonly string[],
  source: string,
  binary: boolean,
): string {
  return `copy ${table} (${columns.join(", ")}) from ${source}${
    binary ? " with (format binary)" : ""
  }`;
}
