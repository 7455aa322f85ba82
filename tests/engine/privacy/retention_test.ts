/** The retention job: what goes, what stays, dry runs, reruns, the health check and the schedule. */
import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { withApi } from "../../helpers/api.ts";
import { createTestDb } from "../../helpers/db.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { silentLogger } from "../../../engine/log.ts";
import { loadConfig } from "../../../engine/config.ts";
import {
  lastRetentionRun,
  runRetention,
  runScheduledRetention,
} from "../../../engine/privacy/mod.ts";
import { retentionCheck } from "../../../engine/ops/health_checks_privacy.ts";
import { firstPartyRetentionTables } from "../../../plugins/mod.ts";
import {
  OLD,
  partitionNames,
  plantLogEvents,
  plantRetentionData,
  RECENT,
  tableCounts,
} from "./retention_fixtures.ts";

const now = () => NOW;
const at = (when: Date) => ({ now: when, signal: new AbortController().signal });

// What planting leaves: 3 of each time series, 2 of each firing, 4 interventions (2 finished).
const PLANTED = {
  usage_events: 3,
  usage_event_ids: 3,
  usage_daily: 3,
  churn_prediction_logs: 3,
  churn_scoring_runs: 3,
  rule_firings: 2,
  success_interventions: 4,
  intervention_outbox: 2,
  intervention_outcomes: 2,
  intervention_effects: 2,
  in_app_messages: 4,
  event_log: 4,
  scheduled_job_runs: 3,
};

Deno.test("runRetention() drops whole old months and deletes old rows, keeping the window", async () => {
  const { db, drop } = await createTestDb();
  try {
    await plantRetentionData(db);
    const { deadLettered, delivered, pending } = await plantLogEvents(db);
    assertEquals(await tableCounts(db), PLANTED);

    const report = await runRetention(db, { retentionDays: 730, now, batchSize: 1 });
    assertEquals(report.cutoff.toISOString(), "2024-06-15T12:00:00.000Z");
    const removed = Object.fromEntries(report.removed.map((r) => [r.table, r.rows]));
    assertEquals(removed, {
      usage_events: 1,
      churn_prediction_logs: 1,
      rule_firings: 1,
      success_interventions: 1,
      intervention_outbox: 0,
      intervention_outcomes: 1,
      intervention_effects: 1,
      in_app_messages: 2,
      event_log: 1,
      // Not partitioned: rows go by their own time, EDGE included.
      churn_scoring_runs: 2,
      scheduled_job_runs: 1,
      usage_daily: 1,
      health_boosts: 0,
      usage_event_ids: 1,
      retention_runs: 0,
    });
    assertEquals(report.removed[0]!.partitions, ["usage_events_2024_03"]);
    assertEquals(report.removed[1]!.partitions, ["churn_prediction_logs_2024_03"]);

    // Dropped, not emptied: June 2024 reaches into the window and keeps its rows.
    assertEquals(await partitionNames(db, "usage_events"), [
      "usage_events_2024_06",
      "usage_events_2026_05",
    ]);
    assertEquals(await partitionNames(db, "churn_prediction_logs"), [
      "churn_prediction_logs_2024_06",
      "churn_prediction_logs_2026_05",
    ]);
    assertEquals(await tableCounts(db), {
      usage_events: 2,
      usage_event_ids: 2,
      usage_daily: 2,
      churn_prediction_logs: 2,
      churn_scoring_runs: 1,
      rule_firings: 1,
      // The old intervention still in the outbox stays, with its outbox row.
      success_interventions: 3,
      intervention_outbox: 2,
      intervention_outcomes: 1,
      intervention_effects: 1,
      in_app_messages: 2,
      event_log: 3,
      // Each job keeps its latest run: the reports read when they last refreshed.
      scheduled_job_runs: 2,
    });
    const events = await db.query<{ id: string }>("select id from event_log order by id");
    assert(!events.some((e) => Number(e.id) === delivered), "the delivered old event is gone");
    assert(events.some((e) => Number(e.id) === pending), "the undelivered old event is kept");
    assert(events.some((e) => Number(e.id) === deadLettered), "a dead letter's event is kept");

    const last = await lastRetentionRun(db);
    assertEquals([last?.id, last?.status, last?.trigger], [report.runId, "succeeded", "cli"]);
    assertEquals(last?.removed, report.removed);
  } finally {
    await drop();
  }
});

