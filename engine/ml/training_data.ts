/**
 * Training rows from the database: snapshots of the customers at past dates,
 * built with the same feature definition as scoring (features.ts), each
 * labelled by whether the customer churned within the horizon after it.
 * Snapshot dates end at least one horizon before the data's end, so every
 * label is known, and a feature only ever sees signals up to its snapshot:
 * nothing from the label's window leaks in. Rows are split into train and
 * test by customer (a stable hash), so a customer's snapshots never sit on
 * both sides.
 */
import { DAY_MS } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { stablePosition } from "../hash.ts";
import { planBatches } from "../health/mod.ts";
import { refreshDailyUsage } from "../signals/mod.ts";
import { buildFeatures, churnFeatureNames } from "./features.ts";

/** Which snapshots to take. */
export interface SnapshotOptions {
  /** The end of the data: labels are known up to here. */
  asOf: Date;
  horizonDays: number;
  /** How many snapshot dates (default 3), `everyDays` apart (default 30). */
  snapshots: number;
  everyDays: number;
  batchSize: number;
  onProgress?: (done: number, total: number) => void;
}

/** Labelled feature rows. */
export interface SnapshotSet {
  featureNames: readonly string[];
  values: Float32Array;
  labels: Uint8Array;
  customerIds: string[];
  /** Share of rows in the test split, by customer. */
  testMask: Uint8Array;
  snapshotDates: string[];
  rows: number;
}

/** The longest window a feature looks back over (features.ts). */
const LONGEST_WINDOW_DAYS = 90;
const TEST_SHARE = 0.2;

/** Builds the snapshots (MODEL_TRAINING_DATA_INSUFFICIENT when there is too little to learn from). */
export async function buildTrainingSet(
  db: Db,
  options: SnapshotOptions,
): Promise<SnapshotSet> {
  const width = churnFeatureNames.length;
  await refreshDailyUsage(db);
  // A snapshot needs the longest feature window of signals before it, or its
  // features would look unlike the ones scored today.
  const [start] = await db.query<{ first: Date | null }>(
    "select min(occurred_at) as first from usage_events",
  );
  const earliest = start?.first
    ? new Date(start.first).getTime() + LONGEST_WINDOW_DAYS * DAY_MS
    : 0;
  // Snapshots at UTC midnight: the features' windows are whole days before
  // the as-of day, so a snapshot sees exactly the days before it.
  const dates = Array.from(
    { length: options.snapshots },
    (_, k) =>
      new Date(
        Math.floor(options.asOf.getTime() / DAY_MS - options.horizonDays - k * options.everyDays) *
          DAY_MS,
      ),
  ).filter((date) => date.getTime() >= earliest).reverse();
  if (dates.length === 0) {
    throw new EngineError(
      "MODEL_TRAINING_DATA_INSUFFICIENT",
      `No snapshot date has both ${LONGEST_WINDOW_DAYS} days of signals before it and ` +
        `${options.horizonDays} days of outcomes after it: the signals start ` +
        `${start?.first ? new Date(start.first).toISOString().slice(0, 10) : "nowhere"}. ` +
        "Train again when there is more history, or with a shorter --horizon",
    );
  }
  const plans = await Promise.all(dates.map((date) => planBatches(db, date, options.batchSize)));
  const total = plans.reduce((sum, batches) => sum + batches.length, 0);
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  const customerIds: string[] = [];
  let done = 0;
  for (const [i, date] of dates.entries()) {
    const horizonEnd = new Date(date.getTime() + options.horizonDays * DAY_MS);
    for (const batch of plans[i]!) {
      const features = await buildFeatures(db, batch, date);
      const churned = await db.query<{ id: string }>(
        `select id from customers where id = any($1::text[])
           and churned_at > $2 and churned_at <= $3`,
        [features.customerIds, date, horizonEnd],
      );
      const churnedIds = new Set(churned.map((r) => r.id));
      parts.push(features.values);
      for (const id of features.customerIds) {
        labels.push(churnedIds.has(id) ? 1 : 0);
        customerIds.push(id);
      }
      options.onProgress?.(++done, total);
    }
  }
  const rows = labels.length;
  const values = new Float32Array(rows * width);
  let offset = 0;
  for (const part of parts) {
    values.set(part, offset);
    offset += part.length;
  }
  const positives = labels.reduce((sum, y) => sum + y, 0);
  if (rows < 100 || positives < 10 || positives === rows) {
    throw new EngineError(
      "MODEL_TRAINING_DATA_INSUFFICIENT",
      `Too little to learn from: ${rows} customer snapshots with ${positives} churned within ` +
        `${options.horizonDays} days (need at least 100 snapshots and 10 of each outcome). ` +
        "Snapshots end one horizon before the data does: more history, more --snapshots, or " +
        "a shorter --horizon helps",
    );
  }
  return {
    featureNames: churnFeatureNames,
    values,
    labels: Uint8Array.from(labels),
    customerIds,
    testMask: Uint8Array.from(customerIds, (id) => inTestSplit(id) ? 1 : 0),
    snapshotDates: dates.map((d) => d.toISOString()),
    rows,
  };
}

/** A customer's side of the split, the same in every run. */
export function inTestSplit(customerId: string): boolean {
  return stablePosition(`split\u0000${customerId}`) < TEST_SHARE;
}
