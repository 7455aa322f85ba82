/**
 * Monthly churn: per calendar month (UTC), the customers active at its
 * start, those who signed up and those who churned during it, and the churn
 * rate — of the customers active at the start, the share who churned during
 * the month. Customers who signed up and churned in the same month count as
 * churned but not in the rate, which would otherwise exceed its denominator.
 */
import type { Queryable } from "../db/mod.ts";

/** One month of the report (docs/reports.md defines each column). */
export interface MonthlyChurn {
  month: string;
  activeAtStart: number;
  newCustomers: number;
  churned: number;
  churnedFromStart: number;
  activeAtEnd: number;
  churnRate: number | null;
}

/** The columns of the monthly churn report, in CSV order. */
export const monthlyChurnColumns: ReadonlyArray<keyof MonthlyChurn> = [
  "month",
  "activeAtStart",
  "newCustomers",
  "churned",
  "churnedFromStart",
  "activeAtEnd",
  "churnRate",
];

/** The months from `from` to `to` (first days of months, both included), oldest first. */
export async function monthlyChurn(
  db: Queryable,
  range: { from: string; to: string },
): Promise<MonthlyChurn[]> {
  return await db.query<MonthlyChurn>(
    `with months as (
       select m::date as month, (m + interval '1 month')::date as next
       from generate_series(date_trunc('month', $1::date), date_trunc('month', $2::date),
         interval '1 month') as m
     ),
     people as (
       select signup_date, (churned_at at time zone 'UTC')::date as churn_day from customers
     ),
     counted as (
       select m.month,
         count(p.signup_date) filter (where p.signup_date < m.month
           and (p.churn_day is null or p.churn_day >= m.month))::int as active_at_start,
         count(p.signup_date) filter (where p.signup_date >= m.month)::int as new_customers,
         count(p.signup_date) filter (where p.churn_day >= m.month
           and p.churn_day < m.next)::int as churned,
         count(p.signup_date) filter (where p.signup_date < m.month
           and p.churn_day >= m.month and p.churn_day < m.next)::int as churned_from_start,
         count(p.signup_date) filter (where p.churn_day is null
           or p.churn_day >= m.next)::int as active_at_end
       from months m
       -- Only the customers who had signed up by the month's end.
       left join people p on p.signup_date < m.next
       group by m.month
     )
     select to_char(month, 'YYYY-MM') as month, active_at_start as "activeAtStart",
       new_customers as "newCustomers", churned, churned_from_start as "churnedFromStart",
       active_at_end as "activeAtEnd",
       round(churned_from_start::numeric / nullif(active_at_start, 0), 4)::float8 as "churnRate"
     from counted
     order by month`,
    [range.from, range.to],
  );
}
