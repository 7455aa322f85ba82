/**
 * `deno task bench:interventions`: on real PostgreSQL, over the benchmark
 * population (bench:health's), the planner on 100,000 intervention proposals
 * of one cycle, set-based vs one at a time; then delivery end to end (claim,
 * render, send, record) to a real SMTP server and a webhook receiver on
 * loopback, the engine's dispatcher vs one send at a time, with the claim and
 * render costs printed apart. bench/README.md explains the method.
 *
 *   --firings N        proposals to plan (default 100,000)
 *   --naive-sample N   proposals the one-at-a-time planner plans (default 2,000)
 *   --sends N          sends per channel (default 5,000)
 *   --naive-sends N    sends the one-at-a-time delivery makes per channel (default 300)
 *   --database NAME    database to use (default cs_bench, shared with bench:health)
 *
 * Exits non-zero only on errors; targets are informational.
 */
import { parseArgs } from "node:util";
import { wholeNumber } from "../cli/flags.ts";
import { runCommand, say, warn } from "../cli/output.ts";
import { loadConfig } from "../engine/config.ts";
import type { Db } from "../engine/db/mod.ts";
import { capabilitiesOf, interventionPolicy, planParams } from "../engine/interventions/mod.ts";
import { silentLogger } from "../engine/log.ts";
import { channelKinds, loadChannelPlugins } from "../engine/plugins/mod.ts";
import { scoringSettings } from "../engine/health/mod.ts";
import { firstPartyChannelPlugins } from "../plugins/mod.ts";
import { benchServerUrl, describeServer, openBenchDatabase } from "./health/database.ts";
import { ensurePopulation } from "./health/population.ts";
import { seedProgress } from "./health/progress.ts";
import { populationFromFlags, populationOptions } from "./health/population_flags.ts";
import {
  deliverAll,
  type DeliveryRun,
  startReceiver,
  startSink,
} from "./interventions/delivery.ts";
import { planAll, planNaively, synthesizeFirings } from "./interventions/planning.ts";
import { markdownTable, saveFigures } from "./results.ts";
import { publishBenchRules } from "./rules/publish.ts";

