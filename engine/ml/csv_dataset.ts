/**
 * Training data from a CSV file: the label column read as 0/1, a train/test
 * split (from a split file or stratified and seeded), and the feature
 * encoding fitted on the training rows (engine/ml/csv_encoding.ts).
 *
 * Rows are numbered as a person counts them in a spreadsheet below the
 * header: row 1 is the first data row (line 2 of the file). Split files list
 * 0-based positions, as scikit-learn's indices are.
 */
import { parse } from "csv-parse";
import { z } from "zod";
import { EngineError } from "../errors.ts";
import {
  type CategoricalEncoding,
  checkNumericCells,
  type CsvTable,
  type DatasetEncoding,
  encodeTable,
  fitEncoding,
} from "./csv_encoding.ts";
import { stratifiedSplit } from "./gbdt/mod.ts";

/** Rows ready for training or evaluation: row-major features (NaN = missing) and 0/1 labels. */
export interface Dataset {
  featureNames: string[];
  features: Float32Array;
  labels: Uint8Array;
  /** Each row's 0-based position in the file (header excluded). */
  positions: Uint32Array;
}

/** What to read and how. */
export interface CsvDatasetOptions {
  /** The CSV file. */
  file: string;
  /** The label column: Yes/No, Y/N, true/false or 1/0 in any case; 1 is the positive class. */
  label: string;
  /** Columns that are not features (identifiers, leaky columns). */
  ignore?: readonly string[] | undefined;
  /** How text columns are encoded; default "one-hot". */
  categorical?: CategoricalEncoding | undefined;
  /** A JSON file `{ "train": number[], "test": number[] }` of 0-based row positions. */
  splitFile?: string | undefined;
  /** Share of rows held out for testing when there is no split file; default 0.2. */
  testFraction?: number | undefined;
  /** Seeds the split when there is no split file; default 42. */
  seed?: number | undefined;
}

/** A CSV read and split, with its encoding. */
export interface CsvDataset {
  table: CsvTable;
  encoding: DatasetEncoding;
  train: Dataset;
  test: Dataset;
  /** How the split was made, for the model card. */
  split: string;
}

/** Reads, labels, splits and encodes a CSV file for training. */
export async function loadCsvDataset(options: CsvDatasetOptions): Promise<CsvDataset> {
  const table = await readCsvTable(options.file);
  const { labels, positive, negative } = readLabels(table, options.label);
  const ignore = options.ignore ?? [];
  for (const column of ignore) {
    if (!table.columns.includes(column)) {
      throw new EngineError(
        "DATASET_INVALID",
        `The ignore list names "${column}", which is not a column of ${table.source}; ` +
          `its columns are ${table.columns.join(", ")}`,
      );
    }
  }
  const seed = options.seed ?? 42;
  const testFraction = options.testFraction ?? 0.2;
  const { train, test } = options.splitFile
    ? await readSplitFile(options.splitFile, table.rows.length)
    : stratifiedPositions(labels, testFraction, seed);
  const encoding = fitEncoding(table, train, {
    label: { column: options.label, positive, negative },
    ignore,
    categorical: options.categorical ?? "one-hot",
  });
  checkNumericCells(table, encoding);
  const dataset = (positions: Uint32Array): Dataset => ({
    featureNames: encoding.featureNames,
    features: encodeTable(table, encoding, positions),
    labels: Uint8Array.from(positions, (r) => labels[r]!),
    positions,
  });
  const split = options.splitFile
    ? `the split file ${options.splitFile}`
    : `stratified ${Math.round((1 - testFraction) * 100)}/${
      Math.round(testFraction * 100)
    }, seed ${seed}`;
  return { table, encoding, train: dataset(train), test: dataset(test), split };
}

/** Reads a CSV file with a header row. */
export async function readCsvTable(file: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new EngineError("DATASET_INVALID", `Cannot read ${file}: ${why}`, { cause: error });
  }
  return await parseCsvText(text, file);
}

