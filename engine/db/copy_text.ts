/** Rows encoded in PostgreSQL's COPY text format, for bulk loads. */

/** Encodes rows as COPY text: tab-separated, `\N` for null, JSON for objects. */
export function encodeCopyText(rows: Iterable<readonly unknown[]>): string {
  const lines: string[] = [];
  for (const row of rows) lines.push(row.map(encodeValue).join("\t"));
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

function encodeValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, escapeChar) : text;
}

function escapeChar(ch: string): string {
  return ch === "\\" ? "\\\\" : ch === "\t" ? "\\t" : ch === "\n" ? "\\n" : "\\r";
}
