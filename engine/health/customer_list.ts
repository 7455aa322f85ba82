/**
 * The customer list a success team works from: filtered (vendor type, plan,
 * country, active or churned, health and at-risk ranges), sorted (by health,
 * at-risk score, churn probability, MRR, signup date; not name: names are
 * stored encrypted, so the database cannot order them) and paged with a
 * keyset cursor, each customer with its latest health. It lives with health
 * because it reads health scores; signals own the customers it reads, and
 * churn prediction the latest predictions it may sort by.
 */
import type { Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import {
  type Customer,
  customerColumns,
  type CustomerRow,
  emailIndexes,
  readCustomers,
} from "../signals/mod.ts";

/** Orders a list can be sorted in; `-` means descending. Ties break by id. */
export const customerSorts = [
  "id",
  "mrr",
  "-mrr",
  "signupDate",
  "-signupDate",
  "healthScore",
  "-healthScore",
  "atRiskScore",
  "-atRiskScore",
  "churnProbability",
  "-churnProbability",
] as const;

/** A sort order, e.g. `"-atRiskScore"` (most at risk first). */
export type CustomerSort = typeof customerSorts[number];

/** Filters of the list; every one is optional. */
export interface CustomerFilters {
  vendorType?: string;
  plan?: string;
  country?: string;
  status?: "active" | "churned";
  minHealthScore?: number;
  maxHealthScore?: number;
  minAtRiskScore?: number;
  /** The customer's email attribute, compared case-insensitively through its blind index. */
  email?: string;
  /** Customers whose id starts with this (the console's search). */
  idPrefix?: string;
}

/** A customer with its latest health, as listed. */
export interface ListedCustomer extends Customer {
  health: { score: number; atRiskScore: number; scoredAt: string } | null;
}

type SortType = "text" | "numeric" | "date";

// What a cursor's value must look like for its type, so a forged cursor is a
// 400, never a failed cast in the database.
const valueFormats: Record<SortType, RegExp> = {
  text: /^[\s\S]{0,500}$/,
  numeric: /^-?\d{1,12}(\.\d{1,6})?$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
};

// Sort keys as SQL over customers `c`, latest health `h` and latest churn
// prediction `p`. Unscored customers sort as -1, before every score. The
// probability is rounded so its text (the cursor) is never in exponent form.
const sortColumns: Record<string, { sql: string; type: SortType }> = {
  id: { sql: "c.id", type: "text" },
  mrr: { sql: "c.mrr", type: "numeric" },
  signupDate: { sql: "c.signup_date", type: "date" },
  healthScore: { sql: "coalesce(h.score, -1)", type: "numeric" },
  atRiskScore: { sql: "coalesce(h.at_risk_score, -1)", type: "numeric" },
  churnProbability: { sql: "coalesce(round(p.probability::numeric, 6), -1)", type: "numeric" },
};

/** One page of customers; `cursor` is the `nextCursor` of the page before. */
export async function listCustomersWithHealth(
  db: Queryable,
  options: { limit: number; sort?: CustomerSort; cursor?: string; filters?: CustomerFilters },
): Promise<{ customers: ListedCustomer[]; nextCursor: string | null }> {
  const sort = options.sort ?? "id";
  const descending = sort.startsWith("-");
  const sortKey = descending ? sort.slice(1) : sort;
  const key = sortColumns[sortKey]!;
  const f = options.filters ?? {};
  const after = options.cursor === undefined
    ? null
    : decodeCursor(options.cursor, sort, valueFormats[key.type]);
  const cmp = descending ? "<" : ">";
  const params: unknown[] = [
    f.vendorType ?? null,
    f.plan ?? null,
    f.country ?? null,
    f.status ?? null,
    f.minHealthScore ?? null,
    f.maxHealthScore ?? null,
    f.minAtRiskScore ?? null,
    after?.[0] ?? null,
    after?.[1] ?? null,
    options.limit + 1,
    f.email === undefined ? null : await emailIndexes(f.email),
    f.idPrefix === undefined ? null : `${f.idPrefix.replace(/[\\%_]/g, "\\$&")}%`,
  ];
  // Joined only when sorting by it: the API's usual lists pay nothing for it.
  const predictions = sortKey === "churnProbability"
    ? "left join churn_predictions_latest p on p.customer_id = c.id"
    : "";
  const rows = await db.query<
    CustomerRow & {
      h_score: number | null;
      h_at_risk: number | null;
      h_at: Date | null;
      sort_value: string;
    }
  >(
    `select ${customerColumns("c")},
       h.score as h_score, h.at_risk_score as h_at_risk, h.scored_at as h_at,
       (${key.sql})::text as sort_value
     from customers c left join customer_health_latest h on h.customer_id = c.id ${predictions}
     where ($1::text is null or c.vendor_type = $1)
       and ($2::text is null or c.plan = $2)
       and ($3::text is null or c.country = $3)
       and ($4::text is null or ($4 = 'churned') = (c.churned_at is not null))
       and ($5::numeric is null or h.score >= $5)
       and ($6::numeric is null or h.score <= $6)
       and ($7::numeric is null or h.at_risk_score >= $7)
       and ($11::text[] is null or c.email_index = any($11::text[]))
       and ($12::text is null or c.id like $12)
       and ($8::text is null or ${key.sql} ${cmp} $8::${key.type}
            or (${key.sql} = $8::${key.type} and c.id > $9))
     order by ${key.sql} ${descending ? "desc" : "asc"}, c.id
     limit $10`,
    params,
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const customers = await readCustomers(page);
  return {
    customers: page.map((row, i) => ({
      ...customers[i]!,
      health: row.h_score === null
        ? null
        : { score: row.h_score, atRiskScore: row.h_at_risk!, scoredAt: row.h_at!.toISOString() },
    })),
    nextCursor: rows.length > options.limit && last
      ? encodeCursor([sort, last.sort_value, last.id])
      : null,
  };
}

function encodeCursor(position: [string, string, string]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string, sort: string, format: RegExp): [string, string] {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const text = new TextDecoder("utf-8", { fatal: true })
      .decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.length === 3) {
      const [cursorSort, value, id] = parsed;
      if (
        cursorSort === sort && typeof value === "string" && typeof id === "string" &&
        format.test(value)
      ) return [value, id];
    }
  } catch {
    // Not ours: answered below.
  }
  throw new EngineError(
    "VALIDATION_FAILED",
    "Invalid request: query.cursor: not a cursor of this list; pass the nextCursor of the page before, with the same sort",
    { issues: [{ path: "query.cursor", message: "not a cursor of this list" }] },
  );
}
