/**
 * Fills a database with a reproducible population of demo wedding suppliers:
 * customers, their usage history, milestones and health history. The same
 * seed and as-of date always give the same data.
 */
import { DAY_MS } from "../clock.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";
import { scoreAllCustomers, type ScoringSettings } from "../health/mod.ts";
import {
  ensureEventPartitions,
  evaluateMilestones,
  sealEventProperties,
  upsertCustomers,
} from "../signals/mod.ts";
import { type DemoEvent, generateActivity } from "./activity.ts";
import { generateSupplier, MAX_TENURE_DAYS, type SupplierProfile } from "./population.ts";
import { seededRandom } from "./random.ts";

/** Options of seedDemoData. */
export interface SeedOptions {
  customers: number;
  /** Days of everyday usage before `asOf` (onboarding history goes back to signup). */
  days: number;
  seed: number;
  asOf: Date;
  /** Weekly health scorings to backfill before the one at `asOf`. */
  historyWeeks: number;
  /** How the health scorings run (scoringSettings of the configuration). */
  scoring: ScoringSettings;
  /** Replace the customers already in the database. */
  reset?: boolean;
  onProgress?: (phase: SeedPhase, done: number, total: number) => void;
}

/** Phases of seeding, for progress display. */
export type SeedPhase = "customers" | "milestones" | "health";

/** What seedDemoData made. */
export interface SeedResult {
  customers: number;
  churned: number;
  events: number;
  milestonesAchieved: number;
  scorings: number;
}

const CUSTOMERS_PER_CHUNK = 1_000;
const EVENTS_PER_WRITE = 20_000;

/** Seeds demo data; refuses a database that has customers unless `reset`. */
export async function seedDemoData(db: Db, options: SeedOptions): Promise<SeedResult> {
  const { asOf } = options;
  await prepare(db, options.reset ?? false);
  await ensureEventPartitions(
    db,
    new Date(asOf.getTime() - (MAX_TENURE_DAYS + 1) * DAY_MS),
    new Date(asOf.getTime() + 31 * DAY_MS),
  );
  const windowStart = new Date(asOf.getTime() - options.days * DAY_MS);
  const result: SeedResult = {
    customers: 0,
    churned: 0,
    events: 0,
    milestonesAchieved: 0,
    scorings: 0,
  };
  let pending: DemoEvent[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const batch = pending;
    pending = [];
    await writing; // One write in flight while the next batch is generated.
    writing = insertDemoEvents(db, batch);
  };
  for (let start = 0; start < options.customers; start += CUSTOMERS_PER_CHUNK) {
    const count = Math.min(CUSTOMERS_PER_CHUNK, options.customers - start);
    const profiles: SupplierProfile[] = [];
    for (let i = start; i < start + count; i++) {
      profiles.push(generateSupplier(seededRandom(options.seed, i * 2), i, asOf));
    }
    await writing;
    await upsertCustomers(db, profiles.map((p) => p.record), { now: asOf });
    for (const [offset, profile] of profiles.entries()) {
      const random = seededRandom(options.seed, (start + offset) * 2 + 1);
      for (const event of generateActivity(random, profile, { windowStart, asOf })) {
        pending.push(event);
      }
      if (profile.record.churnedAt) result.churned++;
      if (pending.length >= EVENTS_PER_WRITE) {
        result.events += pending.length;
        await flush();
      }
    }
    result.customers += count;
    options.onProgress?.("customers", result.customers, options.customers);
  }
  result.events += pending.length;
  await flush();
  await writing;

  options.onProgress?.("milestones", 0, 1);
  result.milestonesAchieved = (await evaluateMilestones(db, { asOf })).achieved;
  options.onProgress?.("milestones", 1, 1);

  const scorings = options.historyWeeks + 1;
  for (let week = options.historyWeeks; week >= 0; week--) {
    const scored = await scoreAllCustomers(db, {
      asOf: new Date(asOf.getTime() - week * 7 * DAY_MS),
      ...options.scoring,
    });
    result.scorings += scored.scored;
    options.onProgress?.("health", scorings - week, scorings);
  }
  return result;
}

/** True when the database holds no customers. */
export async function isDatabaseEmpty(db: Queryable): Promise<boolean> {
  const rows = await db.query<{ any: boolean }>("select exists (select 1 from customers) as any");
  return !rows[0]?.any;
}

async function prepare(db: Db, reset: boolean): Promise<void> {
  if (reset) {
    await db.exec(
      `truncate customers, usage_events, usage_event_ids, usage_daily, usage_daily_progress,
       success_milestones, customer_health, customer_health_latest, churn_predictions_latest,
       churn_prediction_logs, churn_scoring_runs, event_log, cycles restart identity cascade`,
    );
    return;
  }
  if (!await isDatabaseEmpty(db)) {
    throw new EngineError(
      "DATABASE_NOT_EMPTY",
      "The database already has customers; demo data goes into an empty database. " +
        "Run with --reset to replace everything with demo data",
    );
  }
}

async function insertDemoEvents(db: Db, events: DemoEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Two COPYs, not one transaction: a failed seed is rerun with --reset anyway.
  await db.copyRows(
    "usage_event_ids",
    ["event_id", "customer_id", "occurred_at"],
    events.map((e) => [e.event_id, e.customer_id, e.occurred_at]),
  );
  await db.copyRows(
    "usage_events",
    // received_at is left to the database (now): daily usage counts find new events by it.
    ["event_id", "customer_id", "type", "user_id", "occurred_at", "properties"],
    await Promise.all(events.map(async (e) => [
      e.event_id,
      e.customer_id,
      e.type,
      e.user_id,
      e.occurred_at,
      await sealEventProperties(e.properties),
    ])),
  );
}
