/**
 * Everything the customer page shows, read in parallel with the functions
 * the API's customer routes use (so names and emails are decrypted the same
 * way): the customer, health with its history and the model's components,
 * the latest churn prediction, milestones, firings, interventions with
 * their measured effects, inbox, and the names of the rules they mention.
 */
import type { Db } from "../../db/mod.ts";
import { isEngineError } from "../../errors.ts";
import { type CustomerHealth, getActiveHealthModel, getCustomerHealth } from "../../health/mod.ts";
import type { HealthModel } from "../../health/mod.ts";
import {
  type InboxMessage,
  type Intervention,
  type InterventionEffect,
  interventionEffects,
  listInbox,
  listInterventions,
} from "../../interventions/mod.ts";
import {
  activeModelVersion,
  type CustomerPrediction,
  getCustomerPrediction,
} from "../../ml/mod.ts";
import {
  type FactCatalog,
  getRule,
  listCustomerFirings,
  loadFactCatalog,
  type RuleFiring,
} from "../../rules/mod.ts";
import {
  type Customer,
  getCustomer,
  getCustomerMilestones,
  type MilestoneProgress,
} from "../../signals/mod.ts";

/** How many of the newest firings, interventions and inbox messages the page lists. */
export const RECENT = 20;

/** Days of health history the trend chart covers. */
export const TREND_DAYS = 90;

/** What the customer page shows. */
export interface CustomerView {
  customer: Customer;
  health: CustomerHealth;
  healthModel: HealthModel;
  prediction: CustomerPrediction | null;
  /** The active churn model's version; null when none is active. */
  activeModel: string | null;
  milestones: MilestoneProgress[];
  firings: { items: RuleFiring[]; more: boolean };
  interventions: { items: Intervention[]; more: boolean };
  /** What was measured of each intervention (health 14 days after, retention), by id. */
  effects: Map<number, InterventionEffect>;
  inbox: { items: InboxMessage[]; more: boolean };
  /** Rule names by id, for the rules the firings and interventions name. */
  ruleNames: Map<string, string>;
  catalog: FactCatalog;
}

/** The customer `id`, or null when there is none. */
export async function findCustomer(db: Db, id: string): Promise<Customer | null> {
  try {
    return await getCustomer(db, id);
  } catch (error) {
    if (isEngineError(error, "CUSTOMER_NOT_FOUND")) return null;
    throw error;
  }
}

/** The rest of the customer page's data, for `customer` (findCustomer's). */
export async function loadCustomerView(
  db: Db,
  customer: Customer,
  now: Date,
): Promise<CustomerView> {
  const id = customer.id;
  const page = { limit: RECENT };
  const [
    health,
    healthModel,
    prediction,
    activeModel,
    milestones,
    firings,
    interventions,
    inbox,
    catalog,
  ] = await Promise.all([
    getCustomerHealth(db, id, { historyDays: TREND_DAYS }),
    getActiveHealthModel(db),
    getCustomerPrediction(db, id).catch((error) => {
      if (isEngineError(error, "PREDICTION_NOT_FOUND")) return null;
      throw error;
    }),
    activeModelVersion(db),
    getCustomerMilestones(db, id, now),
    listCustomerFirings(db, id, page),
    listInterventions(db, { customerId: id }, page),
    listInbox(db, id, page),
    loadFactCatalog(db),
  ]);
  const ruleIds = new Set([
    ...firings.items.map((f) => f.ruleId),
    ...interventions.items.flatMap((i) => i.ruleId === null ? [] : [i.ruleId]),
  ]);
  const [names, effects] = await Promise.all([
    ruleNames(db, [...ruleIds]),
    interventionEffects(db, interventions.items.map((i) => i.id)),
  ]);
  return {
    customer,
    health,
    healthModel,
    prediction,
    activeModel,
    milestones,
    firings: { items: firings.items, more: firings.nextCursor !== null },
    interventions: { items: interventions.items, more: interventions.nextCursor !== null },
    effects,
    inbox: { items: inbox.items, more: inbox.nextCursor !== null },
    ruleNames: names,
    catalog,
  };
}

// A handful of rules per customer: one read each, through the rules module.
async function ruleNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const found = await Promise.all(ids.map(async (id) => {
    try {
      return [[id, (await getRule(db, id)).name] as const];
    } catch (error) {
      if (isEngineError(error, "RULE_NOT_FOUND")) return [];
      throw error;
    }
  }));
  return new Map(found.flat());
}
