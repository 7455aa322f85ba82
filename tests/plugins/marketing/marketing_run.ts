/**
 * Running the marketing plugin in a test: on a real database, posting to a
 * real loopback peer, with a clock that stands still and batch keys that
 * count, and its stream at hand so a test flushes when it says so (the
 * timer's interval is an hour unless a test asks for less).
 */
import { assert } from "../../helpers/assert.ts";
import { customer, movableClock, NOW } from "../../helpers/fixtures.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { firstParty } from "../../../engine/plugins/mod.ts";
import {
  type LoopbackPeer,
  type PluginTestRun,
  startLoopbackPeer,
  startPluginForTest,
} from "../../../engine/plugins/testing/mod.ts";
import type { CustomerRecord } from "../../../engine/signals/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import {
  createMarketingPlugin,
  type MarketingBatchBody,
  type MarketingStream,
} from "../../../plugins/marketing/mod.ts";
import manifest from "../../../plugins/marketing/plugin.json" with { type: "json" };

export const SECRET = "mkt_0123456789abcdef";

/** A plugin run with what a test looks at. */
export interface MarketingRun {
  run: PluginTestRun;
  stream: MarketingStream;
  peer: LoopbackPeer;
  clock: ReturnType<typeof movableClock>;
  stop(): Promise<void>;
}

/** Starts the plugin on `db` posting to `peer` (a new one when not given). */
export async function startMarketing(
  db: Db,
  options: {
    config?: Record<string, unknown>;
    peer?: LoopbackPeer;
    clock?: ReturnType<typeof movableClock>;
    /** Prefix of batch keys, so two engines' keys differ. */
    keys?: string;
    /** Start without a signing secret. */
    unsigned?: boolean;
  } = {},
): Promise<MarketingRun> {
  const peer = options.peer ?? startLoopbackPeer("/marketing/events");
  const clock = options.clock ?? movableClock(NOW);
  let counter = 0;
  let stream: MarketingStream | undefined;
  const definition = createMarketingPlugin({
    now: () => clock.now(),
    newId: () => `${options.keys ?? "batch"}-${++counter}`,
    onStart: (started) => (stream = started),
  });
  const run = await startPluginForTest({
    plugin: firstParty(manifest, definition, "plugins/marketing"),
    db,
    env: { MARKETING_API_ENDPOINT: peer.url },
    config: {
      ...(options.unsigned ? {} : { signingSecret: SECRET }),
      flushIntervalMs: 3_600_000,
      ...options.config,
    },
  });
  assert(stream, "the plugin did not start its stream");
  return {
    run,
    stream,
    peer,
    clock,
    async stop() {
      await run.stop();
      if (!options.peer) await peer.close();
    },
  };
}

/** Creates customers (sup_a, sup_b, … unless given). */
export async function addCustomers(db: Db, ...customers: CustomerRecord[]): Promise<void> {
  await upsertCustomers(db, customers.length ? customers : [customer("sup_a"), customer("sup_b")], {
    now: NOW,
  });
}

/** The bodies the peer received, parsed. */
export function bodies(peer: LoopbackPeer): MarketingBatchBody[] {
  return peer.received.map((request) => JSON.parse(request.body) as MarketingBatchBody);
}

/** A `health.changed` payload whose at-risk score crosses up to 60 and beyond. */
export function atRisk(atRiskScore = 72, score = 31): Record<string, unknown> {
  return { score, previousScore: 55, atRiskScore, previousAtRiskScore: 40, modelVersion: "1.0.0" };
}

/** A `health.changed` payload whose score crosses up to 80 while not at risk. */
export function champion(score = 86): Record<string, unknown> {
  return {
    score,
    previousScore: 74,
    atRiskScore: 8,
    previousAtRiskScore: 12,
    modelVersion: "1.0.0",
  };
}

/** A `milestone.achieved` payload. */
export function milestone(key = "first_payment_received"): Record<string, unknown> {
  return { milestone: key, userId: "usr_88", achievedAt: "2026-06-15T09:00:00.000Z" };
}

/** The outbox rows, in queue order: event id, state, and why not sent. */
export async function outbox(db: Db): Promise<Array<[number, string, string | null]>> {
  const rows = await db.query<
    { event_id: number; state: string; suppressed_reason: string | null }
  >(
    "select event_id, state, suppressed_reason from marketing_outbox order by id",
  );
  return rows.map((r) => [Number(r.event_id), r.state, r.suppressed_reason]);
}
