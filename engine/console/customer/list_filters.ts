/**
 * The customer list's query string: a search (a customer id or its start,
 * or an email address; names are stored encrypted, so they cannot be
 * searched), the band, at-risk only, health at most, plan and status
 * filters, and the sort. What was typed is kept; what is wrong gets an
 * error beside its field.
 */
import { type CustomerFilters, type CustomerSort } from "../../health/mod.ts";
import { AT_RISK_SCORE, type HealthBand, healthBands } from "./bands.ts";

/** The sorts the list offers, with their labels; the first is the default. */
export const listSorts: ReadonlyArray<{ sort: CustomerSort; label: string }> = [
  { sort: "-atRiskScore", label: "At-risk score, highest first" },
  { sort: "healthScore", label: "Health, lowest first" },
  { sort: "-healthScore", label: "Health, highest first" },
  { sort: "-churnProbability", label: "Churn probability, highest first" },
  { sort: "churnProbability", label: "Churn probability, lowest first" },
  { sort: "id", label: "Customer id" },
];

const FIELDS = ["q", "band", "atRisk", "maxHealth", "plan", "status", "sort"] as const;

/** The filters as typed, what they mean once checked, and the errors. */
export interface ListQuery {
  values: Partial<Record<(typeof FIELDS)[number], string>>;
  errors: Record<string, string>;
  filters: CustomerFilters;
  sort: CustomerSort;
  cursor: string | undefined;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const PLAN = /^[a-z][a-z0-9_-]{0,31}$/;

/** Reads and checks the list's query string. */
export function readListQuery(query: URLSearchParams): ListQuery {
  const values: ListQuery["values"] = {};
  for (const name of FIELDS) {
    const value = query.get(name)?.trim().slice(0, 320) ?? "";
    if (value !== "") values[name] = value;
  }
  const errors: Record<string, string> = {};
  const filters: CustomerFilters = {};
  if (values.q !== undefined) {
    if (values.q.includes("@")) {
      if (values.q.length >= 3) filters.email = values.q;
      else errors.q = "an email address needs at least 3 characters";
    } else if (ID.test(values.q)) filters.idPrefix = values.q;
    else {
      errors.q = "search by a customer id (letters, digits, _ . : -) or a whole email address";
    }
  }
  let maxHealth: number | undefined;
  if (values.band !== undefined) {
    const band = healthBands.find((b) => b.band === values.band as HealthBand);
    if (band) {
      filters.minHealthScore = band.min;
      maxHealth = band.max;
    } else errors.band = "choose one of the bands";
  }
  if (values.maxHealth !== undefined) {
    const max = Number(values.maxHealth);
    if (Number.isFinite(max) && max >= 0 && max <= 100) maxHealth = Math.min(max, maxHealth ?? 100);
    else errors.maxHealth = "must be a number from 0 to 100";
  }
  if (maxHealth !== undefined) filters.maxHealthScore = maxHealth;
  // At-risk scores have two decimals; "over 70" as the overview counts it.
  if (values.atRisk === "on") filters.minAtRiskScore = AT_RISK_SCORE + 0.01;
  if (values.plan !== undefined) {
    if (PLAN.test(values.plan)) filters.plan = values.plan;
    else errors.plan = "must be a lower-case plan name like starter";
  }
  if (values.status === "active" || values.status === "churned") filters.status = values.status;
  else if (values.status !== undefined) errors.status = "choose active or churned";
  const sort = listSorts.find((s) => s.sort === values.sort)?.sort ?? listSorts[0]!.sort;
  const cursor = query.get("cursor") ?? undefined;
  return { values, errors, filters, sort, cursor: cursor || undefined };
}
