/**
 * The body of POST /push and its items, checked one by one: a bad item is
 * answered `rejected` with the path of each bad field, and the rest of the
 * batch goes on. Only a body that is not a batch at all (no client, no items,
 * too many) is refused whole.
 */
import { z } from "zod";
import { type FieldIssue, formatPath } from "../../engine/errors.ts";
import { canonicalJson, sha256Hex } from "../../engine/hash.ts";
import {
  type CustomerInput,
  customerInputSchema,
  type UsageEvent,
  usageEventSchema,
} from "../../engine/signals/mod.ts";
import type { BatchClock } from "./clock_skew.ts";

const MAX_KEY = 128;

const clientTime = (what: string) =>
  z.iso.datetime({
    offset: true,
    error: `${what} must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T09:30:00Z`,
  }).transform((s) => new Date(s));

/** The body of POST /push; items are checked one by one (pushItem). */
export function pushBatchSchema(maxItems: number) {
  return z.strictObject({
    client: z.strictObject({
      id: z.string().min(1, "must not be empty").max(128).describe(
        "The device or app instance that queued the items",
      ),
      sentAt: clientTime("sentAt").describe("The client's clock when it sent the batch"),
    }),
    items: z.array(z.unknown()).min(1, "send at least one item").max(
      maxItems,
      `send at most ${maxItems} items per push (EVENT_BATCH_LIMIT); split larger queues`,
    ),
  });
}

/** A parsed body. */
export type PushBatch = z.output<ReturnType<typeof pushBatchSchema>>;

/** The customer fields a client may change offline. */
export const editableFields = [
  "name",
  "vendorType",
  "plan",
  "mrr",
  "currency",
  "country",
  "timeZone",
  "signupDate",
  "churnedAt",
  "attributes",
] as const satisfies readonly (keyof CustomerInput)[];

type EditableField = typeof editableFields[number];

const key = z.string({ error: "must be a string" }).min(1, "must not be empty").max(
  MAX_KEY,
  `must be at most ${MAX_KEY} characters`,
);

const usageItem = z.strictObject({
  key,
  kind: z.literal("usage"),
  at: z.unknown(),
  customerId: z.unknown(),
  type: z.unknown(),
  userId: z.unknown().optional(),
  properties: z.unknown().optional(),
});

const customerItem = z.strictObject({
  key,
  kind: z.literal("customer"),
  at: clientTime("at"),
  customerId: z.string({ error: "must be a string" }).min(1).max(128),
  baseVersion: z.string({ error: "must be a string" }).min(1).max(200).describe(
    "The customer's version the change was made on: from the feed, or the ETag of GET /api/v1/customers/{id}",
  ),
  set: z.record(z.string(), z.unknown()).refine((set) => Object.keys(set).length > 0, {
    error: "set at least one field",
  }),
});

/** An item that passed its checks, ready to apply. */
export type ValidItem =
  | { kind: "usage"; event: UsageEvent }
  | {
    kind: "customer";
    customerId: string;
    at: Date;
    baseVersion: string;
    set: Partial<Pick<CustomerInput, EditableField>>;
  };

/** One item of a batch, checked. */
export interface PushItem {
  index: number;
  /** Its idempotency key; null when it has none usable (it is rejected, and not remembered). */
  key: string | null;
  /** A hash of the item as sent: the same key with other content is refused. */
  fingerprint: string;
  /** The customer it is about, when it names one. */
  customerId: string | null;
  /** Its time on the server's clock, when it has one. */
  at: Date | null;
  /** What to apply, or why not. */
  check: { ok: true; item: ValidItem } | { ok: false; errors: FieldIssue[] };
}

