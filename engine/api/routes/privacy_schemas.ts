/** The privacy request as the API shows it. */
import { z } from "@hono/zod-openapi";
import { privacyRequestStatuses, privacyRequestTypes } from "../../privacy/mod.ts";

/** A privacy request. */
export const privacyRequestSchema = z.object({
  id: z.number().int(),
  type: z.enum(privacyRequestTypes),
  status: z.enum(privacyRequestStatuses).openapi({
    description: "pending → processing → completed, failed or rejected; a deletion that waits " +
      "for a running cycle goes back to pending with a note",
  }),
  customerId: z.string().nullable().openapi({
    description: "Null once the customer was erased: only customerDigest stays",
  }),
  customerDigest: z.string().openapi({ description: "SHA-256 digest of the customer id" }),
  requestedBy: z.string(),
  requestedAt: z.string(),
  dueAt: z.string().openapi({ description: "30 days after requestedAt" }),
  overdue: z.boolean().openapi({ description: "Still open after dueAt" }),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  expiresAt: z.string().nullable().openapi({
    description: "Until when a completed access or portability export can be downloaded",
  }),
  attempts: z.number().int(),
  note: z.string().nullable().openapi({
    description: "Why it waits, failed or was rejected",
  }),
  result: z.record(z.string(), z.unknown()).nullable().openapi({
    description: "Rows per table exported or erased (no personal values)",
  }),
}).openapi("PrivacyRequest");
