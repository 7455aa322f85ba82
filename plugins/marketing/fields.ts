/**
 * Field filtering: an event leaves the engine with the fields its
 * configuration names and no others. Fields are picked one by one from a
 * closed list (and named customer attributes), never copied wholesale, so a
 * name, an email address, a phone number or free text goes out only when an
 * admin lists it.
 */
import { z } from "zod";

/** The customer's columns a field can name. */
export const customerFields = [
  "customerId",
  "externalId",
  "name",
  "plan",
  "vendorType",
  "mrr",
  "currency",
  "country",
  "timeZone",
  "signupDate",
] as const;

/** The event payload keys a field can name (docs/events.md, per event type). */
export const eventFields = [
  "score",
  "previousScore",
  "atRiskScore",
  "previousAtRiskScore",
  "probability",
  "previousProbability",
  "confident",
  "modelVersion",
  "milestone",
  "achievedAt",
] as const;

const ATTRIBUTE = /^attributes\.([A-Za-z][A-Za-z0-9_]{0,63})$/;

/** A configured field: a customer column, an event payload key, or `attributes.<key>`. */
export const fieldName = z.union([
  z.enum(customerFields),
  z.enum(eventFields),
  z.string().regex(ATTRIBUTE),
]);

/** A configured field. */
export type FieldName = z.output<typeof fieldName>;

/** The customer as the enqueue query reads it. */
export interface CustomerFields {
  customerId: string;
  externalId: string | null;
  name: string;
  plan: string;
  vendorType: string;
  mrr: number;
  currency: string;
  country: string;
  timeZone: string;
  signupDate: string;
  attributes: Record<string, unknown>;
}

/** A value that can leave as it is: JSON scalars only, so no nested object carries more. */
export type FieldValue = string | number | boolean | null;

/** The picked fields of one event: flat, with named attributes under `attributes`. */
export type PickedFields = Record<string, FieldValue | Record<string, FieldValue>>;

const customerSet = new Set<string>(customerFields);
const eventSet = new Set<string>(eventFields);

/**
 * The configured `fields` of `customer` and `payload`. A field the event
 * does not have (a milestone's `score`) is left out; a value that is not a
 * JSON scalar (an object, a list) is left out too, since it could hold
 * anything.
 */
export function pickFields(
  fields: readonly FieldName[],
  customer: CustomerFields,
  payload: Readonly<Record<string, unknown>>,
): PickedFields {
  const picked: PickedFields = {};
  const attributes: Record<string, FieldValue> = {};
  for (const field of fields) {
    const attribute = ATTRIBUTE.exec(field)?.[1];
    if (attribute !== undefined) {
      const value = scalar(customer.attributes[attribute]);
      if (value !== undefined) attributes[attribute] = value;
    } else if (customerSet.has(field)) {
      picked[field] = customer[field as typeof customerFields[number]];
    } else if (eventSet.has(field)) {
      const value = scalar(payload[field]);
      if (value !== undefined) picked[field] = value;
    }
  }
  if (Object.keys(attributes).length > 0) picked.attributes = attributes;
  return picked;
}

function scalar(value: unknown): FieldValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return undefined;
}
