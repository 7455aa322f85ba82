/**
 * Stratified, seeded hold-out splits: each class keeps its share in both
 * parts, which matters for churn data where positives are a minority and a
 * plain random split can leave a validation set with few of them.
 */
import { seededUniform, shuffleInPlace } from "./random.ts";

/** Row positions of the two parts of a split, each in ascending order. */
export interface RowSplit {
  kept: Uint32Array;
  heldOut: Uint32Array;
}

/**
 * Holds out `fraction` of the rows of each class (rounded per class), chosen
 * at random with `seed`. `labels` are 0/1.
 */
export function stratifiedSplit(labels: Uint8Array, fraction: number, seed: number): RowSplit {
  const next = seededUniform(seed);
  const heldOut: number[] = [];
  for (const label of [0, 1]) {
    const rows = Uint32Array.from(classRows(labels, label));
    shuffleInPlace(rows, next);
    const take = Math.round(rows.length * fraction);
    for (let i = 0; i < take; i++) heldOut.push(rows[i]!);
  }
  const isHeldOut = new Uint8Array(labels.length);
  for (const row of heldOut) isHeldOut[row] = 1;
  const kept = new Uint32Array(labels.length - heldOut.length);
  const out = new Uint32Array(heldOut.length);
  let k = 0, h = 0;
  for (let row = 0; row < labels.length; row++) {
    if (isHeldOut[row]) out[h++] = row;
    else kept[k++] = row;
  }
  return { kept, heldOut: out };
}

function* classRows(labels: Uint8Array, label: number): Generator<number> {
  for (let row = 0; row < labels.length; row++) if (labels[row] === label) yield row;
}
