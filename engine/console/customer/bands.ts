/**
 * The words the customer pages put on numbers: a health score's band, and
 * when a customer counts as at risk. The engine scores health 0–100 but
 * names no bands; these are the console's, stated on the page and in
 * docs/console.md, and the at-risk threshold is the one the overview's
 * at-risk count uses (at-risk score over 70, mv_success_metrics).
 */
import type { PredictionSummary } from "../../ml/mod.ts";

/** A health score's band. */
export type HealthBand = "healthy" | "fair" | "poor";

/** The bands with their score ranges, best first (for the list's filter). */
export const healthBands: ReadonlyArray<
  { band: HealthBand; label: string; min: number; max: number }
> = [
  { band: "healthy", label: "Healthy (70–100)", min: 70, max: 100 },
  { band: "fair", label: "Fair (40–69)", min: 40, max: 69.99 },
  { band: "poor", label: "Poor (below 40)", min: 0, max: 39.99 },
];

/** At-risk scores above this count as at risk (the overview counts the same). */
export const AT_RISK_SCORE = 70;

/** A churn probability from this up, with a confident prediction, counts as at risk. */
export const CHURN_RISK_PROBABILITY = 0.5;

/** The band of `score`. */
export function healthBand(score: number): HealthBand {
  if (score >= 70) return "healthy";
  return score >= 40 ? "fair" : "poor";
}

/** Why a customer counts as at risk; empty when it does not. */
export function riskSignals(
  health: { score: number; atRiskScore: number } | null,
  prediction: PredictionSummary | null,
): string[] {
  const signals: string[] = [];
  if (health && healthBand(health.score) === "poor") {
    signals.push(`health ${whole(health.score)} is poor (below 40)`);
  }
  if (health && health.atRiskScore > AT_RISK_SCORE) {
    signals.push(`at-risk score ${whole(health.atRiskScore)} is over ${AT_RISK_SCORE}`);
  }
  if (prediction?.confident && prediction.probability >= CHURN_RISK_PROBABILITY) {
    signals.push(
      `the churn model gives ${percent(prediction.probability)} to churn, confidently`,
    );
  }
  return signals;
}

/** A score as people read it: at most one decimal. */
export function whole(value: number): string {
  return value.toLocaleString("en", { maximumFractionDigits: 1 });
}

/** A 0–1 share as a percentage. */
export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** An ISO time as `2026-06-15 09:30 UTC`. */
export function utc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
