/**
 * The benchmark population: demo suppliers seeded once and reused by later
 * runs that ask for the same population (seeding 100,000 customers takes
 * minutes, scoring them seconds). Also the health state every measured pass
 * starts from — the seed's own scoring at the as-of time — and puts back.
 */
import type { Db, Queryable } from "../../engine/db/mod.ts";
import { seedDemoData, type SeedPhase } from "../../engine/demo/mod.ts";
import type { ScoringSettings } from "../../engine/health/mod.ts";
import { installEngine } from "../../engine/install.ts";
import { openKeyring } from "../../engine/privacy/mod.ts";
import { silentLogger } from "../../engine/log.ts";

/** What population a run asks for. */
export interface PopulationSpec {
  customers: number;
  /** Days of everyday usage before `asOf`. */
  days: number;
  seed: number;
  /** The "today" of the data; the seed scores everyone once at this time. */
  asOf: Date;
}

/** The population in the database, with its sizes. */
export interface Population extends PopulationSpec {
  /** All usage events (onboarding events go back to signup, everyday usage `days`). */
  events: number;
  /** Events in the `days` before `asOf`. */
  windowEvents: number;
  seedSeconds: number;
  reused: boolean;
}

/** Options of ensurePopulation. */
/**
 * The benchmark databases' encryption key (their data is generated, not
 * personal), unless the environment configures keys. Engines a benchmark
 * starts get the same (benchKeyEnv).
 */
const BENCH_ENCRYPTION_KEY = "62656e63682d6f6e6c792d6b65792d6e6f742d666f722d7265616c2d64617461";

/** The key variables for an engine a benchmark starts on its database. */
export function benchKeyEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  if (env.PII_KEY_FILE || env.PRIVACY_ENCRYPTION_KEY) return {};
  return { PRIVACY_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY };
}

export interface EnsureOptions {
  reseed: boolean;
  scoring: ScoringSettings;
  retentionDays: number;
  onProgress: (phase: SeedPhase, done: number, total: number) => void;
}

// The population's parameters, written last by a seed that finished, so a
// run that stopped halfway is never mistaken for a usable population.
const POPULATION_TABLE = `create table if not exists bench_population (
  customers integer not null,
  days integer not null,
  seed integer not null,
  as_of timestamptz not null,
  events bigint not null,
  window_events bigint not null,
  seed_seconds float8 not null,
  seeded_at timestamptz not null default now()
)`;

/** Tables the scoring statement reads, or writes and is measured writing. */
const SCORING_TABLES = [
  "customers",
  "usage_events",
  "success_milestones",
  "customer_health",
  "customer_health_latest",
  "event_log",
];

/** Installs the engine schema and makes sure the database holds `spec`'s population. */
export async function ensurePopulation(
  db: Db,
  spec: PopulationSpec,
  options: EnsureOptions,
): Promise<Population> {
  await installEngine(db, {
    config: { DATA_RETENTION_DAYS: options.retentionDays },
    now: new Date(),
    log: silentLogger,
  });
  const env = Deno.env.toObject();
  await openKeyring(db, {
    PII_KEY_FILE: env.PII_KEY_FILE || undefined,
    PRIVACY_ENCRYPTION_KEY: env.PRIVACY_ENCRYPTION_KEY || BENCH_ENCRYPTION_KEY,
    PRIVACY_ENCRYPTION_KEY_PREVIOUS: env.PRIVACY_ENCRYPTION_KEY_PREVIOUS || undefined,
    DATA_DIR: ".data",
  }, { now: new Date(), log: silentLogger });
  await db.exec(POPULATION_TABLE);
  if (!options.reseed) {
    const existing = await findPopulation(db, spec);
    if (existing) return existing;
  }
  return await seedPopulation(db, spec, options);
}

/** Customers a scoring at `asOf` covers: signed up and not churned by then. */
export async function countActiveCustomers(db: Queryable, asOf: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `select count(*) as n from customers
     where signup_date <= $1::timestamptz and (churned_at is null or churned_at > $1::timestamptz)`,
    [asOf],
  );
  return row?.n ?? 0;
}

/**
 * Removes every scoring after `asOf` (what measured passes wrote), points
 * each customer's latest health back at the seed's scoring, and vacuums, so
 * every pass starts from the same state and runs leave nothing behind.
 */
export async function restoreHealthState(db: Db, asOf: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("delete from customer_health where scored_at > $1", [asOf]);
    await tx.query(
      "delete from event_log where type = 'health.changed' and occurred_at > $1",
      [asOf],
    );
    await tx.query(
      `update customer_health_latest l
       set health_id = h.id, score = h.score, at_risk_score = h.at_risk_score,
         components = h.components, at_risk_factors = h.at_risk_factors,
         model_version = h.model_version, scored_at = h.scored_at
       from customer_health h
       where h.customer_id = l.customer_id and h.scored_at = $1 and l.scored_at > $1`,
      [asOf],
    );
    await tx.query("delete from customer_health_latest where scored_at > $1", [asOf]);
  });
  await db.exec("vacuum (analyze) customer_health, customer_health_latest, event_log");
}

async function findPopulation(db: Db, spec: PopulationSpec): Promise<Population | null> {
  const [row] = await db.query<{
    events: number;
    window_events: number;
    seed_seconds: number;
    customers_now: number;
  }>(
    `select p.events, p.window_events, p.seed_seconds,
       (select count(*) from customers) as customers_now
     from bench_population p
     where p.customers = $1 and p.days = $2 and p.seed = $3 and p.as_of = $4`,
    [spec.customers, spec.days, spec.seed, spec.asOf],
  );
  if (!row || row.customers_now !== spec.customers) return null;
  return {
    ...spec,
    events: row.events,
    windowEvents: row.window_events,
    seedSeconds: row.seed_seconds,
    reused: true,
  };
}

async function seedPopulation(
  db: Db,
  spec: PopulationSpec,
  options: EnsureOptions,
): Promise<Population> {
  await db.exec("delete from bench_population");
  options.onProgress("customers", 0, spec.customers); // The seeder's first report comes later.
  const started = performance.now();
  const result = await seedDemoData(db, {
    ...spec,
    historyWeeks: 0,
    scoring: options.scoring,
    reset: true,
    onProgress: options.onProgress,
  });
  // A freshly loaded table has no statistics and no visibility map; a live
  // database has both (autovacuum), so measure against that.
  await db.exec(`vacuum (analyze) ${SCORING_TABLES.join(", ")}`);
  const seedSeconds = (performance.now() - started) / 1000;
  const [counted] = await db.query<{ n: number }>(
    `select count(*) as n from usage_events
     where occurred_at > $1::timestamptz - $2 * interval '1 day' and occurred_at <= $1`,
    [spec.asOf, spec.days],
  );
  const windowEvents = counted?.n ?? 0;
  await db.query(
    `insert into bench_population (customers, days, seed, as_of, events, window_events, seed_seconds)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [spec.customers, spec.days, spec.seed, spec.asOf, result.events, windowEvents, seedSeconds],
  );
  return { ...spec, events: result.events, windowEvents, seedSeconds, reused: false };
}
