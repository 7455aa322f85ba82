/** Customers: create or replace, batch upsert, read, list, milestones. */
import { createRoute, z } from "@hono/zod-openapi";
import {
  customerIdSchema,
  customerInputSchema,
  customerRecordSchema,
  getCustomer,
  getCustomerMilestones,
  lockCustomerForUpdate,
  upsertCustomers,
  vendorTypes,
} from "../../signals/mod.ts";
import { type CustomerFilters, customerSorts, listCustomersWithHealth } from "../../health/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { pageOf } from "../page.ts";
import { assertIfMatch, etagOf } from "../etag.ts";
import {
  customerSchema,
  documented,
  json,
  listedCustomerSchema,
  milestoneProgressSchema,
  pageQuery,
  problems,
} from "../schemas.ts";

const idParam = z.object({
  id: documented(customerIdSchema).openapi({
    param: { name: "id", in: "path" },
    example: "sup_0000001",
  }),
});

const BATCH_LIMIT = 1_000;

/** Registers the customer routes. */
export function registerCustomerRoutes(app: Api, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "put",
      path: "/api/v1/customers/{id}",
      operationId: "putCustomer",
      summary: "Create or replace a customer",
      tags: ["Customers"],
      request: {
        params: idParam,
        body: { required: true, content: { "application/json": { schema: customerInputSchema } } },
      },
      responses: {
        200: json(customerSchema, "The customer was replaced"),
        201: json(customerSchema, "The customer was created"),
        ...problems(400, 409, 412, 413, 415),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const ifMatch = c.req.header("if-match");
      const result = await upsertCustomers(deps.db, [{ ...input, id }], {
        now: deps.clock.now(),
        itemPath: (_i, field) => field,
        // Checked under the row lock, so two edits from the same ETag cannot both win.
        ...(ifMatch === undefined ? {} : {
          precondition: async (tx) => {
            const current = await lockCustomerForUpdate(tx, id);
            assertIfMatch(ifMatch, current && await etagOf(current), {
              resource: `Customer "${id}"`,
            });
          },
        }),
      });
      const customer = await getCustomer(deps.db, id);
      c.header("ETag", await etagOf(customer));
      return result.created.length > 0 ? c.json(customer, 201) : c.json(customer, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/customers/batch",
      operationId: "putCustomerBatch",
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
      operationId: "listCustomers",
      summary: "List customers with their latest health, filtered and sorted",
      description: "`sort=-atRiskScore&status=active` lists the active customers most at risk " +
        "first. Pass `nextCursor` as `cursor`, with the same sort and filters, for the next page.",
      tags: ["Customers"],
      request: {
        query: pageQuery.extend({
          sort: z.enum(customerSorts).default("id").openapi({
            description: "Order; `-` for descending. Ties break by id. Unscored customers " +
              "sort below every score",
          }),
          vendorType: z.enum(vendorTypes).optional(),
          plan: z.string().max(32).optional(),
          country: z.string().length(2).optional().openapi({ example: "GB" }),
          status: z.enum(["active", "churned"]).optional(),
          minHealthScore: z.coerce.number().min(0).max(100).optional(),
          maxHealthScore: z.coerce.number().min(0).max(100).optional(),
          minAtRiskScore: z.coerce.number().min(0).max(100).optional(),
          email: z.string().min(3).max(320).optional().openapi({
            description: "Customers whose `email` attribute is this address (any case). " +
              "Addresses are stored encrypted; the match uses their keyed hash (blind index)",
            example: "hello@rose-florist.example",
          }),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(listedCustomerSchema), nextCursor: z.string().nullable() }),
          "A page of customers",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const { limit, cursor, sort, ...filters } = c.req.valid("query");
      const page = await listCustomersWithHealth(deps.db, {
        limit,
        sort,
        ...(cursor ? { cursor } : {}),
        filters: Object.fromEntries(
          Object.entries(filters).filter(([, value]) => value !== undefined),
        ) as CustomerFilters,
      });
      return c.json({ items: page.customers, nextCursor: page.nextCursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}",
      operationId: "getCustomer",
      summary: "Read a customer",
      tags: ["Customers"],
      request: { params: idParam },
      responses: { 200: json(customerSchema, "The customer"), ...problems(400, 404) },
    }),
    async (c) => {
      const customer = await getCustomer(deps.db, c.req.valid("param").id);
      // Send it back as If-Match on PUT to refuse overwriting someone else's change.
      c.header("ETag", await etagOf(customer));
      return c.json(customer, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/customers/{id}/milestones",
      operationId: "getCustomerMilestones",
      summary: "A customer's progress on every milestone",
      tags: ["Customers"],
      request: { params: idParam, query: pageQuery },
      responses: {
        200: json(
          z.object({ items: z.array(milestoneProgressSchema), nextCursor: z.string().nullable() }),
          "Milestone progress in catalog order; the cursor is a milestone key",
        ),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await getCustomer(deps.db, id);
      const progress = await getCustomerMilestones(deps.db, id, deps.clock.now());
      return c.json(pageOf(progress, (m) => m.key, c.req.valid("query")), 200);
    },
  );
}
