/** Small builders for test data, valid unless a test overrides a field. */
import type { CustomerRecord, UsageEvent } from "../../engine/signals/mod.ts";
import { ensureMilestoneCatalog } from "../../engine/signals/mod.ts";
import { ensureDefaultHealthModel } from "../../engine/health/mod.ts";
import type { Clock } from "../../engine/clock.ts";
import type { Db } from "../../engine/db/mod.ts";

/** The fixed "now" of tests. */
export const NOW = new Date("2026-06-15T12:00:00Z");

/** A clock that stands still at `start` (NOW by default) until a test moves it on. */
export function movableClock(start: Date = NOW): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

/** A day before/after NOW. */
export function daysAgo(days: number, from: Date = NOW): Date {
  return new Date(from.getTime() - days * 86_400_000);
}

/** A valid customer. */
export function customer(id: string, fields: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    id,
    name: `Supplier ${id}`,
    vendorType: "photographer",
    plan: "professional",
    mrr: 79,
    currency: "GBP",
    country: "GB",
    timeZone: "Europe/London",
    signupDate: "2026-01-10",
    attributes: {},
    ...fields,
  };
}

let eventCounter = 0;

/** A valid usage event. */
export function usageEvent(
  customerId: string,
  type: string,
  occurredAt: Date,
  properties: Record<string, unknown> = {},
  id = `evt-${++eventCounter}`,
): UsageEvent {
  return { id, customerId, type, occurredAt, properties };
}

/** Installs what the engine installs at start: milestone catalog and health model. */
export async function installDefaults(db: Db): Promise<void> {
  await ensureMilestoneCatalog(db);
  await ensureDefaultHealthModel(db);
}

/** The stages of an evaluation cycle, in order, as users see them in a cycle's `stages`. */
export const CYCLE_STAGES = [
  "health",
  "churn",
  "rules",
  "interventions",
  "outcomes",
  "model-monitoring",
];
