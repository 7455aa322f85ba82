/**
 * The picked fields wait in marketing_outbox until their batch is sent; the
 * name and the picked attributes (which may be personal: email, phone) wait
 * encrypted, as they are stored on the customer (docs/privacy.md,
 * "Encryption at rest").
 */
import { openEntries, type PiiType, sealEntries } from "../../engine/privacy/mod.ts";
import type { PickedFields } from "./fields.ts";

const FIELD = "marketing_outbox.fields";

function personalFieldType(key: string): PiiType | null {
  if (key === "name") return "name";
  return key === "attributes" ? "contact" : null;
}

/** `fields` as they are queued. */
export async function sealPickedFields(fields: PickedFields): Promise<Record<string, unknown>> {
  return await sealEntries(fields, FIELD, personalFieldType);
}

/** Queued fields as they are sent. */
export async function openPickedFields(stored: Record<string, unknown>): Promise<PickedFields> {
  return await openEntries(stored, FIELD) as PickedFields;
}