Deno.test("runRetention() empties the tables plugin manifests declare, and expired health boosts", async () => {
  const { db, drop } = await createTestDb();
  try {
    await plantRetentionData(db);
    for (const [i, at] of [OLD, RECENT].entries()) {
      await db.query(
        `insert into viral_referrals (id, referrer_id, kind, occurred_at, status, recorded_by,
           recorded_at) values ($1, 'sup_r', 'supplier_invited', $2, 'pending', 'test', $2)`,
        [`ref-${i}`, at],
      );
      await db.query(
        `insert into viral_asks (customer_id, asked_at, event_id, score) values ('sup_r', $1, $2, 85)`,
        [at, i],
      );
      await db.query(
        `insert into offline_push_receipts (key, caller, client_id, fingerprint, customer_id,
           answer, received_at) values ($1, 'token:1', 'device', 'f', 'sup_r', '{}', $2)`,
        [`key-${i}`, at],
      );
      await db.query(
        `insert into marketing_outbox (event_id, customer_id, kind, event_type, occurred_at,
           fields, queued_at, state, suppressed_reason, done_at)
         values ($1, 'sup_r', 'at_risk', 'health.changed', $2, '{}', $2, 'suppressed',
           'churned', $2)`,
        [1000 + i, at],
      );
      await db.query(
        `insert into health_boosts (source, boost_key, customer_id, points, reason, valid_from,
           valid_until) values ('viral', $1, 'sup_r', 5, 'referral converted', $2,
           $2::timestamptz + interval '90 days')`,
        [`boost-${i}`, at],
      );
    }
    // Still pending: a row without its time (done_at null) is kept, however old.
    await db.query(
      `insert into marketing_outbox (event_id, customer_id, kind, event_type, occurred_at,
         fields, queued_at) values (2000, 'sup_r', 'at_risk', 'health.changed', $1, '{}', $1)`,
      [OLD],
    );
    const report = await runRetention(db, {
      retentionDays: 730,
      now,
      batchSize: 1,
      pluginTables: firstPartyRetentionTables,
    });
    const byPlugin = report.removed.filter((r) => r.plugin !== undefined)
      .map((r) => [r.plugin, r.table, r.rows]);
    assertEquals(byPlugin, [
      ["viral", "viral_referrals", 1],
      ["viral", "viral_asks", 1],
      ["marketing", "marketing_outbox", 1],
      ["offline", "offline_push_receipts", 1],
    ]);
    assertEquals(report.removed.find((r) => r.table === "health_boosts")?.rows, 1);
    const left = await db.query<{ t: string; n: number }>(
      `select 'viral_referrals' as t, count(*)::int as n from viral_referrals
       union all select 'viral_asks', count(*)::int from viral_asks
       union all select 'offline_push_receipts', count(*)::int from offline_push_receipts
       union all select 'marketing_outbox', count(*)::int from marketing_outbox
       union all select 'health_boosts', count(*)::int from health_boosts`,
    );
    assertEquals(Object.fromEntries(left.map((r) => [r.t, r.n])), {
      viral_referrals: 1,
      viral_asks: 1,
      offline_push_receipts: 1,
      marketing_outbox: 2,
      health_boosts: 1,
    });
  } finally {
    await drop();
  }
});

Deno.test("runRetention() with dryRun counts what would go and removes nothing", async () => {
  const { db, drop } = await createTestDb();
  try {
    await plantRetentionData(db);
    await plantLogEvents(db);
    const progress: string[] = [];
    const report = await runRetention(db, {
      retentionDays: 730,
      now,
      dryRun: true,
      onProgress: (p) => progress.push(p.table),
    });
    assertEquals(report.dryRun, true);
    const removed = Object.fromEntries(report.removed.map((r) => [r.table, r.rows]));
    assertEquals([removed.usage_events, removed.event_log, removed.success_interventions], [
      1,
      1,
      1,
    ]);
    assertEquals(report.removed[0]!.partitions, ["usage_events_2024_03"]);
    assert(progress.includes("usage_events"), progress.join());
    assertEquals(await tableCounts(db), PLANTED);
    assertEquals((await partitionNames(db, "usage_events")).length, 3);
    // A dry run is recorded, but the health check reports the runs that removed data.
    assertEquals(await lastRetentionRun(db), null);
  } finally {
    await drop();
  }
});

Deno.test("runRetention() twice: the second run finds nothing more and changes nothing", async () => {
  const { db, drop } = await createTestDb();
  try {
    await plantRetentionData(db);
    await plantLogEvents(db);
    await runRetention(db, { retentionDays: 730, now });
    const after = await tableCounts(db);
    const again = await runRetention(db, { retentionDays: 730, now });
    // Only the first run's own record, older than nothing, could go: none does.
    assertEquals(again.removed.filter((r) => r.rows > 0), []);
    assertEquals(await tableCounts(db), after);
  } finally {
    await drop();
  }
});

