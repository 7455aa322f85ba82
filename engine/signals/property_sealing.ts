/**
 * Free text in usage-event properties (a payment failure's reason, any
 * string a product sends with its own event types) is stored encrypted. The
 * typed, non-personal properties health models count and rules read
 * (PLAIN_EVENT_PROPERTIES: feature, plan names, ids, amounts) stay readable,
 * as do numbers and booleans.
 */
import { openEntries, type PiiType, PLAIN_EVENT_PROPERTIES, sealEntries } from "../privacy/mod.ts";

/** The field name bound into encrypted property values. */
export const EVENT_PROPERTIES_FIELD = "usage_events.properties";

function freeTextType(key: string, value: unknown): PiiType | null {
  if (PLAIN_EVENT_PROPERTIES.has(key)) return null;
  return typeof value === "string" || typeof value === "object" ? "text" : null;
}

/** `properties` as they are stored. */
export async function sealEventProperties(
  properties: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return await sealEntries(properties, EVENT_PROPERTIES_FIELD, freeTextType);
}

/** Stored properties as they were sent. */
export async function openEventProperties(
  stored: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return await openEntries(stored, EVENT_PROPERTIES_FIELD);
}
