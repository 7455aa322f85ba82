/** A churn model's feature contribution in words: the value with its unit, and its direction. */
import { churnFeatures, type CustomerPrediction } from "../../ml/mod.ts";
import { whole } from "./bands.ts";

type Contribution = CustomerPrediction["contributions"][number];

const units = new Map(churnFeatures.map((f) => [f.name, f.unit]));

/** The feature's value as read: a category's name, a number with its unit, or "unknown". */
export function contributionValue(c: Contribution, currency: string): string {
  if (c.valueLabel !== null) return c.valueLabel.replaceAll("_", " ");
  if (c.value === null || Number.isNaN(c.value)) return "unknown";
  const unit = units.get(c.feature);
  if (unit === "currency") {
    return c.value.toLocaleString("en", { style: "currency", currency, maximumFractionDigits: 0 });
  }
  if (unit === "days") return `${whole(c.value)} ${c.value === 1 ? "day" : "days"}`;
  if (unit === "points") return `${whole(c.value)} points`;
  if (unit === "0–10") return `${whole(c.value)} of 10`;
  return whole(c.value);
}

/** Whether the contribution pushes the prediction towards churn or away from it. */
export function direction(c: Contribution): string {
  if (c.contribution > 0) return "raises the churn risk";
  return c.contribution < 0 ? "lowers the churn risk" : "no effect";
}