Deno.test("runRetention() refuses to start beside a running run, and takes over a dead one", async () => {
  const { db, drop } = await createTestDb();
  try {
    const started = new Date(NOW.getTime() - 60_000);
    await db.query(
      `insert into retention_runs (trigger, dry_run, retention_days, cutoff, started_at,
         heartbeat_at, status) values ('schedule', false, 730, $1, $1, $1, 'running')`,
      [started],
    );
    const error = await assertRejects(
      () => runRetention(db, { retentionDays: 730, now }),
      EngineError,
    );
    assertEquals(error.code, "RETENTION_ALREADY_RUNNING");
    assertMatch(error.message, /^Retention run \d+ is running since 2026-06-15T11:59:00.000Z/);
    // A dry run removes nothing, so it needs no turn.
    await runRetention(db, { retentionDays: 730, now, dryRun: true });

    // Ten minutes without progress: its process died, and the next run goes on.
    const later = new Date(NOW.getTime() + 11 * 60_000);
    const report = await runRetention(db, { retentionDays: 730, now: () => later });
    const runs = await db.query<{ id: string; status: string; error: string | null }>(
      "select id, status, error from retention_runs where not dry_run order by id",
    );
    assertEquals(runs.map((r) => r.status), ["failed", "succeeded"]);
    assertMatch(runs[0]!.error ?? "", /^Abandoned/);
    assertEquals(Number(runs[1]!.id), report.runId);
  } finally {
    await drop();
  }
});

Deno.test("the retention health check shows the last run, and is degraded when it failed or is overdue", async () => {
  const { db, drop } = await createTestDb();
  try {
    const config = { DATA_RETENTION_DAYS: 730, RETENTION_SCHEDULE: "30 2 * * *" };
    const check = retentionCheck(db, config);
    assertEquals((await check.run(at(NOW))).details?.lastRun, null);

    await plantRetentionData(db);
    assertEquals((await check.run(at(NOW))).status, "degraded", "March 2024 is stored");
    const report = await runRetention(db, { retentionDays: 730, now });
    const healthy = await check.run(at(NOW));
    assertEquals(healthy.status, "healthy", healthy.message);
    assertMatch(
      healthy.message,
      /^The retention job last ran at 2026-06-15T12:00:00.000Z \(succeeded\) and removed \d+ rows older than 730 days/,
    );
    const lastRun = healthy.details?.lastRun as { id: number; removed: unknown[] };
    assertEquals([lastRun.id, lastRun.removed], [report.runId, report.removed]);

    const later = new Date(NOW.getTime() + 3 * 86_400_000);
    const overdue = await check.run(at(later));
    assertEquals(overdue.status, "degraded");
    assertMatch(overdue.message, /has missed its schedule/);

    await db.query(
      "update retention_runs set status = 'failed', error = 'lock timeout' where id = $1",
      [report.runId],
    );
    const failed = await check.run(at(NOW));
    assertEquals(failed.status, "degraded");
    assertMatch(failed.message, /failed: lock timeout/);
  } finally {
    await drop();
  }
});

Deno.test("the scheduled retention runs once per tick however many engines fire", async () => {
  const { db, drop } = await createTestDb();
  try {
    await plantRetentionData(db);
    const config = loadConfig({ DATA_RETENTION_DAYS: "730" });
    const deps = { db, config, clock: { now }, log: silentLogger };
    const slot = new Date("2026-06-15T02:30:00Z");
    const [a, b] = await Promise.all([
      runScheduledRetention(deps, slot),
      runScheduledRetention(deps, slot),
    ]);
    assertEquals([a, b].filter((r) => r !== null).length, 1);
    const runs = await db.query<{ trigger: string }>("select trigger from retention_runs");
    assertEquals(runs.map((r) => r.trigger), ["schedule"]);
    const [job] = await db.query<{ finished_at: Date | null }>(
      "select finished_at from scheduled_job_runs where job = 'data-retention'",
    );
    assert(job?.finished_at, "the claimed tick is marked finished");
  } finally {
    await drop();
  }
});

Deno.test("GET /api/customer-success/health/privacy shows the retention job's last run", async () => {
  await withApi(async (api) => {
    await plantRetentionData(api.db);
    const report = await runRetention(api.db, { retentionDays: 730, now });
    const after = (await api.call("GET", "/api/customer-success/health/privacy")).body;
    const retention = healthCheck(after, "retention");
    assertEquals(retention?.status, "healthy", retention?.message);
    const lastRun = retention?.details.lastRun as { id: number; status: string; removed: unknown };
    assertEquals([lastRun.id, lastRun.status], [report.runId, "succeeded"]);
    assertEquals(lastRun.removed, report.removed);
    assertEquals(retention?.details.expiredMonths, []);
  });
});

interface CheckBody {
  name: string;
  status: string;
  message: string;
  details: Record<string, unknown>;
}

function healthCheck(report: { checks: CheckBody[] }, name: string): CheckBody | undefined {
  return report.checks.find((c) => c.name === name);
}
