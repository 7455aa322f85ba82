/**
 * Customers' personal values at rest: the name and the personal attributes
 * (PERSONAL_ATTRIBUTES) are stored encrypted, and the email address also as a
 * blind index (customers.email_index) so customers can be found by it.
 */
import {
  blindIndex,
  blindIndexCandidates,
  openEntries,
  openText,
  PERSONAL_ATTRIBUTES,
  type PiiType,
  sealEntries,
  sealText,
} from "../privacy/mod.ts";

/** The field names bound into the encrypted values (keys:rotate uses the same). */
export const CUSTOMER_FIELDS = { name: "customers.name", attributes: "customers.attributes" };

/** What a customer's personal columns hold. */
export interface CustomerPersonalFields {
  name: string;
  attributes: Record<string, unknown>;
}

/** The columns as stored: encrypted, with the email's blind index. */
export interface SealedCustomerFields extends CustomerPersonalFields {
  email_index: string | null;
}

/** The data type of attribute `key`, or null when it is not personal. */
export function personalAttributeType(key: string): PiiType | null {
  return PERSONAL_ATTRIBUTES[key] ?? null;
}

/** `fields` as they are stored. */
export async function sealCustomerFields(
  fields: CustomerPersonalFields,
): Promise<SealedCustomerFields> {
  const email = fields.attributes.email;
  const [name, attributes, emailIndex] = await Promise.all([
    sealText("name", CUSTOMER_FIELDS.name, fields.name),
    sealEntries(fields.attributes, CUSTOMER_FIELDS.attributes, personalAttributeType),
    typeof email === "string" && email.trim() !== "" ? blindIndex("email", email) : null,
  ]);
  return { name, attributes, email_index: emailIndex };
}

/** `row` with its name and attributes decrypted (plaintext from before encryption as it is). */
export async function openCustomerFields<T extends CustomerPersonalFields>(row: T): Promise<T> {
  const [name, attributes] = await Promise.all([
    openText(CUSTOMER_FIELDS.name, row.name),
    openEntries(row.attributes, CUSTOMER_FIELDS.attributes),
  ]);
  return { ...row, name, attributes };
}

/** Every row of a batch decrypted at once. */
export async function openCustomerRows<T extends CustomerPersonalFields>(
  rows: readonly T[],
): Promise<T[]> {
  return await Promise.all(rows.map(openCustomerFields));
}

/** The blind indexes an email lookup matches (under every configured index key). */
export async function emailIndexes(email: string): Promise<string[]> {
  return await blindIndexCandidates("email", email);
}
