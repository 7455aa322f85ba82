/**
 * Which domain events the marketing team hears about, and as what:
 *
 * - `at_risk`: a `health.changed` whose at-risk score crossed up to
 *   `minAtRiskScore`, or a `churn.predicted` at `minChurnProbability` or more
 *   (confident, unless `requireConfident` is off);
 * - `champion`: a `health.changed` whose score crossed up to the champion
 *   `minScore` while the customer is not at risk (at-risk score below
 *   `minAtRiskScore`);
 * - `milestone`: a `milestone.achieved` (of the configured milestones, or any).
 *
 * Crossings, not levels: health is re-scored often and `health.changed`
 * follows every move of 5 points, so a customer who stays at risk is sent
 * once, not at every move. `churn.predicted` already follows only moves of
 * 0.1 or more, so each confident, high prediction is sent.
 */
import type { PluginEvent } from "../../engine/plugins/mod.ts";
import type { MarketingSelection } from "./settings.ts";

/** What a selected event is to the marketing endpoint. */
export const marketingKinds = ["at_risk", "champion", "milestone"] as const;

/** What a selected event is to the marketing endpoint. */
export type MarketingKind = typeof marketingKinds[number];

/** The kind `event` is sent as, or null when it is not selected. */
export function selectEvent(
  event: Pick<PluginEvent, "type" | "payload">,
  selection: MarketingSelection,
): MarketingKind | null {
  const kind = kindOf(event, selection);
  return kind !== null && selection.kinds.has(kind) ? kind : null;
}

function kindOf(
  { type, payload }: Pick<PluginEvent, "type" | "payload">,
  selection: MarketingSelection,
): MarketingKind | null {
  switch (type) {
    case "milestone.achieved": {
      const key = payload.milestone;
      if (typeof key !== "string") return null;
      return selection.milestones.size === 0 || selection.milestones.has(key) ? "milestone" : null;
    }
    case "churn.predicted": {
      const probability = numberOr(payload.probability, null);
      if (probability === null || probability < selection.minChurnProbability) return null;
      return payload.confident === true || !selection.requireConfident ? "at_risk" : null;
    }
    case "health.changed":
      return healthKind(payload, selection);
    default:
      return null;
  }
}

function healthKind(
  payload: Readonly<Record<string, unknown>>,
  selection: MarketingSelection,
): MarketingKind | null {
  const score = numberOr(payload.score, null);
  const atRisk = numberOr(payload.atRiskScore, null);
  if (score === null || atRisk === null) return null;
  const previousScore = numberOr(payload.previousScore, null);
  const previousAtRisk = numberOr(payload.previousAtRiskScore, null);
  const riskLimit = selection.minAtRiskScore;
  if (atRisk >= riskLimit) {
    return previousAtRisk !== null && previousAtRisk >= riskLimit ? null : "at_risk";
  }
  if (score < selection.championMinScore) return null;
  const wasChampion = previousScore !== null && previousScore >= selection.championMinScore &&
    (previousAtRisk === null || previousAtRisk < riskLimit);
  return wasChampion ? null : "champion";
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
