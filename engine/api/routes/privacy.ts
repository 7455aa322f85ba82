/**
 * Privacy requests (the seed's `POST /api/privacy/request`): ask for a
 * customer's data (access, portability) or its erasure (deletion), follow
 * the request, and download a completed export. Admins only (manage:privacy).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { appendAudit } from "../../audit/mod.ts";
import { EngineError } from "../../errors.ts";
import { pluginPersonalData } from "../../plugins/mod.ts";
import {
  createPrivacyRequest,
  customerErased,
  erasedAmong,
  exportCustomer,
  getPrivacyRequest,
  listPrivacyRequests,
  noPersonalDataHolders,
  type PersonalDataHolders,
  portabilityArchive,
  PRIVACY_DUE_DAYS,
  PRIVACY_EXPORT_DAYS,
  type PrivacyRequest,
  privacyRequestStatuses,
  privacyRequestTypes,
} from "../../privacy/mod.ts";
import { assertCustomerExists, customerIdSchema } from "../../signals/mod.ts";
import { actorOf } from "../actor.ts";
import type { Api, ApiDeps } from "../deps.ts";
import { documented, json, jsonBody, pageQuery, problems } from "../schemas.ts";
import { privacyRequestSchema } from "./privacy_schemas.ts";

const requestBody = z.object({
  // The seed names the customer supplierId; customerId is the engine's name. One is required.
  supplierId: documented(customerIdSchema).optional().openapi({
    description: "The customer (the seed's name)",
    example: "sup_0000001",
  }),
  customerId: documented(customerIdSchema).optional().openapi({
    description: "The customer (same as supplierId)",
  }),
  type: z.enum(privacyRequestTypes).openapi({ description: "access, deletion or portability" }),
}).refine((b) => (b.supplierId ?? b.customerId) !== undefined, {
  error: "name the customer with supplierId (or customerId)",
  path: ["supplierId"],
}).refine((b) => !(b.supplierId && b.customerId && b.supplierId !== b.customerId), {
  error: "supplierId and customerId name different customers; send one",
  path: ["customerId"],
}).openapi("PrivacyRequestInput");

const idParam = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,15}$/, { error: "must be a request id" }).openapi({
    param: { name: "id", in: "path" },
    example: "1",
  }),
});

/** Registers the privacy request routes. */
export function registerPrivacyRoutes(app: Api, deps: ApiDeps): void {
  const holders = (): PersonalDataHolders =>
    deps.plugins ? pluginPersonalData(deps.plugins) : noPersonalDataHolders;

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/privacy/request",
      operationId: "createPrivacyRequest",
      summary: "Ask for a customer's data, or its erasure",
      description: `The request is recorded as \`pending\`, due in ${PRIVACY_DUE_DAYS} days, ` +
        "and processed by the privacy request job (PRIVACY_REQUEST_SCHEDULE, every minute by " +
        "default). Follow it with `GET /api/privacy/requests/{id}`. A second request of the " +
        "same type for the same customer while one is open is refused (409, naming it).",
      tags: ["Privacy"],
      request: { body: jsonBody(requestBody) },
      responses: {
        202: json(privacyRequestSchema, "Recorded; processed by the privacy request job"),
        ...problems(400, 404, 409, 410, 413, 415),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const customerId = (body.supplierId ?? body.customerId)!;
      const now = deps.clock.now();
      if ((await erasedAmong(deps.db, "customer_id", [customerId])).size > 0) {
        throw customerErased([`customer "${customerId}"`]);
      }
      await assertCustomerExists(deps.db, customerId);
      const actor = actorOf(c).id;
      const request = await deps.db.transaction(async (tx) => {
        const created = await createPrivacyRequest(tx, {
          type: body.type,
          customerId,
          requestedBy: actor,
          now,
        });
        // The digest, not the id: the audit log cannot be erased.
        await appendAudit(tx, {
          at: now,
          actor,
          action: `privacy.${body.type}.requested`,
          subjectType: "privacy_request",
          subjectId: String(created.id),
          after: {
            type: created.type,
            customerDigest: created.customerDigest,
            dueAt: created.dueAt,
          },
          requestId: c.get("requestId"),
        });
        return created;
      });
      c.header("Location", `/api/privacy/requests/${request.id}`);
      return c.json(request, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/privacy/requests",
      operationId: "listPrivacyRequests",
      summary: "Privacy requests, newest first",
      tags: ["Privacy"],
      request: {
        query: pageQuery.extend({
          cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, {
            error: "must be the nextCursor of an earlier page",
          }).optional(),
          status: z.enum(privacyRequestStatuses).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({ items: z.array(privacyRequestSchema), nextCursor: z.string().nullable() }),
          "A page of requests",
        ),
        ...problems(400),
      },
    }),
    async (c) => {
      const { limit, cursor, status } = c.req.valid("query");
      const page = await listPrivacyRequests(deps.db, {
        now: deps.clock.now(),
        limit,
        ...(cursor ? { cursor: Number(cursor) } : {}),
        ...(status ? { status } : {}),
      });
      return c.json({
        items: page.items,
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/privacy/requests/{id}",
      operationId: "getPrivacyRequest",
      summary: "One privacy request: its status, due date and result",
      tags: ["Privacy"],
      request: { params: idParam },
      responses: {
        200: json(privacyRequestSchema, "The request"),
        ...problems(400, 404),
      },
    }),
    async (c) => {
      const id = Number(c.req.valid("param").id);
      return c.json(await getPrivacyRequest(deps.db, id, deps.clock.now()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/privacy/requests/{id}/download",
      operationId: "downloadPrivacyExport",
      summary: "The export of a completed access or portability request",
      description: "Access: one JSON document with every table's rows about the customer and " +
        "each plugin's. Portability: a `.tar.gz` with `<table>.ndjson` per table (plugin " +
        "tables as `<plugin>.<table>.ndjson`) and `manifest.json` (rows and SHA-256 per " +
        "file). Built from the stored data at download, so nothing is kept; available for " +
        `${PRIVACY_EXPORT_DAYS} days after completion, and never after the customer's erasure.`,
      tags: ["Privacy"],
      request: { params: idParam },
      responses: {
        200: {
          description: "The export",
          content: {
            "application/json": { schema: z.record(z.string(), z.unknown()) },
            "application/gzip": { schema: z.string().openapi({ format: "binary" }) },
          },
        },
        ...problems(400, 404, 409, 410),
      },
    }),
    async (c) => {
      const now = deps.clock.now();
      const request = await getPrivacyRequest(deps.db, Number(c.req.valid("param").id), now);
      const customerId = downloadable(request, now);
      const data = await exportCustomer(deps.db, holders(), {
        requestId: request.id,
        customerId,
        now,
      });
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          at: now,
          actor: actorOf(c).id,
          action: `privacy.${request.type}.downloaded`,
          subjectType: "privacy_request",
          subjectId: String(request.id),
          after: { customerDigest: request.customerDigest },
          requestId: c.get("requestId"),
        })
      );
      c.header("Cache-Control", "no-store");
      const stamp = now.toISOString().slice(0, 10);
      if (request.type === "access") {
        c.header(
          "Content-Disposition",
          `attachment; filename="privacy-access-${request.id}-${stamp}.json"`,
        );
        return c.json(data, 200);
      }
      const { archive } = await portabilityArchive(data);
      return c.body(archive.buffer as ArrayBuffer, 200, {
        "Content-Type": "application/gzip",
        "Content-Disposition":
          `attachment; filename="privacy-portability-${request.id}-${stamp}.tar.gz"`,
      });
    },
  );
}

/** The customer id of a request whose export can be downloaded now; otherwise why not. */
function downloadable(request: PrivacyRequest, now: Date): string {
  if (request.type === "deletion") {
    throw new EngineError(
      "PRIVACY_EXPORT_NOT_READY",
      `Request ${request.id} is a deletion: it has nothing to download`,
    );
  }
  if (request.customerId === null) {
    throw new EngineError(
      "CUSTOMER_ERASED",
      `The customer of request ${request.id} was erased since; nothing about it is held`,
    );
  }
  if (request.status !== "completed") {
    throw new EngineError(
      "PRIVACY_EXPORT_NOT_READY",
      `Request ${request.id} is ${request.status}` +
        `${request.note ? ` (${request.note})` : ""}; download it once it is completed`,
    );
  }
  if (request.expiresAt !== null && new Date(request.expiresAt).getTime() <= now.getTime()) {
    throw new EngineError(
      "PRIVACY_EXPORT_EXPIRED",
      `The export of request ${request.id} could be downloaded until ${request.expiresAt} ` +
        `(${PRIVACY_EXPORT_DAYS} days); make a new ${request.type} request`,
    );
  }
  return request.customerId;
}