const TARGETS = { planSeconds: 3, planFirings: 100_000, sendsPerSecond: 500 };
const WEBHOOK_SECRET = "bench-webhook-secret-0123456789";

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...populationOptions,
      firings: { type: "string", default: "100000" },
      "naive-sample": { type: "string", default: "2000" },
      sends: { type: "string", default: "5000" },
      "naive-sends": { type: "string", default: "300" },
    },
  });
  const firings = wholeNumber("--firings", values.firings, 1, 1_000_000);
  const naiveSample = wholeNumber("--naive-sample", values["naive-sample"], 1, 100_000);
  const sends = wholeNumber("--sends", values.sends, 1, 100_000);
  const naiveSends = wholeNumber("--naive-sends", values["naive-sends"], 1, 10_000);
  const serverUrl = benchServerUrl(config);
  const bench = await openBenchDatabase(serverUrl, { name: values.database, poolSize: 6 });
  const { db } = bench;
  const sink = await startSink();
  const receiver = startReceiver();
  try {
    const population = await ensurePopulation(db, populationFromFlags(values), {
      reseed: values.reseed,
      scoring: scoringSettings(config),
      retentionDays: config.DATA_RETENTION_DAYS,
      onProgress: seedProgress(),
    });
    // Populations seeded before the demo data had addresses get them (derived from the id).
    await db.exec(
      `update customers set attributes = attributes || jsonb_build_object('email', id || '@example.com')
       where not attributes ? 'email'`,
    );
    await db.exec("vacuum (analyze) customers");
    await publishBenchRules(db);
    await reset(db);
    const asOf = new Date(population.asOf.getTime() + 3_600_000);
    const policy = interventionPolicy(config);
    const capabilities = capabilitiesOf(await planParams(db, channelKinds));

    warn(`Planning ${firings.toLocaleString("en")} proposals…`);
    const { cycleId } = await synthesizeFirings(db, { count: firings, asOf });
    const planned = await planAll(db, {
      cycleId,
      asOf,
      policy,
      capabilities,
      batchSize: config.SCORING_BATCH_SIZE,
      concurrency: config.SCORING_CONCURRENCY,
    });
    await reset(db, { keepFirings: true });
    warn(`Planning ${naiveSample.toLocaleString("en")} proposals one at a time…`);
    const naivePlan = await planNaively(db, {
      cycleId,
      asOf,
      policy,
      capabilities,
      sample: naiveSample,
    });
    await reset(db);

    const channels = await loadChannelPlugins(firstPartyChannelPlugins, {
      config: loadConfig({
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        EMAIL_FROM: "Success <success@example.com>",
        INTERVENTION_WEBHOOK_URL: receiver.url,
        INTERVENTION_WEBHOOK_SECRET: WEBHOOK_SECRET,
      }),
      db,
      log: silentLogger,
    });
    const runs: Record<string, { engine: DeliveryRun; naive: DeliveryRun }> = {};
    try {
      for (
        const [channel, template] of [["email", "payment_failed"], ["webhook", "at_risk_webhook"]]
      ) {
        warn(`Delivering ${sends.toLocaleString("en")} ${channel} sends…`);
        await dueSends(db, { count: sends, channel: channel!, template: template!, asOf });
        const engine = await deliverAll(db, channels, {
          channel: channel!,
          sends,
          batchSize: config.DELIVERY_BATCH_SIZE,
          concurrency: config.DELIVERY_CONCURRENCY,
          workers: 2,
        });
        await reset(db);
        warn(`Delivering ${naiveSends} ${channel} sends one at a time…`);
        await dueSends(db, { count: naiveSends, channel: channel!, template: template!, asOf });
        const naive = await deliverAll(db, channels, {
          channel: channel!,
          sends: naiveSends,
          batchSize: 1,
          concurrency: 1,
          workers: 1,
        });
        await reset(db);
        runs[channel!] = { engine, naive };
      }
    } finally {
      await channels.closeAll();
    }
    if (sink.messages() !== sends + naiveSends || receiver.received() !== sends + naiveSends) {
      throw new Error(
        `the loopback servers got ${sink.messages()} emails and ${receiver.received()} posts`,
      );
    }

    const planProjected = planned.seconds * TARGETS.planFirings / planned.proposals;
    const planRatio = (planned.proposals / planned.seconds) / naivePlan.perSecond;
    const figures = {
      date: new Date().toISOString(),
      server: describeServer(serverUrl, values.database),
      cores: navigator.hardwareConcurrency,
      planning: {
        ...planned,
        perSecond: planned.proposals / planned.seconds,
        naive: naivePlan,
        ratio: planRatio,
      },
      delivery: runs,
      targets: {
        planning: {
          ...TARGETS,
          projectedSeconds: planProjected,
          met: planProjected < TARGETS.planSeconds,
        },
        delivery: Object.fromEntries(
          Object.entries(runs).map(([c, r]) => [c, r.engine.perSecond >= TARGETS.sendsPerSecond]),
        ),
      },
    };
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const rows: Array<[string, string]> = [
      [
        "planning",
        `${planned.proposals.toLocaleString("en")} proposals in ${planned.seconds.toFixed(2)} s ` +
        `(${planned.toSend.toLocaleString("en")} to send, ${
          planned.heldOut.toLocaleString("en")
        } held out, ` +
        `${planned.suppressed.toLocaleString("en")} suppressed)`,
      ],
      [
        "planning one at a time",
        `${Math.round(naivePlan.perSecond).toLocaleString("en")} proposals/s`,
      ],
      ["**planning ratio**", `**${planRatio.toFixed(1)}×**`],
      [
        `target: ${TARGETS.planFirings.toLocaleString("en")} firings < ${TARGETS.planSeconds} s`,
        `${figures.targets.planning.met ? "met" : "NOT met"} (${planProjected.toFixed(2)} s)`,
      ],
    ];
    for (const [channel, run] of Object.entries(runs)) {
      const e = run.engine;
      rows.push(
        [
          `delivery ${channel}`,
          `**${Math.round(e.perSecond).toLocaleString("en")} sends/s** (${
            e.sends.toLocaleString("en")
          } in ${e.seconds.toFixed(1)} s)`,
        ],
        [
          `${channel}: per send`,
          `claim ${ms(e.perSendMs.claim)}, render ${ms(e.perSendMs.render)}, send ${
            ms(e.perSendMs.send)
          }, record ${ms(e.perSendMs.record)}`,
        ],
        [
          `${channel}: one at a time`,
          `${Math.round(run.naive.perSecond).toLocaleString("en")} sends/s, ratio ${
            (e.perSecond / run.naive.perSecond).toFixed(1)
          }×`,
        ],
        [
          `target: ${channel} ≥ ${TARGETS.sendsPerSecond}/s`,
          e.perSecond >= TARGETS.sendsPerSecond ? "met" : "NOT met",
        ],
      );
    }
    say();
    for (const line of markdownTable(rows)) say(line);
    warn(`\nFigures saved to ${await saveFigures("interventions", figures)}`);
  } finally {
    await reset(db).catch(() => {});
    await receiver.close();
    await sink.close();
    await bench.close();
  }
});

/** `count` planned sends due now on `channel`, for the first customers with an address. */
async function dueSends(
  db: Db,
  options: { count: number; channel: string; template: string; asOf: Date },
): Promise<void> {
  await db.query(
    `with picked as (
       select id from customers where churned_at is null order by id limit $1
     ),
     planned as (
       insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
         template_id, channel, priority, decision, status, planned_at, scheduled_for)
       select 'bench:' || $2 || ':' || id, id, null, null, $3, $2, 50, 'send', 'planned', $4, $4
       from picked
       returning id, scheduled_for
     )
     insert into intervention_outbox (intervention_id, due_at) select id, scheduled_for from planned`,
    [options.count, options.channel, options.template, options.asOf],
  );
}

/** Removes what the benchmark wrote; vacuums (the server runs without autovacuum here). */
async function reset(db: Db, options: { keepFirings?: boolean } = {}): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("delete from intervention_outbox");
    await tx.query("delete from success_interventions");
    await tx.query("delete from in_app_messages");
    // The domain events the rules and interventions stages append.
    await tx.query(
      `delete from event_log where type in
         ('rule.fired', 'intervention.planned', 'intervention.sent', 'intervention.failed')`,
    );
    if (!options.keepFirings) {
      await tx.query("delete from rule_firings");
      await tx.query("delete from cycles");
    }
  });
  await db.exec(
    "vacuum (analyze) intervention_outbox, success_interventions, rule_firings, cycles, event_log",
  );
}
