/**
 * A customer's in-app inbox: what the in-app channel delivered, for the
 * product to show, and marking a message read.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { listInbox, markInboxRead } from "../../interventions/mod.ts";
import { assertCustomerExists, customerIdSchema } from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json, pageQuery, problems } from "../schemas.ts";

const inboxMessageSchema = z.object({
  id: z.number().int(),
  customerId: z.string(),
  userId: z.string().nullable().openapi({
    description: "The user it is for; null: everyone on the customer's account",
  }),
  interventionId: z.string(),
  subject: z.string().nullable(),
  body: z.string().openapi({ description: "Markdown" }),
  test: z.boolean().openapi({ description: 'A "send a test to me" message' }),
  createdAt: z.string(),
  readAt: z.string().nullable(),
}).openapi("InboxMessage");

const customerParam = documented(customerIdSchema).openapi({ param: { name: "id", in: "path" } });

/** Registers the inbox routes. */
export function registerInboxRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/inbox",
      operationId: "listCustomerInbox",
      summary: "A customer's in-app messages, newest first",
      tags: ["Interventions"],
      request: {
        params: z.object({ id: customerParam }),
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page (a message id)",
          }).optional(),
          unread: z.enum(["true", "false"]).default("false").openapi({
            description: "`true`: only messages not read yet",
          }),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(inboxMessageSchema), nextCursor: z.string().nullable() }),
          "A page of messages; the cursor is a message id",
        ),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, cursor, unread } = c.req.valid("query");
      await assertCustomerExists(deps.db, id);
      const page = await listInbox(deps.db, id, {
        limit,
        cursor: cursor === undefined ? undefined : Number(cursor),
        unreadOnly: unread === "true",
      });
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/customers/{id}/inbox/{messageId}/read",
      operationId: "markInboxMessageRead",
      summary: "Marks an in-app message read (reading it again keeps the first time)",
      tags: ["Interventions"],
      request: {
        params: z.object({
          id: customerParam,
          messageId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({
            param: { name: "messageId", in: "path" },
          }),
        }),
      },
      responses: {
        200: json(inboxMessageSchema, "The message, with readAt set"),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const { id, messageId } = c.req.valid("param");
      await assertCustomerExists(deps.db, id);
      return c.json(await markInboxRead(deps.db, id, messageId, deps.clock.now()), 200);
    },
  );
}
