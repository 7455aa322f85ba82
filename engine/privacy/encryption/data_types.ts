/**
 * What personal data the engine encrypts, by data type. Each type has its
 * own key id, so a leaked or retired key exposes or affects one kind of data
 * only. docs/privacy.md ("Encryption at rest") lists the same fields.
 */

/** Kinds of personal value; each is encrypted under its own key. */
export type PiiType = "name" | "contact" | "text";

/** Every PiiType, in the order keys are listed. */
export const PII_TYPES: readonly PiiType[] = ["name", "contact", "text"];

/** A key's purpose: one of the data types, or the blind index over email addresses. */
export type KeyPurpose = PiiType | "index";

/** Every key purpose a key file must give an active key for. */
export const KEY_PURPOSES: readonly KeyPurpose[] = [...PII_TYPES, "index"];

/**
 * Customer attributes that hold personal values, and their type. Other
 * attributes (locale, segment, …) stay readable to rules and reports.
 * successManager is the account owner's contact: a name and an email.
 */
export const PERSONAL_ATTRIBUTES: Readonly<Record<string, PiiType>> = {
  email: "contact",
  phone: "contact",
  mobile: "contact",
  contactName: "name",
  contactEmail: "contact",
  contactPhone: "contact",
  ownerName: "name",
  address: "contact",
  successManager: "contact",
};

/**
 * Event properties that stay readable: the typed, non-personal properties of
 * known event types (ids, enums, plan names, amounts), which health models
 * count and rules read. Every other string property value is free text and is
 * encrypted as "text".
 */
export const PLAIN_EVENT_PROPERTIES: ReadonlySet<string> = new Set([
  "feature",
  "clientId",
  "formId",
  "currency",
  "severity",
  "ticketId",
  "fromPlan",
  "toPlan",
  "channel",
  "score",
  "amount",
]);
