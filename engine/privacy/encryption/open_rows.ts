/**
 * Whole rows of a table decrypted, whatever their columns: for exports that
 * read `select *` (privacy access and portability), where listing each
 * encrypted column again would drift from rotation_targets.ts. A value is
 * bound to its field (`table.column`, or `table.column.key` for an entry of
 * a jsonb object), which is how rows are opened here.
 */
import { isEncrypted } from "./keyring.ts";
import { openEntries, openText } from "./sealing.ts";

/** `rows` of `table` with every encrypted value (a column, or an entry of a jsonb column) decrypted. */
export async function openRows(
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  return await Promise.all(rows.map(async (row) => {
    const opened: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row)) {
      const field = `${table}.${column}`;
      if (typeof value === "string" && isEncrypted(value)) {
        opened[column] = await openText(field, value);
      } else if (isPlainObject(value)) {
        opened[column] = await openEntries(value, field);
      } else {
        opened[column] = value;
      }
    }
    return opened;
  }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}
