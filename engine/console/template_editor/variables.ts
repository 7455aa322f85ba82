/**
 * The variables the editor offers to insert: the engine's template context
 * (`templateVariables`, what validation accepts), each with a short
 * description, plus the block helpers. Objects (`health`, `prediction`) are
 * offered as `{{#if}}` guards, since printing an object is refused.
 */
import { templateVariables } from "../../interventions/mod.ts";

/** A variable or snippet the editor can insert. */
export interface InsertableVariable {
  /** What is inserted at the cursor. */
  snippet: string;
  description: string;
}

const descriptions: Record<string, string> = {
  "customer.id": "the supplier's id",
  "customer.name": "the supplier's name",
  "customer.vendorType": "photographer, venue, planner, florist, …",
  "customer.plan": "plan name",
  "customer.country": "ISO country code",
  "customer.timeZone": "e.g. Europe/Vienna",
  "customer.locale": "e.g. de-AT (en when unknown)",
  "customer.mrr": "monthly revenue",
  "customer.tenureDays": "days since signup",
  "health": "null until the customer is scored: guard with #if",
  "health.score": "health score, 0–100",
  "health.atRiskScore": "at-risk score, 0–100",
  "health.components.*": "one component's score, 0–100 (engagement, adoption, milestones, …)",
  "prediction": "null until the churn model runs: guard with #if",
  "prediction.probability": "churn probability, 0–1",
  "prediction.confidence": "the model's confidence, 0–1",
  "prediction.modelVersion": "the churn model's version",
  "rule": "the rule that proposed the message; null in previews",
  "rule.id": "the rule's id",
  "rule.name": "the rule's name",
  "rule.version": "the rule's version",
  "owner.name": "the success manager, else Customer Success",
  "owner.email": "the success manager's email (may be empty)",
  "links.app": "the product (PUBLIC_URL)",
  "links.unsubscribe": "the customer's unsubscribe link",
  "links.booking": "book a call with the owner",
};

const guarded = new Set(["health", "prediction", "rule"]);

/** Every variable of the template context, as the editor inserts it, and the loop over components. */
export const insertableVariables: readonly InsertableVariable[] = [
  ...templateVariables.filter((name) => name !== "health.components").map((name) => ({
    snippet: guarded.has(name)
      ? `{{#if ${name}}}…{{/if}}`
      : `{{${name.replace("*", "engagement")}}}`,
    description: descriptions[name] ?? "",
  })),
  {
    snippet: "{{#each health.components}}{{@key}}: {{this}}\n{{/each}}",
    description: "every health component with its score",
  },
  { snippet: "{{!-- a note for editors --}}", description: "a comment, never sent" },
];
