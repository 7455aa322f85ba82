/**
 * A health component in words a success manager reads: what it measures,
 * when it gives full marks, and what this customer's value means.
 */
import type { HealthModel, Measure, Scale } from "../../health/mod.ts";
import { BOOST_COMPONENT } from "../../health/mod.ts";
import { whole } from "./bands.ts";

type ComponentDefinition = HealthModel["components"][number];

/** One component of a customer's score, with its definition when the active model has it. */
export interface ComponentReading {
  key: string;
  label: string;
  score: number;
  value: number;
  weight: number;
  /** Its share of all weights, 0–1. */
  share: number;
  /** What it measures, e.g. "days with login in the last 30 days". */
  measures: string;
  /** When it gives full marks. */
  fullMarks: string;
}

const events = (names: readonly string[]) => names.map((n) => n.replaceAll("_", " ")).join(" or ");

/** What `measure` counts, in words. */
export function describeMeasure(measure: Measure): string {
  switch (measure.kind) {
    case "event_count":
      return `${events(measure.events)} events in the last ${measure.windowDays} days`;
    case "active_days":
      return `days with a ${events(measure.events)} in the last ${measure.windowDays} days`;
    case "distinct_property":
      return `different ${measure.property} values of ${
        events([measure.event])
      } events in the last ${measure.windowDays} days`;
    case "milestone_ratio":
      return "share of the onboarding milestones achieved";
  }
}

function describeScale(scale: Scale, measure: Measure): string {
  const amount = (n: number) =>
    measure.kind === "milestone_ratio" ? `${whole(n * 100)}%` : whole(n);
  return scale.kind === "target"
    ? `full marks at ${amount(scale.target)} or more`
    : `full marks at none, no marks at ${amount(scale.worst)} or more`;
}

/** The customer's components (from the latest scoring), described by `model`, heaviest first. */
export function readComponents(
  components: Record<string, { score: number; value: number; weight: number }>,
  model: HealthModel,
): ComponentReading[] {
  const byKey = new Map<string, ComponentDefinition>(model.components.map((c) => [c.key, c]));
  const total = Object.values(components).reduce((sum, c) => sum + c.weight, 0) || 1;
  return Object.entries(components).map(([key, c]) => {
    const definition = byKey.get(key);
    const boost = key === BOOST_COMPONENT;
    return {
      key,
      label: definition?.label ?? (boost ? "Health boosts" : key),
      score: c.score,
      value: c.value,
      weight: c.weight,
      share: c.weight / total,
      measures: definition
        ? describeMeasure(definition.measure)
        : boost
        ? "points granted by integrations (a referral, for instance), added on top of the score"
        : "a component of an older health model",
      fullMarks: definition ? describeScale(definition.scale, definition.measure) : "",
    };
  }).sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key));
}

/** `reading`'s value in words, e.g. "3 (full marks at 15 or more)". */
export function valueInWords(reading: ComponentReading, model: HealthModel): string {
  const definition = model.components.find((c) => c.key === reading.key);
  const value = definition?.measure.kind === "milestone_ratio"
    ? `${whole(reading.value * 100)}%`
    : whole(reading.value);
  return reading.fullMarks ? `${value} (${reading.fullMarks})` : value;
}
