/** Rows encoded in PostgreSQL's COPY text format, for bulk loads. */

/**
 * Rows already in COPY text format (lines ending in a newline), for a caller
 * that writes many rows of a known shape: building each line as one string
 * spares the per-value arrays and checks of `encodeCopyText`.
 */
export class CopyText {
  constructor(readonly text: string) {}
}

/** Encodes rows as COPY text: tab-separated, `\N` for null, JSON for objects. */
export function encodeCopyText(rows: Iterable<readonly unknown[]> | CopyText): string {
  if (rows instanceof CopyText) return rows.text;
  const lines: string[] = [];
  for (const row of rows) lines.push(row.map(encodeValue).join("\t"));
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

function encodeValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  return copyField(typeof value === "object" ? JSON.stringify(value) : String(value));
}

/** `text` as one COPY text field: backslashes, tabs and line breaks escaped. */
export function copyField(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, escapeChar) : text;
}

function escapeChar(ch: string): string {
  return ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r";
}
