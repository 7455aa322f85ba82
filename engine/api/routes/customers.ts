/** Customers: create or replace, batch upsert, read, list, milestones. */
import { createRoute, z } from "@hono/zod-openapi";
import {
  customerIdSchema,
  customerInputSchema,
  customerRecordSchema,
  getCustomer,
  getCustomerMilestones,
  listCustomers,
  upsertCustomers,
  vendorTypes,
} from "../../signals/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { customerSchema, json, milestoneProgressSchema, pageQuery, problems } from "../schemas.ts";

const idParam = z.object({
  id: customerIdSchema.openapi({ param: { name: "id", in: "path" }, example: "sup_0000001" }),
});

const BATCH_LIMIT = 1_000;

/** Registers the customer routes. */
export function registerCustomerRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/customers/{id}",
      summary: "Create or replace a customer",
      tags: ["Customers"],
      request: {
        params: idParam,
        body: { required: true, content: { "application/json": { schema: customerInputSchema } } },
      },
      responses: {
        200: json(customerSchema, "The customer was replaced"),
        201: json(customerSchema, "The customer was created"),
        ...problems(400, 409, 413, 415),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const result = await upsertCustomers(deps.db, [{ ...input, id }], {
        now: deps.clock.now(),
        itemPath: (_i, field) => field,
      });
      const customer = await getCustomer(deps.db, id);
      return result.created.length > 0 ? c.json(customer, 201) : c.json(customer, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/customers/batch",
      summary: `Create or replace up to ${BATCH_LIMIT} customers at once`,
      tags: ["Customers"],
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.strictObject({
                customers: z.array(customerRecordSchema).min(1).max(
                  BATCH_LIMIT,
                  `send at most ${BATCH_LIMIT} customers per batch; split larger batches`,
                ),
              }),
            },
          },
        },
      },
      responses: {
        200: json(
          z.object({ created: z.array(z.string()), updated: z.array(z.string()) }),
          "The customers were stored",
        ),
        ...problems(400, 409, 413, 415),
      },
    }),
    async (c) => {
      const { customers } = c.req.valid("json");
      return c.json(await upsertCustomers(deps.db, customers, { now: deps.clock.now() }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers",
      summary: "List customers in id order",
      tags: ["Customers"],
      request: {
        query: pageQuery.extend({
          vendorType: z.enum(vendorTypes).optional(),
          plan: z.string().max(32).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(customerSchema), nextCursor: z.string().nullable() }),
          "A page of customers",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listCustomers(deps.db, {
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.vendorType ? { vendorType: q.vendorType } : {}),
        ...(q.plan ? { plan: q.plan } : {}),
      });
      return c.json({ items: page.customers, nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}",
      summary: "Read a customer",
      tags: ["Customers"],
      request: { params: idParam },
      responses: { 200: json(customerSchema, "The customer"), ...problems(400, 404) },
    }),
    async (c) => c.json(await getCustomer(deps.db, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/milestones",
      summary: "A customer's progress on every milestone",
      tags: ["Customers"],
      request: { params: idParam },
      responses: {
        200: json(z.object({ items: z.array(milestoneProgressSchema) }), "Milestone progress"),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await getCustomer(deps.db, id);
      return c.json({ items: await getCustomerMilestones(deps.db, id, deps.clock.now()) }, 200);
    },
  );
}
