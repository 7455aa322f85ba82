/**
 * The metrics a dashboard shows, kept up to date from the events the feed
 * carries, and the change each event makes (a delta). README.md defines
 * each metric.
 *
 * Counters count events since the feed started. Gauges (at-risk customers,
 * average health, likely to churn) cover the customers the feed has heard
 * about since it started: a customer joins with the previous scores its
 * first event carries, so a change is exactly what that event moved, even
 * for a customer the feed had not seen before. The feed keeps three numbers
 * per such customer, bounded by the number of customers.
 */
import type { PluginEvent } from "../../engine/plugins/mod.ts";
import { RecentIds } from "./recent_ids.ts";

/** A customer is at risk when its at-risk score is above this (the seed's `at_risk_score > 70`). */
export const AT_RISK_ABOVE = 70;

/** A customer is likely to churn when its churn probability is at least this. */
export const LIKELY_TO_CHURN_FROM = 0.5;

/** The metrics, in the order a hello lists them. */
export const metricNames = [
  "atRiskCustomers",
  "averageHealth",
  "likelyToChurn",
  "customersAdded",
  "milestonesAchieved",
  "rulesFired",
  "interventionsPlanned",
  "interventionsSent",
  "interventionsFailed",
] as const;

/** One of the metrics. */
export type MetricName = typeof metricNames[number];

/** Every metric's value; `averageHealth` is null until a health score is known. */
export type MetricValues = Record<MetricName, number | null>;

/** What one event changed of one metric. */
export interface MetricChange {
  metric: MetricName;
  previous: number | null;
  value: number | null;
  /** `value - previous`, or null when either is null. */
  change: number | null;
}

// The metrics that count events since the feed started.
type CounterName = Exclude<MetricName, "atRiskCustomers" | "averageHealth" | "likelyToChurn">;

interface CustomerScores {
  health: number | null;
  atRisk: number | null;
  churn: number | null;
}

// Ids of interventions counted as sent: a send can be reported twice (events.md).
const SENT_REMEMBERED = 10_000;

/** Metric values, moved by each event. */
export class MetricsRollup {
  readonly #customers = new Map<string, CustomerScores>();
  readonly #sent = new RecentIds<unknown>(SENT_REMEMBERED);
  #healthSum = 0;
  #healthCount = 0;
  #atRisk = 0;
  #likely = 0;
  readonly #counters: Record<CounterName, number> = {
    customersAdded: 0,
    milestonesAchieved: 0,
    rulesFired: 0,
    interventionsPlanned: 0,
    interventionsSent: 0,
    interventionsFailed: 0,
  };

  /** The current values. */
  values(): MetricValues {
    return {
      atRiskCustomers: this.#atRisk,
      averageHealth: this.#healthCount === 0 ? null : round2(this.#healthSum / this.#healthCount),
      likelyToChurn: this.#likely,
      ...this.#counters,
    };
  }

  /** Applies `event`; returns the metrics it changed (none for most events). */
  apply(event: PluginEvent): MetricChange[] {
    const customer = event.customerId;
    const payload = event.payload;
    switch (event.type) {
      case "health.changed": {
        const health = numberOrNull(payload.score);
        const atRisk = numberOrNull(payload.atRiskScore);
        if (customer === null || health === null || atRisk === null) return [];
        const scores = this.#scoresOf(customer, {
          health: numberOrNull(payload.previousScore),
          atRisk: numberOrNull(payload.previousAtRiskScore),
        });
        return this.#changes(() => this.#setHealth(scores, health, atRisk));
      }
      case "churn.predicted": {
        const probability = numberOrNull(payload.probability);
        if (customer === null || probability === null) return [];
        const scores = this.#scoresOf(customer, {
          churn: numberOrNull(payload.previousProbability),
        });
        return this.#changes(() => this.#setChurn(scores, probability));
      }
      case "customer.updated":
        return payload.created === true ? this.#count("customersAdded") : [];
      case "milestone.achieved":
        return this.#count("milestonesAchieved");
      case "rule.fired":
        return this.#count("rulesFired");
      case "intervention.planned":
        // A held-out proposal is recorded, never sent: it is no planned send.
        return payload.holdout === true ? [] : this.#count("interventionsPlanned");
      case "intervention.sent":
        return this.#sent.add(payload.interventionId ?? `event:${event.id}`)
          ? this.#count("interventionsSent")
          : [];
      case "intervention.failed":
        return this.#count("interventionsFailed");
      default:
        return [];
    }
  }

  /**
   * The customer's scores; one not seen before joins with the previous
   * scores its event carries, so the change reported is the event's own.
   */
  #scoresOf(customer: string, previous: Partial<CustomerScores>): CustomerScores {
    const known = this.#customers.get(customer);
    if (known) return known;
    const scores: CustomerScores = { health: null, atRisk: null, churn: null };
    this.#customers.set(customer, scores);
    if (previous.health != null && previous.atRisk != null) {
      this.#setHealth(scores, previous.health, previous.atRisk);
    }
    if (previous.churn != null) this.#setChurn(scores, previous.churn);
    return scores;
  }

  #setHealth(scores: CustomerScores, health: number, atRisk: number): void {
    if (scores.health === null) this.#healthCount++;
    this.#healthSum += health - (scores.health ?? 0);
    this.#atRisk += Number(atRisk > AT_RISK_ABOVE) - Number((scores.atRisk ?? 0) > AT_RISK_ABOVE);
    scores.health = health;
    scores.atRisk = atRisk;
  }

  #setChurn(scores: CustomerScores, probability: number): void {
    this.#likely += Number(probability >= LIKELY_TO_CHURN_FROM) -
      Number((scores.churn ?? 0) >= LIKELY_TO_CHURN_FROM);
    scores.churn = probability;
  }

  #count(metric: CounterName): MetricChange[] {
    return this.#changes(() => this.#counters[metric]++);
  }

  #changes(update: () => unknown): MetricChange[] {
    const before = this.values();
    update();
    const after = this.values();
    return metricNames.filter((name) => after[name] !== before[name]).map((metric) => {
      const previous = before[metric];
      const value = after[metric];
      return {
        metric,
        previous,
        value,
        change: previous === null || value === null ? null : round2(value - previous),
      };
    });
  }
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
