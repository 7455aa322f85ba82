/**
 * The fact catalog: every fact a rule may name, declared once with its type,
 * unit, description and source. Rules are type-checked against it when they
 * are saved (validate.ts), and `GET /api/v1/facts` lists it for the people
 * who write rules. Facts of stages not built yet (churn prediction,
 * interventions) are declared already: a rule may use them, and until their
 * stage runs they are missing for every customer, which json-rules-engine
 * treats as undefined (the condition does not hold).
 */
import { vendorTypes } from "../signals/mod.ts";

/** What kind of value a fact has. */
export type FactType = "number" | "string" | "boolean" | "list";

/** Where a fact's value comes from. */
export type FactSource =
  | "customer"
  | "signals"
  | "milestones"
  | "health"
  | "prediction"
  | "interventions"
  | "calendar"
  | `plugin:${string}`;

/** One fact of the catalog. */
export interface FactDefinition {
  /** The name rules use (`"fact": "healthScore"`). */
  name: string;
  type: FactType;
  /** For numbers: what one unit is (`points`, `days`, `probability`, `count`, …). */
  unit: string | null;
  description: string;
  source: FactSource;
  /** For strings and lists: the values it can take, when they are a closed set. */
  values?: readonly string[];
}

/** The facts that do not depend on configuration. */
const BASE_FACTS: readonly FactDefinition[] = [
  {
    name: "healthScore",
    type: "number",
    unit: "points (0–100)",
    description: "The latest health score; higher is healthier",
    source: "health",
  },
  {
    name: "atRiskScore",
    type: "number",
    unit: "points (0–100)",
    description: "The latest at-risk score: low health, decline and inactivity combined",
    source: "health",
  },
  {
    name: "healthChange7d",
    type: "number",
    unit: "points",
    description: "Health score now minus a week ago (negative when declining)",
    source: "health",
  },
  {
    name: "healthChange30d",
    type: "number",
    unit: "points",
    description: "Health score now minus 30 days ago (negative when declining)",
    source: "health",
  },
  {
    name: "churnProbability",
    type: "number",
    unit: "probability (0–1)",
    description: "The churn model's probability that the customer leaves within 90 days",
    source: "prediction",
  },
  {
    name: "churnConfidence",
    type: "number",
    unit: "probability (0–1)",
    description: "The probability of the outcome the model predicts: 0.5 a coin toss, 1 certain",
    source: "prediction",
  },
  {
    name: "churnConfident",
    type: "boolean",
    unit: null,
    description: "churnConfidence is at least ML_CONFIDENCE_THRESHOLD (0.7): a prediction " +
      "rules may act on",
    source: "prediction",
  },
  {
    name: "churnModelVersion",
    type: "string",
    unit: null,
    description: "The version of the churn model that made the prediction",
    source: "prediction",
  },
  {
    name: "daysSinceLastLogin",
    type: "number",
    unit: "days",
    description: "Days since any user of the customer last logged in",
    source: "signals",
  },
  {
    name: "tenureDays",
    type: "number",
    unit: "days",
    description: "Days since the customer signed up",
    source: "customer",
  },
  {
    name: "plan",
    type: "string",
    unit: null,
    description: "The customer's plan (e.g. starter, professional, scale)",
    source: "customer",
  },
  {
    name: "vendorType",
    type: "string",
    unit: null,
    description: "The kind of wedding supplier",
    source: "customer",
    values: vendorTypes,
  },
  {
    name: "country",
    type: "string",
    unit: null,
    description: "The customer's country, ISO 3166-1 alpha-2 (e.g. GB)",
    source: "customer",
  },
  {
    name: "mrr",
    type: "number",
    unit: "currency units a month",
    description: "Monthly recurring revenue, in the customer's currency",
    source: "customer",
  },
  {
    name: "milestonesAchieved",
    type: "list",
    unit: null,
    description: "Keys of the onboarding milestones the customer achieved",
    source: "milestones",
  },
  {
    name: "milestonesMissing",
    type: "list",
    unit: null,
    description: "Keys of the milestones not achieved yet, overdue or not",
    source: "milestones",
  },
  {
    name: "milestonesOverdue",
    type: "list",
    unit: null,
    description: "Keys of the milestones not achieved by their due date",
    source: "milestones",
  },
  {
    name: "openTickets",
    type: "number",
    unit: "count",
    description: "Support tickets opened and not resolved yet",
    source: "signals",
  },
  {
    name: "failedPayments30d",
    type: "number",
    unit: "count",
    description: "Failed payments in the last 30 days",
    source: "signals",
  },
  {
    name: "daysUntilPeakSeason",
    type: "number",
    unit: "days",
    description:
      "Days until the next wedding-season peak in the customer's hemisphere (0 during it)",
    source: "calendar",
  },
  {
    name: "interventionsLast7Days",
    type: "number",
    unit: "count",
    description: "Interventions sent to the customer in the last 7 days",
    source: "interventions",
  },
  {
    name: "interventionsLast30Days",
    type: "number",
    unit: "count",
    description: "Interventions sent to the customer in the last 30 days",
    source: "interventions",
  },
];

/** A fact catalog, by name. */
export type FactCatalog = ReadonlyMap<string, FactDefinition>;

/**
 * The catalog: the base facts, `health.<component>` for each component of
 * the active health model (its score, 0–100), the milestone keys as the
 * values of the milestone lists, and the facts plugins contribute.
 */
export function buildFactCatalog(options: {
  healthComponents: readonly string[];
  milestoneKeys: readonly string[];
  pluginFacts?: readonly FactDefinition[];
}): FactCatalog {
  const facts: FactDefinition[] = BASE_FACTS.map((fact) =>
    fact.type === "list" && fact.source === "milestones"
      ? { ...fact, values: options.milestoneKeys }
      : fact
  );
  for (const component of options.healthComponents) {
    facts.push({
      name: `health.${component}`,
      type: "number",
      unit: "points (0–100)",
      description: `The ${component} component of the latest health score`,
      source: "health",
    });
  }
  const catalog = new Map<string, FactDefinition>();
  for (const fact of [...facts, ...(options.pluginFacts ?? [])]) {
    if (catalog.has(fact.name)) {
      throw new Error(`The fact ${fact.name} is declared twice; each fact is declared once`);
    }
    catalog.set(fact.name, fact);
  }
  return catalog;
}
