/**
 * Cohorts: customers grouped by signup month, vendor type and plan (or any
 * of them), with how many are still customers at `asOf` and how many stayed
 * their first 90 days. A dimension left out of `by` is null in every row.
 */
import type { Queryable } from "../db/mod.ts";

/** What cohorts can be grouped by. */
export const cohortDimensions = ["signupMonth", "vendorType", "plan"] as const;

/** A cohort dimension. */
export type CohortDimension = typeof cohortDimensions[number];

/** One cohort (docs/reports.md defines each column). */
export interface Cohort {
  signupMonth: string | null;
  vendorType: string | null;
  plan: string | null;
  customers: number;
  retained: number;
  churned: number;
  retentionRate: number | null;
  churnRate: number | null;
  reached90d: number;
  retained90d: number;
  retentionRate90d: number | null;
  retainedMrr: number;
}

/** The columns of the cohort report, in CSV order. */
export const cohortColumns: ReadonlyArray<keyof Cohort> = [
  "signupMonth",
  "vendorType",
  "plan",
  "customers",
  "retained",
  "churned",
  "retentionRate",
  "churnRate",
  "reached90d",
  "retained90d",
  "retentionRate90d",
  "retainedMrr",
];

/** The cohorts of the customers who signed up in [from, to] (months, both included) by `asOf`. */
export async function cohortReport(
  db: Queryable,
  options: { from: string; to: string; asOf: Date; by: readonly CohortDimension[] },
): Promise<Cohort[]> {
  const by = new Set(options.by);
  return await db.query<Cohort>(
    `with people as (
       select
         case when $1 then to_char(signup_date, 'YYYY-MM') end as signup_month,
         case when $2 then vendor_type end as vendor_type,
         case when $3 then plan end as plan,
         signup_date, mrr,
         churned_at is null or churned_at > $6 as retained,
         (churned_at at time zone 'UTC')::date as churn_day
       from customers
       where signup_date >= date_trunc('month', $4::date)
         and signup_date < date_trunc('month', $5::date) + interval '1 month'
         and signup_date <= ($6::timestamptz at time zone 'UTC')::date
     ),
     counted as (
       select signup_month, vendor_type, plan,
         count(*)::int as customers,
         count(*) filter (where retained)::int as retained,
         -- Those whose first 90 days had passed at asOf, and of them, who stayed.
         count(*) filter (where signup_date + 90 <= ($6::timestamptz at time zone 'UTC')::date)::int
           as reached,
         count(*) filter (where signup_date + 90 <= ($6::timestamptz at time zone 'UTC')::date
           and (churn_day is null or churn_day >= signup_date + 90))::int as stayed,
         coalesce(sum(mrr) filter (where retained), 0)::float8 as retained_mrr
       from people
       group by signup_month, vendor_type, plan
     )
     select signup_month as "signupMonth", vendor_type as "vendorType", plan, customers,
       retained, customers - retained as churned,
       round(retained::numeric / customers, 4)::float8 as "retentionRate",
       round((customers - retained)::numeric / customers, 4)::float8 as "churnRate",
       reached as "reached90d", stayed as "retained90d",
       round(stayed::numeric / nullif(reached, 0), 4)::float8 as "retentionRate90d",
       round(retained_mrr::numeric, 2)::float8 as "retainedMrr"
     from counted
     order by signup_month nulls first, vendor_type nulls first, plan nulls first`,
    [
      by.has("signupMonth"),
      by.has("vendorType"),
      by.has("plan"),
      options.from,
      options.to,
      options.asOf,
    ],
  );
}
