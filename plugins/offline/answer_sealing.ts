/**
 * A remembered answer can hold a customer (`current`: name, attributes), so
 * that entry is stored encrypted, as the customer itself is (docs/privacy.md,
 * "Encryption at rest"); the rest (status, kind, message) stays readable.
 */
import { openEntries, sealEntries } from "../../engine/privacy/mod.ts";
import type { FinalAnswer } from "./answers.ts";

/** The field name bound into the encrypted entry (keys:rotate uses the same). */
export const ANSWER_FIELD = "offline_push_receipts.answer";

/** `answer` as it is stored. */
export async function sealAnswer(answer: FinalAnswer): Promise<Record<string, unknown>> {
  return await sealEntries({ ...answer }, ANSWER_FIELD, (key) => key === "current" ? "name" : null);
}

/** A stored answer as it was given. */
export async function openAnswer(stored: Record<string, unknown>): Promise<FinalAnswer> {
  return await openEntries(stored, ANSWER_FIELD) as FinalAnswer;
}
