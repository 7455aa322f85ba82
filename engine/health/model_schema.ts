/**
 * The declarative health model: weighted components, each a measure of recent
 * signals mapped onto 0–100, plus how the at-risk score is made. Models are
 * versioned in the database (health_models); the default is
 * engine/health/default_model.json. docs/health.md explains each field.
 */
import { z } from "zod";
import { PLAIN_EVENT_PROPERTIES } from "../privacy/mod.ts";
import { BOOST_COMPONENT } from "./boosts.ts";

const eventTypes = z.array(z.string().regex(/^[a-z][a-z0-9_.]*$/).max(64)).min(1).max(20);
const windowDays = z.number().int().min(1).max(365);

/** How a component's raw value is measured from signals. */
export const measureSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("event_count").describe("How many events of these types in the window"),
    events: eventTypes,
    windowDays,
  }),
  z.strictObject({
    kind: z.literal("active_days").describe("On how many distinct days these events happened"),
    events: eventTypes,
    windowDays,
  }),
  z.strictObject({
    kind: z.literal("distinct_property").describe(
      "How many distinct values a property took, e.g. features used",
    ),
    event: z.string().regex(/^[a-z][a-z0-9_.]*$/).max(64),
    // Other string properties are free text, stored encrypted with a random IV: every value
    // would count as distinct (docs/privacy.md, "Encryption at rest").
    property: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).max(64).refine(
      (name) => PLAIN_EVENT_PROPERTIES.has(name),
      {
        error: `must be a property stored readable: one of ${
          [...PLAIN_EVENT_PROPERTIES].join(", ")
        } (other string properties are free text, stored encrypted)`,
      },
    ),
    windowDays,
  }),
  z.strictObject({
    kind: z.literal("milestone_ratio").describe("Share of catalog milestones achieved (0–1)"),
  }),
]);

/** How a raw value becomes a 0–100 component score. */
export const scaleSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("target").describe("Higher is better: value/target × 100, capped at 100"),
    target: z.number().positive(),
  }),
  z.strictObject({
    kind: z.literal("penalty").describe("Lower is better: 100 − value/worst × 100, floored at 0"),
    worst: z.number().positive(),
  }),
]);

/** One component of the health score. */
export const componentSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "must be a lower-case key like engagement"),
  label: z.string().min(1).max(60),
  weight: z.number().positive().max(100),
  measure: measureSchema,
  scale: scaleSchema,
});

/** A health model definition. */
export const healthModelSchema = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/),
  description: z.string().max(1_000).default(""),
  components: z.array(componentSchema).min(1).max(12).refine(
    (list) => new Set(list.map((c) => c.key)).size === list.length,
    "component keys must be unique",
  ).refine(
    (list) => list.every((c) => c.key !== BOOST_COMPONENT),
    `"${BOOST_COMPONENT}" is reserved for health boosts (docs/health.md); name the component otherwise`,
  ),
  atRisk: z.strictObject({
    /** Weight of (100 − health score). */
    lowHealth: z.number().min(0),
    /** Weight of the drop in score against the latest scoring at least `declineDays` old. */
    decline: z.number().min(0),
    /** Weight of days without any event, relative to `inactivityDays`. */
    inactivity: z.number().min(0),
    declineDays: windowDays,
    /** A drop of this many points counts fully. */
    declineFullPoints: z.number().positive().max(100),
    inactivityDays: windowDays,
  }).refine((r) => r.lowHealth + r.decline + r.inactivity > 0, "at least one weight must be > 0"),
});

/** A validated health model. */
export type HealthModel = z.output<typeof healthModelSchema>;
/** A measure of a component. */
export type Measure = z.output<typeof measureSchema>;
/** A scale of a component. */
export type Scale = z.output<typeof scaleSchema>;