/** Checks item `index` of a batch, moving its time onto the server's clock. */
export async function pushItem(
  raw: unknown,
  { index, clock }: { index: number; clock: BatchClock },
): Promise<PushItem> {
  const at = (field: string) => `items[${index}]${field ? `.${field}` : ""}`;
  const record = typeof raw === "object" && raw !== null && !Array.isArray(raw)
    ? raw as Record<string, unknown>
    : null;
  const itemKey = key.safeParse(record?.key);
  const base = {
    index,
    key: itemKey.success ? itemKey.data : null,
    fingerprint: await sha256Hex(canonicalJson(raw)),
    customerId: typeof record?.customerId === "string" ? record.customerId : null,
    at: null,
  };
  const reject = (errors: FieldIssue[]): PushItem => ({ ...base, check: { ok: false, errors } });
  if (record === null) return reject([{ path: at(""), message: "must be an object" }]);
  if (record.kind !== "usage" && record.kind !== "customer") {
    return reject([{ path: at("kind"), message: 'must be "usage" or "customer"' }]);
  }
  const shape = record.kind === "usage" ? usageItem : customerItem;
  const parsed = shape.safeParse(record);
  if (!parsed.success) return reject(issuesOf(parsed.error, index));
  if (parsed.data.kind === "usage") return usage(parsed.data, base, clock, reject);
  const item = parsed.data;
  const errors = fieldErrors(item.set, index);
  if (errors.length > 0) return reject(errors);
  const serverAt = clock.toServer(item.at);
  const problem = clock.problem(serverAt);
  if (problem) return reject([{ path: at("at"), message: problem }]);
  return {
    ...base,
    at: serverAt,
    check: {
      ok: true,
      item: {
        kind: "customer",
        customerId: item.customerId,
        at: serverAt,
        baseVersion: item.baseVersion,
        set: item.set as Partial<Pick<CustomerInput, EditableField>>,
      },
    },
  };
}

/**
 * A usage item is a usage event whose id is the item's key: checked by the
 * engine's own event schema, so it is refused here exactly when
 * POST /api/v1/events would refuse it.
 */
function usage(
  item: z.output<typeof usageItem>,
  base: Omit<PushItem, "check">,
  clock: BatchClock,
  reject: (errors: FieldIssue[]) => PushItem,
): PushItem {
  const event = usageEventSchema.safeParse({
    id: item.key,
    customerId: item.customerId,
    type: item.type,
    occurredAt: item.at,
    ...(item.userId === undefined ? {} : { userId: item.userId }),
    ...(item.properties === undefined ? {} : { properties: item.properties }),
  });
  if (!event.success) {
    const renamed: Record<string, string> = { id: "key", occurredAt: "at" };
    return reject(
      issuesOf(
        event.error,
        base.index,
        ([first, ...rest]) => first === undefined ? [] : [renamed[String(first)] ?? first, ...rest],
      ),
    );
  }
  const occurredAt = clock.toServer(event.data.occurredAt);
  const problem = clock.problem(occurredAt);
  if (problem) return reject([{ path: `items[${base.index}].at`, message: problem }]);
  return {
    ...base,
    at: occurredAt,
    check: { ok: true, item: { kind: "usage", event: { ...event.data, occurredAt } } },
  };
}

/** Unknown or read-only fields of `set`, and values the customer schema refuses. */
function fieldErrors(set: Record<string, unknown>, index: number): FieldIssue[] {
  const errors: FieldIssue[] = [];
  const shape = customerInputSchema.shape;
  for (const [field, value] of Object.entries(set)) {
    const path = `items[${index}].set.${field}`;
    if (!(editableFields as readonly string[]).includes(field)) {
      errors.push({
        path,
        message: field === "externalId"
          ? "is the customer's id in another system, kept by the product's integration; it " +
            "cannot be changed offline"
          : `is not a customer field a client can change; use ${editableFields.join(", ")}`,
      });
      continue;
    }
    const result = shape[field as EditableField].safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        errors.push({
          path: formatPath(["items", index, "set", field, ...issue.path]),
          message: issue.message,
        });
      }
    }
  }
  return errors;
}

function issuesOf(
  error: z.ZodError,
  index: number,
  rename: (path: PropertyKey[]) => PropertyKey[] = (path) => path,
): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath(["items", index, ...rename(issue.path)]) || `items[${index}]`,
    message: issue.message,
  }));
}
