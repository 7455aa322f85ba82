/**
 * Confidence intervals for comparing a treated group with its control group:
 * the difference of two proportions (retention rates) and of two means
 * (health change). Reports use them so an uplift comes with how sure it is.
 */

/** Confidence levels reports offer, with their two-sided normal quantile. */
export const confidenceLevels = { "0.9": 1.6448536, "0.95": 1.959964, "0.99": 2.5758293 } as const;

/** A confidence level, e.g. `"0.95"`. */
export type ConfidenceLevel = keyof typeof confidenceLevels;

/** An interval, low to high. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson's score interval for `successes` of `trials`: stays inside [0, 1]
 * and keeps its coverage for small groups and rates near 0 or 1, where the
 * textbook (Wald) interval does not.
 */
export function wilsonInterval(successes: number, trials: number, z: number): Interval {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p) + z2 / (4 * trials)) / trials);
  const denominator = 1 + z2 / trials;
  return {
    low: Math.max(0, (centre - spread) / denominator),
    high: Math.min(1, (centre + spread) / denominator),
  };
}

/**
 * The difference p1 − p2 of two independent proportions with Newcombe's
 * hybrid score interval (method 10 of Newcombe 1998, built from the two
 * Wilson intervals). Null when either group is empty.
 */
export function proportionDifference(
  treated: { successes: number; trials: number },
  control: { successes: number; trials: number },
  z: number,
): { difference: number; interval: Interval } | null {
  if (treated.trials <= 0 || control.trials <= 0) return null;
  const p1 = treated.successes / treated.trials;
  const p2 = control.successes / control.trials;
  const w1 = wilsonInterval(treated.successes, treated.trials, z);
  const w2 = wilsonInterval(control.successes, control.trials, z);
  const difference = p1 - p2;
  return {
    difference,
    interval: {
      low: difference - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
      high: difference + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
    },
  };
}

/** A group's size, mean and sample variance. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/**
 * The difference of two means with a Welch (unequal variances) interval,
 * normal approximation. Null when either group has fewer than two values.
 */
export function meanDifference(
  treated: Moments,
  control: Moments,
  z: number,
): { difference: number; interval: Interval } | null {
  if (treated.n < 2 || control.n < 2) return null;
  const difference = treated.mean - control.mean;
  const se = Math.sqrt(treated.variance / treated.n + control.variance / control.n);
  return { difference, interval: { low: difference - z * se, high: difference + z * se } };
}
