/**
 * How CSV columns become numeric features: numbers as they are (a blank
 * cell is missing, NaN), text columns one-hot or ordinal encoded. The
 * encoding is fitted on the training rows only (so the test rows stay
 * unseen) and is plain JSON, stored beside the model so rows scored later
 * are encoded exactly as the training rows were.
 */
import { z } from "zod";
import { EngineError } from "../errors.ts";

/** A column's encoding. One-hot makes a `column=category` feature per category. */
export const columnEncodingSchema = z.discriminatedUnion("kind", [
  z.object({ column: z.string(), kind: z.literal("numeric") }),
  z.object({ column: z.string(), kind: z.literal("one-hot"), categories: z.array(z.string()) }),
  z.object({ column: z.string(), kind: z.literal("ordinal"), categories: z.array(z.string()) }),
]);

/** Everything needed to turn a CSV row into the model's feature vector. */
export const datasetEncodingSchema = z.object({
  version: z.literal(1),
  label: z.object({
    column: z.string(),
    /** The raw values read as 1 (churned) and as 0. */
    positive: z.array(z.string()),
    negative: z.array(z.string()),
  }),
  columns: z.array(columnEncodingSchema),
  /** Columns not used as features, and why. */
  ignored: z.array(
    z.object({ column: z.string(), reason: z.enum(["listed", "identifier"]) }),
  ),
  featureNames: z.array(z.string()),
});

/** One column's encoding. */
export type ColumnEncoding = z.infer<typeof columnEncodingSchema>;
/** A fitted encoding (JSON). */
export type DatasetEncoding = z.infer<typeof datasetEncodingSchema>;

/** How text columns are encoded: one 0/1 feature per category, or one feature holding the category's index. */
export type CategoricalEncoding = "one-hot" | "ordinal";

/** A CSV as read: its header and each row's cells (all rows as long as the header). */
export interface CsvTable {
  /** Where it came from, for messages (a file path). */
  source: string;
  columns: string[];
  rows: string[][];
}

/** What `fitEncoding` needs besides the table. */
export interface EncodingChoices {
  label: { column: string; positive: string[]; negative: string[] };
  ignore: readonly string[];
  categorical: CategoricalEncoding;
}

/** A share of numeric cells at or above this makes a column numeric (its other cells are errors). */
const NUMERIC_SHARE = 0.9;
/** A text column is an identifier when its training values are all distinct and at least this many. */
const IDENTIFIER_MIN_VALUES = 10;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number in a cell, NaN for a blank cell, or null when it is not a
 * number the model can compare (one beyond float32's range, like 1e39, is not).
 */
export function parseNumberCell(cell: string): number | null {
  const text = cell.trim();
  if (text === "") return NaN;
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(Math.fround(value)) ? value : null;
}

/**
 * Decides each column's encoding from `rows` (the training rows): numeric
 * when at least 90 % of its non-blank cells in the whole table are numbers,
 * else categorical; a text column whose training values are all distinct is
 * an identifier and not used.
 */
export function fitEncoding(
  table: CsvTable,
  rows: Uint32Array,
  choices: EncodingChoices,
): DatasetEncoding {
  const columns: ColumnEncoding[] = [];
  const ignored: DatasetEncoding["ignored"] = choices.ignore.map((column) => ({
    column,
    reason: "listed" as const,
  }));
  table.columns.forEach((column, c) => {
    if (column === choices.label.column || choices.ignore.includes(column)) return;
    if (isNumericColumn(table, c)) {
      columns.push({ column, kind: "numeric" });
      return;
    }
    const values = new Set<string>();
    let filled = 0;
    for (const r of rows) {
      const cell = table.rows[r]![c]!.trim();
      if (cell === "") continue;
      values.add(cell);
      filled++;
    }
    if (values.size === filled && filled >= IDENTIFIER_MIN_VALUES) {
      ignored.push({ column, reason: "identifier" });
      return;
    }
    const categories = [...values].sort();
    columns.push({ column, kind: choices.categorical, categories });
  });
  return {
    version: 1,
    label: choices.label,
    columns,
    ignored,
    featureNames: columns.flatMap(featureNamesOf),
  };
}

/** The feature names a column encodes to. */
function featureNamesOf(encoding: ColumnEncoding): string[] {
  return encoding.kind === "one-hot"
    ? encoding.categories.map((category) => `${encoding.column}=${category}`)
    : [encoding.column];
}

/**
 * Row-major features of `rows` (default: all) of `table` (NaN for missing). A blank text
 * cell is missing (NaN in each of its one-hot features); a category not seen
 * in training is 0 in every one-hot feature, or missing when ordinal.
 */
export function encodeTable(
  table: CsvTable,
  encoding: DatasetEncoding,
  rows: Uint32Array = Uint32Array.from(table.rows.keys()),
): Float32Array {
  const index = new Map(table.columns.map((name, c) => [name, c]));
  const positions = encoding.columns.map(({ column }) => {
    const c = index.get(column);
    if (c === undefined) {
      throw new EngineError(
        "DATASET_INVALID",
        `${table.source} has no column "${column}", which the model's encoding needs`,
      );
    }
    return c;
  });
  const width = encoding.featureNames.length;
  const out = new Float32Array(rows.length * width);
  const lookups = encoding.columns.map((col) =>
    col.kind === "numeric" ? null : new Map(col.categories.map((category, i) => [category, i]))
  );
  rows.forEach((r, i) => {
    let f = i * width;
    encoding.columns.forEach((col, k) => {
      const cell = table.rows[r]![positions[k]!]!;
      const lookup = lookups[k];
      if (col.kind === "numeric" || !lookup) {
        out[f++] = numberOrThrow(cell, col.column, r);
        return;
      }
      const text = cell.trim();
      const category = text === "" ? undefined : lookup.get(text);
      if (col.kind === "ordinal") {
        out[f++] = category ?? NaN;
        return;
      }
      for (let j = 0; j < col.categories.length; j++) {
        out[f++] = text === "" ? NaN : j === category ? 1 : 0;
      }
    });
  });
  return out;
}

/**
 * Throws for the first cell, in file order, of a numeric column that is
 * neither a number nor blank: checked over every row before any is encoded.
 */
export function checkNumericCells(table: CsvTable, encoding: DatasetEncoding): void {
  const numeric = encoding.columns
    .filter((col) => col.kind === "numeric")
    .map((col) => ({ column: col.column, c: table.columns.indexOf(col.column) }));
  table.rows.forEach((row, r) => {
    for (const { column, c } of numeric) numberOrThrow(row[c]!, column, r);
  });
}

function isNumericColumn(table: CsvTable, c: number): boolean {
  let filled = 0, numbers = 0;
  for (const row of table.rows) {
    const parsed = parseNumberCell(row[c]!);
    if (Number.isNaN(parsed)) continue;
    filled++;
    if (parsed !== null) numbers++;
  }
  return filled > 0 && numbers >= NUMERIC_SHARE * filled;
}

/** The cell's number; `position` is the row's 0-based position, reported 1-based. */
function numberOrThrow(cell: string, column: string, position: number): number {
  const value = parseNumberCell(cell);
  if (value !== null) return value;
  throw new EngineError(
    "DATASET_INVALID",
    `Column "${column}", row ${position + 1}: "${cell}" is not a number; ` +
      "fix the cell or leave it blank for a missing value",
  );
}
