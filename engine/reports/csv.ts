/**
 * Rows as CSV (RFC 4180): a header row, CRLF line ends, a field quoted when
 * it holds a comma, a quote or a line break, quotes doubled. Written here:
 * it is a few lines, and csv-stringify would be one more dependency for it.
 */

/** A cell value of a report row. */
export type CsvValue = string | number | boolean | null;

/** `rows` as CSV with `columns` as the header, in that order; null is an empty field. */
export function toCsv<R extends object>(
  columns: ReadonlyArray<keyof R & string>,
  rows: readonly R[],
): string {
  const lines = [columns.map(field).join(",")];
  for (const row of rows) {
    lines.push(columns.map((column) => field(row[column] as CsvValue)).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function field(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
