/**
 * Seeded synthetic data for the churn benchmark: rows of the engine's own
 * features (to train the model the cycle scores, and to time inference), and
 * a 20-feature set with a learnable signal and missing values (to time
 * training). Labels come from a known noisy function, so a model can learn
 * them and no tree is cut short for want of signal.
 */
import { churnFeatureNames, seededUniform } from "../../engine/ml/mod.ts";

/** Row-major float32 features (NaN = missing) and 0/1 labels. */
export interface SyntheticSet {
  featureNames: string[];
  features: Float32Array;
  labels: Uint8Array;
}

type Draw = (next: () => number) => number;

const int = (max: number): Draw => (next) => Math.floor(next() * (max + 1));
const between = (min: number, max: number): Draw => (next) => min + next() * (max - min);
const sometimes = (missing: number, draw: Draw): Draw => (next) =>
  next() < missing ? NaN : draw(next);

// Ranges like the demo population's; a feature added to the engine later gets 0..100.
const CHURN_FEATURE_DRAWS: Record<string, Draw> = {
  tenure_days: int(1500),
  mrr: (next) => Math.round(29 * Math.exp(next() * 2.5) * 100) / 100,
  plan: int(3),
  vendor_type: int(11),
  logins_7d: int(14),
  logins_30d: int(60),
  logins_prev_30d: int(60),
  active_days_30d: int(30),
  days_since_last_event: between(0, 90),
  features_used_30d: int(40),
  clients_added_90d: int(25),
  forms_sent_30d: int(30),
  payments_failed_90d: (next) => (next() < 0.85 ? 0 : int(3)(next)),
  tickets_opened_90d: int(8),
  open_tickets: int(4),
  nps_last: sometimes(0.7, int(10)),
  health_score: sometimes(0.02, between(0, 100)),
  health_change_30d: sometimes(0.5, between(-30, 30)),
  milestones_achieved: int(8),
};

/**
 * `rows` rows of the engine's churn features (churnFeatureNames, in order),
 * labelled churned when a noisy risk built from usage, billing, support and
 * health is high (about a quarter of the rows).
 */
export function syntheticChurnRows(rows: number, seed: number): SyntheticSet {
  const names = [...churnFeatureNames];
  const next = seededUniform(seed);
  const draws = names.map((name) => CHURN_FEATURE_DRAWS[name] ?? between(0, 100));
  const at = (name: string) => names.indexOf(name);
  const [logins, quiet, failed, tickets, health, tenure, nps] = [
    at("logins_30d"),
    at("days_since_last_event"),
    at("payments_failed_90d"),
    at("open_tickets"),
    at("health_score"),
    at("tenure_days"),
    at("nps_last"),
  ];
  const value = (row: Float32Array, i: number, fallback: number) =>
    i < 0 || Number.isNaN(row[i]!) ? fallback : row[i]!;
  const features = new Float32Array(rows * names.length);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = features.subarray(r * names.length, (r + 1) * names.length);
    draws.forEach((draw, i) => (row[i] = draw(next)));
    const risk = -1.6 +
      1.8 * (value(row, quiet, 0) > 30 ? 1 : 0) +
      0.9 * value(row, failed, 0) +
      0.35 * value(row, tickets, 0) -
      0.03 * value(row, logins, 30) +
      0.02 * (50 - value(row, health, 50)) +
      (value(row, tenure, 400) < 90 ? 0.8 : 0) -
      0.12 * (value(row, nps, 5) - 5) +
      1.2 * (next() - 0.5);
    labels[r] = next() < 1 / (1 + Math.exp(-risk)) ? 1 : 0;
  }
  return { featureNames: names, features, labels };
}

/**
 * `rows` rows of `width` features — numeric, counts, small categories and
 * pure noise — with `missing` of the values NaN, labelled by a noisy
 * function of thresholds, interactions and a smooth part.
 */
export function syntheticTrainingSet(
  rows: number,
  options: { width: number; missing: number; seed: number },
): SyntheticSet {
  const { width, missing } = options;
  const next = seededUniform(options.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const features = new Float32Array(rows * width);
  const labels = new Uint8Array(rows);
  const clean = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < width; f++) {
      // Four kinds of column, in turn: normal, count, category, uniform.
      const kind = f % 4;
      clean[f] = kind === 0
        ? normal()
        : kind === 1
        ? Math.floor(-Math.log(1 - next()) * (1 + f))
        : kind === 2
        ? Math.floor(next() * 6)
        : next() * 100;
      features[r * width + f] = next() < missing ? NaN : clean[f]!;
    }
    const x = (f: number) => clean[f % width]!;
    const signal = 1.2 * x(0) -
      0.8 * (x(1) > 3 ? 1 : 0) +
      (x(2) === 3 || x(2) === 5 ? 0.9 : -0.3) +
      0.02 * (x(3) - 50) +
      0.7 * x(4) * (x(6) >= 3 ? 1 : -1) +
      Math.sin(x(8) * 2) -
      0.5 * Math.log1p(x(5)) +
      0.015 * (x(7) - 50) * (x(12) > 0 ? 1 : 0) +
      0.6 * normal();
    labels[r] = next() < 1 / (1 + Math.exp(-(signal - 0.8))) ? 1 : 0;
  }
  const featureNames = Array.from({ length: width }, (_, f) => `x${String(f).padStart(2, "0")}`);
  return { featureNames, features, labels };
}

/** The mean logistic loss of probabilities `p` against `labels`. */
export function logLoss(p: ArrayLike<number>, labels: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const q = Math.min(Math.max(p[i]!, 1e-15), 1 - 1e-15);
    sum -= labels[i] ? Math.log(q) : Math.log(1 - q);
  }
  return sum / labels.length;
}

/** The first `rows` rows of `set`. */
export function head(set: SyntheticSet, rows: number): SyntheticSet {
  const width = set.featureNames.length;
  return {
    featureNames: set.featureNames,
    features: set.features.subarray(0, rows * width),
    labels: set.labels.subarray(0, rows),
  };
}
