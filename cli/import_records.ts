/**
 * Reads an import file as a stream of records with their line numbers:
 * NDJSON (one JSON object per line) or CSV (a header row of API field names;
 * `attributes` and `properties` columns hold JSON; empty cells are unset).
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { EngineError } from "../engine/errors.ts";

/** One record of the file and where it starts. */
export interface FileRecord {
  line: number;
  value: unknown;
  /** Set when the line could not be read as a record at all. */
  error?: string;
}

/** File formats the importer reads. */
export type ImportFormat = "ndjson" | "csv";

/** The format of `path`, by its extension. */
export function formatOf(path: string): ImportFormat {
  if (/\.(ndjson|jsonl|json)$/i.test(path)) return "ndjson";
  if (/\.csv$/i.test(path)) return "csv";
  throw new EngineError(
    "IMPORT_FAILED",
    `Cannot tell the format of ${path}: name it .ndjson/.jsonl (one JSON object per line) or .csv`,
  );
}

/** The records of `path`, streamed. */
export function readRecords(path: string, format: ImportFormat): AsyncGenerator<FileRecord> {
  return format === "csv" ? readCsv(path) : readNdjson(path);
}

async function* readNdjson(path: string): AsyncGenerator<FileRecord> {
  const file = await Deno.open(path);
  let line = 0;
  let buffered = "";
  const decoder = new TextDecoder();
  const emit = function* (text: string): Generator<FileRecord> {
    line++;
    if (text.trim() === "") return;
    if (line === 1 && text.trimStart().startsWith("[")) {
      throw new EngineError(
        "IMPORT_FAILED",
        `${path} is a JSON array; the importer reads NDJSON, one JSON object per line. ` +
          `Convert it with: jq -c '.[]' ${path} > records.ndjson`,
      );
    }
    try {
      yield { line, value: JSON.parse(text) };
    } catch {
      yield { line, value: null, error: "not valid JSON (each line must be one JSON object)" };
    }
  };
  for await (const chunk of file.readable) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield* emit(buffered.slice(0, newline).replace(/\r$/, ""));
      buffered = buffered.slice(newline + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered !== "") yield* emit(buffered);
}

const jsonColumns = new Set(["attributes", "properties"]);
const numberColumns = new Set(["mrr"]);

async function* readCsv(path: string): AsyncGenerator<FileRecord> {
  const parser = createReadStream(path).pipe(
    parse({ columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }),
  );
  for await (
    const { record, info } of parser as AsyncIterable<
      { record: Record<string, string>; info: { lines: number } }
    >
  ) {
    const value: Record<string, unknown> = {};
    let error: string | undefined;
    for (const [column, cell] of Object.entries(record)) {
      if (cell === "") continue;
      if (jsonColumns.has(column)) {
        try {
          value[column] = JSON.parse(cell);
        } catch {
          error = `column ${column} must hold JSON, e.g. {"feature":"contracts"}`;
        }
      } else if (numberColumns.has(column)) {
        value[column] = Number(cell);
      } else value[column] = cell;
    }
    yield error ? { line: info.lines, value, error } : { line: info.lines, value };
  }
}
