/**
 * "Why at risk" in plain words: the signals that make a customer at risk
 * (bands.ts), then the reasons behind them — the health components pulling
 * the score down most, the at-risk factors (inactivity, decline), and the
 * features that raise the churn prediction most.
 */
import type { CustomerHealth, HealthModel } from "../../health/mod.ts";
import type { CustomerPrediction } from "../../ml/mod.ts";
import { riskSignals, whole } from "./bands.ts";
import { readComponents, valueInWords } from "./component_words.ts";
import { contributionValue } from "./contribution_words.ts";

/** The summary at the top of an at-risk customer's page. */
export interface RiskSummary {
  /** What makes the customer at risk, e.g. "health 32 is poor (below 40)". */
  signals: string[];
  /** The reasons behind them, strongest first. */
  reasons: string[];
}

/** Components scoring below this are named as reasons. */
const LOW_COMPONENT = 50;
/** At-risk factors (0–100) from this up are named as reasons. */
const STRONG_FACTOR = 50;
const TOP = 3;

/** The summary, or null when the customer is not at risk. */
export function whyAtRisk(
  health: CustomerHealth,
  model: HealthModel,
  prediction: CustomerPrediction | null,
  currency: string,
): RiskSummary | null {
  const signals = riskSignals(health.latest, prediction);
  if (signals.length === 0) return null;
  const reasons: string[] = [];
  const latest = health.latest;
  if (latest) {
    const low = readComponents(latest.components, model)
      .filter((c) => c.weight > 0 && c.score < LOW_COMPONENT)
      // What the component costs the score: its weight times what it misses.
      .sort((a, b) => b.share * (100 - b.score) - a.share * (100 - a.score))
      .slice(0, TOP);
    for (const c of low) {
      reasons.push(
        `${c.label} scores low (${whole(c.score)}/100): ${c.measures}: ${valueInWords(c, model)}`,
      );
    }
    const factors = latest.atRiskFactors;
    if (factors.inactivity >= STRONG_FACTOR) {
      const days = Math.round(factors.inactivity / 100 * model.atRisk.inactivityDays);
      reasons.push(
        factors.inactivity >= 100
          ? `No activity for ${model.atRisk.inactivityDays} days or more`
          : `Little recent activity: about ${days} days since the last`,
      );
    }
    if (factors.decline >= STRONG_FACTOR) {
      const change = health.trend.change30d ?? health.trend.change7d;
      reasons.push(
        change === null
          ? "Health is declining"
          : `Health is declining: ${whole(change)} points over ${
            health.trend.change30d === null ? 7 : 30
          } days`,
      );
    }
  }
  for (const c of prediction?.contributions.filter((c) => c.contribution > 0).slice(0, TOP) ?? []) {
    reasons.push(`${c.description}: ${contributionValue(c, currency)} — raises the churn risk`);
  }
  return { signals, reasons };
}
