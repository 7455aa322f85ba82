/**
 * The rule format: json-rules-engine's JSON (conditions, event, priority)
 * plus our metadata. This is only the shape; whether the facts, operators
 * and values make sense is checked against the fact catalog (validate.ts).
 */
import { z } from "zod";

/** The operators a condition may use: json-rules-engine's defaults. */
export const operators = [
  "equal",
  "notEqual",
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
  "in",
  "notIn",
  "contains",
  "doesNotContain",
] as const;

/** A condition operator. */
export type Operator = (typeof operators)[number];

/** A rule's id: a slug people can read in URLs and audit entries. */
export const ruleIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, {
  error: "must be lower-case letters, digits and dashes, at most 80 (e.g. onboarding-stalled)",
});

/** A tag for grouping rules (`onboarding`, `billing`). */
export const ruleTagSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
  error: "must be lower-case letters, digits and dashes, at most 40",
});

/** The event channels an intervention may go out on. */
export const channels = ["email", "slack", "webhook", "in-app"] as const;

const factName = z.string().min(1).max(100).regex(/^[A-Za-z][A-Za-z0-9_.]*$/, {
  error: "must start with a letter and hold only letters, digits, _ and .",
});

/** A JSONPath into an object-valued fact, as json-rules-engine reads it (`$.a.b`). */
const factPath = z.string().min(2).max(200).regex(/^\$/, { error: "must start with $" });

/** A value that is another fact's value: `{"fact": "mrr"}`. */
export const factReferenceSchema = z.strictObject({
  fact: factName,
  path: factPath.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** One comparison: fact (at path) operator value. */
export const leafConditionSchema = z.strictObject({
  fact: factName,
  operator: z.enum(operators),
  value: z.union([factReferenceSchema, z.unknown()]),
  path: factPath.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  priority: z.number().int().min(1).optional(),
  name: z.string().max(200).optional(),
});

/** A condition: a comparison, or `all`, `any` or `not` of conditions. */
export type Condition =
  | z.infer<typeof leafConditionSchema>
  | ({ all: Condition[] } & GroupExtras)
  | ({ any: Condition[] } & GroupExtras)
  | ({ not: Condition } & GroupExtras);

/** What every group may carry besides its conditions. */
interface GroupExtras {
  priority?: number | undefined;
  name?: string | undefined;
}

const groupExtras = {
  priority: z.number().int().min(1).optional(),
  name: z.string().max(200).optional(),
};

/** Any condition, nested to any depth (validate.ts limits the depth). */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema), ...groupExtras }),
    z.strictObject({ any: z.array(conditionSchema), ...groupExtras }),
    z.strictObject({ not: conditionSchema, ...groupExtras }),
    leafConditionSchema,
  ])
);

/** A rule's top condition: `all`, `any` or `not` (as json-rules-engine requires). */
export const topConditionSchema = z.union([
  z.strictObject({ all: z.array(conditionSchema), ...groupExtras }),
  z.strictObject({ any: z.array(conditionSchema), ...groupExtras }),
  z.strictObject({ not: conditionSchema, ...groupExtras }),
]);

/** The event of an intervention rule. */
export const interventionParamsSchema = z.strictObject({
  template: z.string().min(1).max(100),
  channel: z.enum(channels),
  priority: z.number().int().min(0).max(100).default(50),
  cooldownDays: z.number().int().min(0).max(365).default(14),
  holdout: z.number().min(0).max(0.5).default(0),
});

/** What a rule emits when its conditions hold. */
export const ruleEventSchema = z.strictObject({
  type: z.string().min(1).max(100).regex(/^[a-z][a-z0-9_.]*$/, {
    error: "must be lower case letters, digits, _ and . (e.g. intervention, tag_customer)",
  }),
  params: z.record(z.string(), z.unknown()).default({}),
});

/** The part of a rule json-rules-engine evaluates. */
export const ruleDefinitionSchema = z.strictObject({
  conditions: topConditionSchema,
  event: ruleEventSchema,
  priority: z.number().int().min(1).max(1000).default(1),
});

/** A rule's definition, as evaluated. */
export type RuleDefinition = z.output<typeof ruleDefinitionSchema>;
