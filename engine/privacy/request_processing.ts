/**
 * Processing privacy requests, oldest first: claim one (`for update skip
 * locked`, so engines and the command never take the same), do it, record
 * how it ended. Access and portability requests check the customer and
 * count what the export holds; the export itself is built at download
 * (customer_export.ts). Deletions erase (erase_customer.ts).
 */
import { DAY_MS } from "../clock.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { exportCustomer } from "./customer_export.ts";
import { eraseCustomer } from "./erase_customer.ts";
import type { PersonalDataHolders } from "./personal_data.ts";
import {
  PRIVACY_EXPORT_DAYS,
  type PrivacyRequest,
  type RequestRow,
  toRequest,
} from "./privacy_requests.ts";

/** What processing needs. */
export interface PrivacyProcessingOptions {
  holders: PersonalDataHolders;
  now: () => Date;
  /** Requests to take in this run (all that are due by default). */
  limit?: number;
}

/** A request claimed by a process that stopped is taken again after this long. */
const STALE_CLAIM_MS = 15 * 60_000;

/** Processes pending requests; returns each as it ended (a deferred deletion is pending again). */
export async function processPrivacyRequests(
  db: Db,
  options: PrivacyProcessingOptions,
): Promise<PrivacyRequest[]> {
  const done: PrivacyRequest[] = [];
  const seen = new Set<number>();
  while (done.length < (options.limit ?? Infinity)) {
    const request = await claimNext(db, options.now(), seen);
    if (!request) break;
    seen.add(request.id);
    done.push(await processOne(db, request, options));
  }
  return done;
}

async function processOne(
  db: Db,
  request: PrivacyRequest,
  options: PrivacyProcessingOptions,
): Promise<PrivacyRequest> {
  const customerId = request.customerId;
  try {
    if (customerId === null) {
      return await finish(db, request.id, options.now(), {
        status: "rejected",
        note: "The customer was erased before this request was processed; nothing is held",
      });
    }
    if (request.type === "deletion") {
      const outcome = await eraseCustomer(db, options.holders, {
        requestId: request.id,
        customerId,
        actor: request.requestedBy,
        now: options.now(),
      });
      switch (outcome.kind) {
        case "waiting":
          return await finish(db, request.id, options.now(), {
            status: "pending",
            note: outcome.note,
          });
        case "no_customer":
          return await finish(db, request.id, options.now(), {
            status: outcome.erasedBefore ? "completed" : "rejected",
            note: outcome.erasedBefore
              ? "Already erased by an earlier deletion; nothing is held"
              : `No customer "${customerId}" exists any more; nothing to erase`,
          });
        case "erased":
          return await finish(db, request.id, options.now(), {
            status: "completed",
            note: null,
            result: {
              pseudonym: outcome.result.pseudonym,
              tables: outcome.result.tables,
              plugins: outcome.result.plugins,
            },
          });
      }
    }
    const [known] = await db.query("select 1 from customers where id = $1", [customerId]);
    if (!known) {
      return await finish(db, request.id, options.now(), {
        status: "rejected",
        note: `No customer "${customerId}" exists any more; nothing is held`,
      });
    }
    const data = await exportCustomer(db, options.holders, {
      requestId: request.id,
      customerId,
      now: options.now(),
    });
    const counts = (tables: Record<string, unknown[]>) =>
      Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, rows.length]));
    return await finish(db, request.id, options.now(), {
      status: "completed",
      note: null,
      expiresAt: new Date(options.now().getTime() + PRIVACY_EXPORT_DAYS * DAY_MS),
      result: {
        tables: counts(data.tables),
        plugins: Object.fromEntries(Object.entries(data.plugins).map(([p, t]) => [p, counts(t)])),
      },
    });
  } catch (error) {
    return await finish(db, request.id, options.now(), {
      status: "failed",
      note: `${error instanceof Error ? error.message : String(error)}; ask again once fixed`,
    });
  }
}

async function claimNext(
  db: Db,
  now: Date,
  seen: ReadonlySet<number>,
): Promise<PrivacyRequest | null> {
  const [row] = await db.query<RequestRow>(
    `update privacy_requests set status = 'processing', started_at = $1, attempts = attempts + 1
     where id = (
       select id from privacy_requests
       where (status = 'pending' or (status = 'processing' and started_at < $2))
         and not (id = any($3::bigint[]))
       order by requested_at, id limit 1 for update skip locked)
     returning *`,
    [now, new Date(now.getTime() - STALE_CLAIM_MS), [...seen]],
  );
  return row ? toRequest(row, now) : null;
}

async function finish(
  db: Queryable,
  id: number,
  now: Date,
  end: {
    status: "pending" | "completed" | "failed" | "rejected";
    note: string | null;
    result?: Record<string, unknown>;
    expiresAt?: Date;
  },
): Promise<PrivacyRequest> {
  const [row] = await db.query<RequestRow>(
    `update privacy_requests set status = $2, note = $3, result = coalesce($4, result),
       expires_at = $5, completed_at = case when $2 = 'pending' then null else $6::timestamptz end
     where id = $1 returning *`,
    [id, end.status, end.note, end.result ?? null, end.expiresAt ?? null, now],
  );
  return toRequest(row!, now);
}
