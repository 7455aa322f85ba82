/**
 * The changed latest predictions of a scored batch and their
 * `churn.predicted` events, gathered row by row and written together. A customer
 * with no latest prediction yet gets one by COPY (binary), as do the events
 * (text: their payload is JSON): COPY inserts a page of rows at a time,
 * where an INSERT writes a row at a time (bench/README.md). Rows to replace
 * go through one upsert. The stage is the only writer of latest predictions
 * and runs one cycle at a time, so no row appears between the batch's read
 * and its COPY.
 */
import { BinaryCopyWriter, BinaryField, copyField, CopyText, type Loadable } from "../db/mod.ts";

/** One batch's writes: `add` each changed prediction, then `write` once. */
export class LatestPredictionWrites {
  readonly #inserts = new BinaryCopyWriter();
  readonly #events: string[] = [];
  readonly #ids: string[] = [];
  readonly #probabilities: number[] = [];
  readonly #confidences: number[] = [];
  // Text, not boolean: the PostgreSQL driver cannot send an array of booleans.
  readonly #confident: string[] = [];
  // The model version and the prediction time, encoded once for every row.
  readonly #version: BinaryField;
  readonly #at: BinaryField;
  readonly #eventVersion: string;
  readonly #eventTime: string;

  constructor(readonly modelVersion: string, readonly asOf: Date) {
    this.#version = BinaryField.text(modelVersion);
    this.#at = BinaryField.timestamp(asOf);
    this.#eventVersion = copyField(JSON.stringify(modelVersion));
    this.#eventTime = asOf.toISOString();
  }

  get size(): number {
    return this.#inserts.rows + this.#ids.length;
  }

  /**
   * Adds a changed prediction of `id`; `event` is the previous prediction an
   * event reports (undefined for a first prediction), or null for no event.
   */
  add(
    id: string,
    probability: number,
    confidence: number,
    confident: boolean,
    event: { probability: number } | null | undefined,
  ): void {
    if (event === undefined) {
      this.#inserts.row(6).text(id).field(this.#version).float8(probability).float8(confidence)
        .bool(confident).field(this.#at);
    } else {
      this.#ids.push(id);
      this.#probabilities.push(probability);
      this.#confidences.push(confidence);
      this.#confident.push(String(confident));
    }
    if (event === null) return;
    const previous = event === undefined ? "null" : String(round4(event.probability));
    this.#events.push(
      `churn.predicted\t${copyField(id)}\t{"probability":${round4(probability)},` +
        `"previousProbability":${previous},"confident":${confident},` +
        `"modelVersion":${this.#eventVersion}}\t${this.#eventTime}\n`,
    );
  }

  /** Writes the rows and their events; returns the events written. */
  async write(tx: Loadable): Promise<number> {
    await tx.copyRows("churn_predictions_latest", [
      "customer_id",
      "model_version",
      "probability",
      "confidence",
      "confident",
      "predicted_at",
    ], this.#inserts.finish());
    if (this.#ids.length > 0) {
      // Scalar arrays, not an array of JSON documents: parsing those cost more than the rows.
      await tx.query(REPLACE_LATEST, [
        this.#ids,
        this.#probabilities,
        this.#confidences,
        this.#confident,
        this.modelVersion,
        this.asOf,
      ]);
    }
    await tx.copyRows(
      "event_log",
      ["type", "customer_id", "payload", "occurred_at"],
      new CopyText(this.#events.join("")),
    );
    return this.#events.length;
  }
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

const REPLACE_LATEST = `
  insert into churn_predictions_latest (customer_id, model_version, probability, confidence,
    confident, predicted_at)
  select customer_id, $5, probability, confidence, confident::boolean, $6
  from unnest($1::text[], $2::float8[], $3::float8[], $4::text[])
    as t(customer_id, probability, confidence, confident)
  on conflict (customer_id) do update set model_version = excluded.model_version,
    probability = excluded.probability, confidence = excluded.confidence,
    confident = excluded.confident, predicted_at = excluded.predicted_at`;