/** Parses CSV text with a header row; `source` names it in messages. */
export function parseCsvText(text: string, source: string): Promise<CsvTable> {
  return new Promise((resolve, reject) => {
    parse(text, { bom: true, skip_empty_lines: true }, (error, records) => {
      if (error) {
        reject(
          new EngineError("DATASET_INVALID", `Cannot read ${source} as CSV: ${error.message}`, {
            cause: error,
          }),
        );
        return;
      }
      const [header, ...rows] = records;
      if (!header || rows.length === 0) {
        reject(new EngineError("DATASET_INVALID", `${source} has no data rows under a header`));
        return;
      }
      const duplicate = header.find((name, i) => header.indexOf(name) !== i);
      if (duplicate !== undefined) {
        reject(new EngineError("DATASET_INVALID", `${source} has two columns "${duplicate}"`));
        return;
      }
      resolve({ source, columns: header, rows });
    });
  });
}

const POSITIVE = new Set(["yes", "y", "true", "1"]);
const NEGATIVE = new Set(["no", "n", "false", "0"]);

/** The label column as 0/1, and the raw values seen for each class. */
export function readLabels(
  table: CsvTable,
  column: string,
): { labels: Uint8Array; positive: string[]; negative: string[] } {
  const c = table.columns.indexOf(column);
  if (c < 0) {
    throw new EngineError(
      "DATASET_INVALID",
      `${table.source} has no label column "${column}"; its columns are ${
        table.columns.join(", ")
      }`,
    );
  }
  const labels = new Uint8Array(table.rows.length);
  const positive = new Set<string>(), negative = new Set<string>();
  table.rows.forEach((row, r) => {
    const raw = row[c]!.trim();
    const value = raw.toLowerCase();
    if (POSITIVE.has(value)) {
      labels[r] = 1;
      positive.add(raw);
    } else if (NEGATIVE.has(value)) {
      negative.add(raw);
    } else {
      const what = raw === "" ? "is blank" : `"${row[c]}" is not a label value`;
      throw new EngineError(
        "DATASET_INVALID",
        `Column "${column}", row ${r + 1}: ${what}; ` +
          "labels are Yes/No, Y/N, true/false or 1/0 (1 = churned)",
      );
    }
  });
  if (positive.size === 0 || negative.size === 0) {
    const only = [...positive, ...negative].join(", ");
    throw new EngineError(
      "DATASET_INVALID",
      `Column "${column}" holds only ${only} in all ${table.rows.length} rows; ` +
        "a classifier needs rows of both classes",
    );
  }
  return { labels, positive: [...positive].sort(), negative: [...negative].sort() };
}

const splitFileSchema = z.object({
  train: z.array(z.int().min(0)).min(1),
  test: z.array(z.int().min(0)).min(1),
});

/** Reads a split file and checks its positions against a table of `rowCount` rows. */
export async function readSplitFile(
  file: string,
  rowCount: number,
): Promise<{ train: Uint32Array; test: Uint32Array }> {
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    throw new EngineError("DATASET_INVALID", `Cannot read the split file ${file}: ${error}`, {
      cause: error,
    });
  }
  const parsed = splitFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EngineError(
      "DATASET_INVALID",
      `The split file ${file} is not { "train": [...], "test": [...] } of row positions: ` +
        `${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const seen = new Uint8Array(rowCount);
  for (const [part, positions] of Object.entries(parsed.data)) {
    for (const position of positions) {
      if (position >= rowCount) {
        throw new EngineError(
          "DATASET_INVALID",
          `The split file ${file} lists position ${position} in "${part}", ` +
            `but the data has ${rowCount} rows (positions 0 to ${rowCount - 1})`,
        );
      }
      if (seen[position]) {
        throw new EngineError(
          "DATASET_INVALID",
          `The split file ${file} lists position ${position} twice; ` +
            "each row belongs to one part at most",
        );
      }
      seen[position] = 1;
    }
  }
  return {
    train: Uint32Array.from(parsed.data.train),
    test: Uint32Array.from(parsed.data.test),
  };
}

function stratifiedPositions(labels: Uint8Array, testFraction: number, seed: number) {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `The test fraction must be between 0 and 1, not ${testFraction}`,
    );
  }
  const { kept, heldOut } = stratifiedSplit(labels, testFraction, seed);
  return { train: kept, test: heldOut };
}
