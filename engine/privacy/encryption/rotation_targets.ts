/**
 * Every place personal values are stored encrypted, as keys:rotate walks
 * them: the table, the key its batches are ordered by, and each sealed
 * column with its data type and the field name bound into its values. The
 * writers (engine/signals, engine/interventions, plugins/marketing) seal with
 * the same field names; a column added there is added here.
 */
import { PERSONAL_ATTRIBUTES, type PiiType, PLAIN_EVENT_PROPERTIES } from "./data_types.ts";

/** A column of one encrypted text value. */
export interface SealedTextColumn {
  kind: "text";
  column: string;
  field: string;
  type: PiiType;
}

/** A jsonb column whose personal entries are each encrypted (sealEntries). */
export interface SealedEntriesColumn {
  kind: "entries";
  column: string;
  field: string;
  /** The type of entry `key`, or null when it stays readable. */
  typeOf(key: string, value: unknown): PiiType | null;
  /** The same rule in SQL over `e` (a row of jsonb_each): true when the entry is personal. */
  personalSql: string;
}

/** One table to rotate. */
export interface RotationTarget {
  table: string;
  /** Columns that identify a row and order the batches, with their SQL types. */
  key: { column: string; type: string }[];
  columns: (SealedTextColumn | SealedEntriesColumn)[];
  /** customers.email_index: recomputed from the email attribute under the active index key. */
  emailIndex?: { column: string; entries: string; attribute: string };
}

const personalAttributes = Object.keys(PERSONAL_ATTRIBUTES);
const sqlList = (values: readonly string[]) =>
  `array[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ")}]::text[]`;

/** The tables keys:rotate walks, in order. */
export const ROTATION_TARGETS: readonly RotationTarget[] = [
  {
    table: "customers",
    key: [{ column: "id", type: "text" }],
    columns: [
      { kind: "text", column: "name", field: "customers.name", type: "name" },
      {
        kind: "entries",
        column: "attributes",
        field: "customers.attributes",
        typeOf: (key) => PERSONAL_ATTRIBUTES[key] ?? null,
        personalSql: `e.key = any(${sqlList(personalAttributes)})`,
      },
    ],
    emailIndex: { column: "email_index", entries: "attributes", attribute: "email" },
  },
  {
    table: "usage_events",
    key: [
      { column: "customer_id", type: "text" },
      { column: "occurred_at", type: "timestamptz" },
      { column: "event_id", type: "text" },
    ],
    columns: [{
      kind: "entries",
      column: "properties",
      field: "usage_events.properties",
      typeOf: (key, value) =>
        PLAIN_EVENT_PROPERTIES.has(key) || (typeof value !== "string" && typeof value !== "object")
          ? null
          : "text",
      personalSql: `e.key <> all(${sqlList([...PLAIN_EVENT_PROPERTIES])}) and ` +
        "jsonb_typeof(e.value) in ('string', 'object', 'array')",
    }],
  },
  {
    table: "in_app_messages",
    key: [{ column: "id", type: "bigint" }],
    columns: [
      { kind: "text", column: "subject", field: "in_app_messages.subject", type: "text" },
      { kind: "text", column: "body", field: "in_app_messages.body", type: "text" },
    ],
  },
  {
    table: "template_test_sends",
    key: [{ column: "id", type: "bigint" }],
    columns: [
      {
        kind: "text",
        column: "recipient",
        field: "template_test_sends.recipient",
        type: "contact",
      },
      { kind: "text", column: "error", field: "template_test_sends.error", type: "text" },
    ],
  },
  {
    // plugins/marketing/field_sealing.ts: the name and the picked attributes.
    table: "marketing_outbox",
    key: [{ column: "id", type: "bigint" }],
    columns: [{
      kind: "entries",
      column: "fields",
      field: "marketing_outbox.fields",
      typeOf: (key) => key === "name" ? "name" : key === "attributes" ? "contact" : null,
      personalSql: "e.key in ('name', 'attributes')",
    }],
  },
  {
    // plugins/offline/answer_sealing.ts: a remembered answer's customer (`current`).
    table: "offline_push_receipts",
    key: [{ column: "key", type: "text" }],
    columns: [{
      kind: "entries",
      column: "answer",
      field: "offline_push_receipts.answer",
      typeOf: (key) => key === "current" ? "name" : null,
      personalSql: "e.key = 'current'",
    }],
  },
  {
    table: "success_interventions",
    key: [{ column: "id", type: "bigint" }],
    columns: [{
      kind: "text",
      column: "last_error",
      field: "success_interventions.last_error",
      type: "text",
    }],
  },
];
