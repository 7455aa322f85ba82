/**
 * Feature drift: how the values the model scores today are spread, against
 * how they were spread in its training data, as a population stability
 * index (PSI) per feature. Training records each feature's bins (deciles of
 * the training values, plus one bin for missing values) and their shares in
 * the model card; every scoring run counts its values into the same bins.
 */

/** One feature's training distribution. */
export interface FeatureReference {
  name: string;
  /** Upper bounds of the bins but the last (a value ≤ edges[i] falls in bin i). */
  edges: number[];
  /** Share of training rows per bin; the last entry is the missing-value bin. */
  shares: number[];
}

/** PSI above this: the feature's population has shifted (the common rule of thumb). */
export const PSI_SHIFTED = 0.25;
/** PSI above this: worth watching. */
export const PSI_MODERATE = 0.1;

const QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The bins and shares of each feature over `rows` rows of `names.length` values. */
export function featureReference(
  names: readonly string[],
  values: Float32Array,
  rows: number,
): FeatureReference[] {
  const width = names.length;
  return names.map((name, f) => {
    const present: number[] = [];
    for (let r = 0; r < rows; r++) {
      const x = values[r * width + f]!;
      if (!Number.isNaN(x)) present.push(x);
    }
    present.sort((a, b) => a - b);
    const edges = [
      ...new Set(QUANTILES.map((q) => present[Math.floor(q * (present.length - 1))]!)),
    ].filter((x) => x !== undefined && x < present.at(-1)!);
    const counts = countInto(edges, values, rows, width, f);
    return { name, edges, shares: counts.map((c) => rows > 0 ? c / rows : 0) };
  });
}

/** Counts of each feature's values per reference bin (the last bin: missing). */
export function binFeatures(
  reference: readonly FeatureReference[],
  values: Float32Array,
  rows: number,
  width: number,
): number[][] {
  return reference.map((feature, f) => countInto(feature.edges, values, rows, width, f));
}

function countInto(
  edges: readonly number[],
  values: Float32Array,
  rows: number,
  width: number,
  f: number,
): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (let r = 0; r < rows; r++) {
    const x = values[r * width + f]!;
    if (Number.isNaN(x)) counts[edges.length + 1]!++;
    else {
      let bin = 0;
      while (bin < edges.length && x > edges[bin]!) bin++;
      counts[bin]!++;
    }
  }
  return counts;
}

/**
 * PSI = Σ (actual − expected) · ln(actual / expected) over the bins, shares
 * floored at 0.0001 so an empty bin does not make it infinite.
 */
export function populationStabilityIndex(expected: readonly number[], counts: readonly number[]) {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total === 0) return null;
  let psi = 0;
  expected.forEach((share, i) => {
    const e = Math.max(share, 1e-4);
    const a = Math.max((counts[i] ?? 0) / total, 1e-4);
    psi += (a - e) * Math.log(a / e);
  });
  return psi;
}

/** One feature's drift. */
export interface FeatureDrift {
  feature: string;
  psi: number | null;
  status: "stable" | "moderate" | "shifted" | "unknown";
}

/** Drift of each feature: the reference against the bin counts of a scoring run. */
export function featureDrift(
  reference: readonly FeatureReference[],
  counts: readonly (readonly number[])[],
): FeatureDrift[] {
  return reference.map((feature, i) => {
    const psi = counts[i] ? populationStabilityIndex(feature.shares, counts[i]!) : null;
    const status = psi === null
      ? "unknown"
      : psi > PSI_SHIFTED
      ? "shifted"
      : psi > PSI_MODERATE
      ? "moderate"
      : "stable";
    return {
      feature: feature.name,
      psi: psi === null ? null : Math.round(psi * 1e4) / 1e4,
      status,
    };
  });
}
