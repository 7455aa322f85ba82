/**
 * The engine: configuration → database → migrations and defaults → demo data
 * (on an empty embedded database) → HTTP API → schedules. Stops gracefully on
 * SIGINT/SIGTERM: no new requests, running cycles finish, the database closes.
 */
import { progress, runCommand, say, warn } from "./cli/output.ts";
import {
  type AdminUser,
  ensureAdminAccess,
  ensureAdminUser,
  generateTokenSecret,
  systemActor,
  TokenVerifier,
} from "./engine/access/mod.ts";
import { createApi, stoppingResponse } from "./engine/api/mod.ts";
import { systemClock } from "./engine/clock.ts";
import { describeStorage, loadConfig, redactedConfig } from "./engine/config.ts";
import { openDb } from "./engine/db/mod.ts";
import { isDatabaseEmpty, seedDemoData } from "./engine/demo/mod.ts";
import { EngineError, isEngineError } from "./engine/errors.ts";
import { installEngine } from "./engine/install.ts";
import { createLogger } from "./engine/log.ts";
import {
  createEngineMetrics,
  createHealthMonitor,
  describeTelemetry,
  type HealthMonitor,
  Lifecycle,
  relaunchWithTelemetry,
  watchPrivacyRequests,
} from "./engine/ops/mod.ts";
import { nextCronTicks } from "./engine/cron_expression.ts";
import {
  catchUpMissedCycles,
  CycleRunner,
  evaluationStages,
  refreshSuccessMetricsIfNever,
  scheduleCycles,
  scheduleRetrain,
  scheduleSuccessMetricsRefresh,
} from "./engine/schedule/mod.ts";
import {
  noPersonalDataHolders,
  openKeyring,
  schedulePrivacyRequests,
  scheduleRetention,
} from "./engine/privacy/mod.ts";
import { scoringSettings } from "./engine/health/mod.ts";
import { installDefaultRules, loadFactCatalog } from "./engine/rules/mod.ts";
import {
  installDefaultTemplates,
  loadTemplateChannels,
} from "./engine/interventions/templates/mod.ts";
import { Dispatcher, linkSigner, messageBuilder } from "./engine/interventions/mod.ts";
import {
  type ChannelRegistry,
  eventHubSettings,
  PluginEvents,
  PluginHost,
  pluginPersonalData,
} from "./engine/plugins/mod.ts";
import { firstPartyPlugins, firstPartyRetentionTables } from "./plugins/mod.ts";
import {
  alertsCheck,
  alertSenders,
  installDefaultAlertRules,
  scheduleAlerts,
} from "./engine/alerts/mod.ts";
import { ChurnModels, type ChurnModelStatus, trainFirstModel } from "./engine/ml/mod.ts";

// Enough history for three training snapshots: 90 days of signals before
// each, 90 days of outcome after the newest.
const DEMO_DAYS = 270;
const DEMO_HISTORY_WEEKS = 26;

// An OTLP endpoint without OTEL_DENO: run again with Deno's OpenTelemetry on.
const relaunched = await relaunchWithTelemetry(new URL(import.meta.url), Deno.env.toObject());
if (relaunched !== null) Deno.exit(relaunched);

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: config.LOG_LEVEL });
  log.debug("configuration", redactedConfig(config));
  const telemetry = describeTelemetry(config);
  if (telemetry.warning) log.warn(telemetry.warning);
  const metrics = createEngineMetrics();
  const clock = systemClock;
  const { db, lock } = await openDb(config, { command: "engine", log });
  watchPrivacyRequests(metrics, db, clock);
  // Background work stops at the first signal; the HTTP server only after the shutdown delay.
  const stopping = new AbortController();
  const closing = new AbortController();
  const lifecycle = new Lifecycle();
  let server: { port: number; finished: Promise<void> };
  let cycles: CycleRunner;
  let channels: ChannelRegistry | null = null;
  let host: PluginHost | null = null;
  let events: PluginEvents | null = null;
  let churn: ChurnModelStatus | null = null;
  const churnModels = new ChurnModels({
    db,
    scorer: config.ML_SCORER,
    log: log.child({ component: "ml" }),
  });
  let health: HealthMonitor;
  let adminSecret: string | null;
  let firstUser: AdminUser = { outcome: "none" };
  const localToken = generateTokenSecret();
  try {
    await installEngine(db, { config, now: clock.now(), log });
    // Before anything reads or writes a customer: a wrong or missing key stops the start here.
    await openKeyring(db, config, { now: clock.now(), log: log.child({ component: "privacy" }) });
    ({ newSecret: adminSecret } = await ensureAdminAccess(db, {
      initAdminToken: config.INIT_ADMIN_TOKEN,
      now: clock.now(),
      log,
    }));
    firstUser = await ensureAdminUser(db, {
      email: config.INIT_ADMIN_EMAIL,
      password: config.INIT_ADMIN_PASSWORD,
      now: clock.now(),
      log,
    });
    const templatesInstalled = await installDefaultTemplates(db, { now: clock.now() });
    if (templatesInstalled > 0) {
      say(`Published the ${templatesInstalled} default templates (templates/*.json).`);
    }
    const rulesInstalled = await installDefaultRules(db, {
      // Templates first: rules are checked against the templates there are.
      context: { catalog: await loadFactCatalog(db), templates: await loadTemplateChannels(db) },
      now: clock.now(),
    });
    if (rulesInstalled > 0) say(`Published the ${rulesInstalled} default rules (rules/*.json).`);
    const alertRulesInstalled = await installDefaultAlertRules(db, clock.now());
    if (alertRulesInstalled > 0) {
      say(`Installed the ${alertRulesInstalled} default alert rules (alerts/default.json).`);
    }
    const wantDemo = config.DEMO_DATA === "true" ||
      (config.DEMO_DATA === "auto" && config.DATABASE_URL === undefined);
    if (wantDemo && await isDatabaseEmpty(db)) {
      const bar = progress("Generating demo suppliers", config.DEMO_CUSTOMERS);
      const result = await seedDemoData(db, {
        customers: config.DEMO_CUSTOMERS,
        days: DEMO_DAYS,
        seed: 42,
        asOf: clock.now(),
        historyWeeks: DEMO_HISTORY_WEEKS,
        scoring: scoringSettings(config),
        onProgress: (phase, done, total) => {
          if (phase === "customers") bar.update(done, total);
        },
      });
      bar.done(
        `${result.customers} suppliers, ${result.events.toLocaleString("en")} events, ` +
          `${result.scorings.toLocaleString("en")} health scores`,
      );
      if (config.ML_CHURN_PREDICTION_ENABLED) {
        const training = progress("Training the first churn model on the demo data", 1);
        try {
          const first = await trainFirstModel(db, churnModels, config, {
            actor: systemActor.id,
            now: clock.now(),
          });
          const test = first.card.metrics.test;
          training.done(
            `model ${first.version}, ROC AUC ${test.rocAuc?.toFixed(3)} on ${test.rows} ` +
              "held-out customer snapshots",
          );
        } catch (error) {
          // A small demo (DEMO_CUSTOMERS) may be too little to learn from: run without a model.
          if (!isEngineError(error, "MODEL_TRAINING_DATA_INSUFFICIENT")) throw error;
          training.done(`skipped: ${error.message}`);
        }
      }
    }
    // Channel settings are checked here: a wrong SMTP_URL stops the start, not the first send.
    const plugins = new PluginHost({
      db,
      clock,
      log: log.child({ component: "plugins" }),
      environment: config,
      firstParty: firstPartyPlugins,
      directory: config.PLUGINS_DIR,
    });
    await plugins.start();
    host = plugins;
    const registered = plugins.channels;
    channels = registered;
    cycles = new CycleRunner({
      db,
      clock,
      log: log.child({ component: "cycles" }),
      stages: evaluationStages(config, {
        channels: () => registered.list().map((c) => c.kind),
        churnModels,
        pluginFacts: (ids, asOf) => plugins.facts(ids, asOf),
      }),
      leaseSeconds: config.CYCLE_LEASE_SECONDS,
      shardWorkers: config.SCORING_CONCURRENCY,
      metrics,
    });
    const apiLog = log.child({ component: "api" });
    const verifier = new TokenVerifier({
      db,
      clock,
      cacheSeconds: config.TOKEN_CACHE_SECONDS,
      onError: (error) => apiLog.warn("recording a token's last use failed", { error }),
    });
    // The commands of this machine (score, import) reach the engine with this secret.
    verifier.allowLocal(localToken, { ...systemActor, id: "local:command" });
    // The event log to the plugins running now, rebuilt as they are enabled or disabled.
    events = config.SUCCESS_EVENT_HUB_ENABLED
      ? new PluginEvents({
        db,
        clock,
        log,
        host: plugins,
        settings: eventHubSettings(config),
        metrics,
      })
      : null;
    health = createHealthMonitor({
      db,
      config,
      clock,
      log: log.child({ component: "health" }),
      churnModels,
      plugins,
      ...(events ? { eventHub: events } : {}),
    });
    health.registry.register(alertsCheck(db));
    // Loaded and warmed up once, before the first cycle needs it.
    if (config.ML_CHURN_PREDICTION_ENABLED && config.ML_MODEL_VERSION) {
      await churnModels.pin(config.ML_MODEL_VERSION, { actor: systemActor.id, now: clock.now() });
    }
    churn = config.ML_CHURN_PREDICTION_ENABLED ? await churnModels.warmUp() : null;
    const app = createApi({
      db,
      clock,
      config,
      log: apiLog,
      cycles,
      verifier,
      metrics,
      health,
      channels: registered,
      churnModels,
      plugins,
      lifecycle,
      ...(events ? { eventHub: events } : {}),
    });
    // Counted, so a shutdown waits for every request in flight (Lifecycle explains why).
    const handler = lifecycle.track(app.fetch, stoppingResponse);
    server = await serve(handler, config.HOST, config.PORT, closing.signal);
  } catch (error) {
    await host?.stop();
    await churnModels.close();
    await db.close();
    throw error;
  }
  const url = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${server.port}`;
  await lock?.setServing(url, localToken);
  // Plugins enabled, disabled or configured through another engine apply here too.
  const followingPlugins = host?.follow(stopping.signal) ?? Promise.resolve();
  const deliveringEvents = events?.run(stopping.signal) ?? Promise.resolve();
  const scheduled = config.CUSTOMER_SUCCESS_ENABLED &&
    scheduleCycles(cycles, { schedule: config.CYCLE_SCHEDULE, log, signal: stopping.signal });
  let caughtUp = "";
  if (config.CUSTOMER_SUCCESS_ENABLED) {
    // Shards of other engines' cycles, and cycles a dead engine left, are taken up from here.
    cycles.helpPeriodically(stopping.signal);
    const catchUp = await catchUpMissedCycles(cycles, db, {
      schedule: config.CYCLE_SCHEDULE,
      policy: config.CYCLE_CATCH_UP,
      now: clock.now(),
      log: log.child({ component: "cycles" }),
    });
    if (catchUp.missed > 0) {
      caughtUp = catchUp.cycle
        ? `; ${catchUp.missed} missed while stopped: cycle ${catchUp.cycle.id} runs now`
        : `; ${catchUp.missed} missed while stopped, not run (CYCLE_CATCH_UP=${config.CYCLE_CATCH_UP})`;
    }
  }
  const retraining = config.CUSTOMER_SUCCESS_ENABLED &&
    scheduleRetrain(
      { db, models: churnModels, config, clock, log: log.child({ component: "ml" }) },
      stopping.signal,
    );
  const reportDeps = { db, config, clock, log: log.child({ component: "reports" }) };
  const refreshingMetrics = scheduleSuccessMetricsRefresh(reportDeps, stopping.signal);
  // In the background: the API serves meanwhile, and the reports say when the view was refreshed.
  const firstRefresh = refreshingMetrics
    ? refreshSuccessMetricsIfNever(reportDeps)
    : Promise.resolve(null);
  const retaining = scheduleRetention(
    {
      db,
      config,
      clock,
      log: log.child({ component: "retention" }),
      pluginTables: firstPartyRetentionTables,
    },
    stopping.signal,
  );
  const answeringPrivacy = schedulePrivacyRequests({
    db,
    config,
    clock,
    log: log.child({ component: "privacy" }),
    holders: host ? pluginPersonalData(host) : noPersonalDataHolders,
  }, stopping.signal);
  if (config.HEALTH_MONITORING_ENABLED) health.start();
  const hub = events;
  const alerting = scheduleAlerts({
    db,
    clock,
    log: log.child({ component: "alerts" }),
    // Alert email goes through the email channel plugin's SMTP transport (SMTP_URL).
    senders: alertSenders(config, channels?.get("email")),
    retryBaseMs: config.ALERT_RETRY_BASE_SECONDS * 1000,
    ...(hub ? { hubStatus: () => hub.status() } : {}),
  }, { schedule: config.ALERT_EVALUATION_SCHEDULE, signal: stopping.signal });
  const delivering = config.INTERVENTION_SYSTEM_ENABLED
    ? new Dispatcher({
      db,
      clock,
      log: log.child({ component: "delivery" }),
      channel: (kind) => channels?.get(kind),
      build: messageBuilder(db, {
        signer: await linkSigner(db, clock.now()),
        publicUrl: config.PUBLIC_URL,
        now: () => clock.now(),
      }),
      worker: `${Deno.hostname()}:${Deno.pid}`,
      batchSize: config.DELIVERY_BATCH_SIZE,
      concurrency: config.DELIVERY_CONCURRENCY,
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      leaseSeconds: config.DELIVERY_LEASE_SECONDS,
    }).run(stopping.signal)
    : Promise.resolve();

  say(`Customer success engine is running at ${url}`);
  say(`  storage:   ${describeStorage(config)}`);
  say(`  API:       ${url}/api/v1/openapi.json`);
  say(`  API docs:  ${url}/api/docs`);
  say(`  console:   ${url}/console (users: deno task user:create, or INIT_ADMIN_EMAIL)`);
  if (firstUser.outcome === "first") {
    say(
      `  console sign-in (shown this once; keep it): ${firstUser.email} / ${firstUser.password}`,
    );
  }
  say(`  health:    ${url}/api/customer-success/health (details: …/health/ml and others)`);
  say(`  probes:    ${url}/api/customer-success/health/live and …/health/ready`);
  const nextRun = scheduled ? nextCronTicks(config.CYCLE_SCHEDULE, clock.now(), 1)[0] : undefined;
  const schedule = nextRun
    ? `scheduled "${config.CYCLE_SCHEDULE}" (UTC), next at ${nextRun.toISOString()}`
    : "off";
  say(`  cycles:    ${schedule}${caughtUp}`);
  const channelKinds = channels?.list().map((c) => c.kind).join(", ") || "none";
  say(
    `  channels:  ${channelKinds}${
      config.INTERVENTION_SYSTEM_ENABLED ? "" : " (delivery off: INTERVENTION_SYSTEM_ENABLED=false)"
    }`,
  );
  say(
    `  churn:     ${describeChurn(churn)}${
      retraining ? `; retrained "${config.ML_RETRAIN_SCHEDULE}" (UTC)` : ""
    }`,
  );
  say(`  plugins:   ${describePlugins(host)}`);
  say(
    `  alerts:    ${
      alerting ? `evaluated "${config.ALERT_EVALUATION_SCHEDULE}" (UTC)` : "off"
    }; ${url}/api/v1/alerts`,
  );
  say(
    `  reports:   daily success metrics refreshed ${
      refreshingMetrics ? `"${config.SUCCESS_METRICS_REFRESH_SCHEDULE}" (UTC)` : "never (off)"
    }; ${url}/api/v1/reports/success-metrics`,
  );
  say(
    `  retention: ${config.DATA_RETENTION_DAYS} days (DATA_RETENTION_DAYS); ${
      retaining ? `enforced "${config.RETENTION_SCHEDULE}" (UTC)` : "not enforced (off)"
    }`,
  );
  say(
    `  privacy:   requests processed ${
      answeringPrivacy ? `"${config.PRIVACY_REQUEST_SCHEDULE}" (UTC)` : "never (off)"
    }; ${url}/api/privacy/requests`,
  );
  say(`  metrics:   ${url}/metrics (Prometheus; a token with read:metrics)`);
  say(`  telemetry: ${telemetry.summary}`);
  if (adminSecret) {
    say(`  admin token (shown this once; keep it): ${adminSecret}`);
    say(
      `  try:       curl -H 'Authorization: Bearer ${adminSecret}' '${url}/api/v1/customers?limit=3'`,
    );
  } else {
    say(`  try:       curl -H "Authorization: Bearer $TOKEN" '${url}/api/v1/customers?limit=3'`);
    const whileStopped = config.DATABASE_URL === undefined ? ", with the engine stopped" : "";
    say(`             (a token: deno task token:create --role admin --name me${whileStopped})`);
  }
  say("Press Ctrl+C to stop.");
  lifecycle.ready();

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      warn(`Stopped at once (${signal} while stopping)`);
      Deno.exit(1);
    }
    shuttingDown = true;
    log.info("shutting down", { signal });
    // Readiness answers 503 from here on, while requests are still served.
    lifecycle.stopping();
    stopping.abort();
    // Ctrl+C is a person at a terminal, not a load balancer to wait for.
    const delayMs = signal === "SIGTERM" ? config.SHUTDOWN_DELAY_SECONDS * 1000 : 0;
    // Each step is named, so a stop that never ends says what it waits for;
    // a second signal during the wait stops at once.
    let waitingFor = "";
    const steps: Array<[string, () => Promise<unknown>]> = [
      [
        `load balancers to see readiness 503 (SHUTDOWN_DELAY_SECONDS=${config.SHUTDOWN_DELAY_SECONDS})`,
        () => new Promise((resolve) => setTimeout(resolve, delayMs)),
      ],
      ["the requests in flight (new ones are refused with 503)", () => lifecycle.drain()],
      ["the HTTP server to stop listening", () => {
        closing.abort();
        return server.finished;
      }],
      ["the health checks", () => health.stop()],
      ["the running cycle and help with other engines' shards", () => cycles.drain()],
      ["the first refresh of the success metrics", () => firstRefresh],
      ["the delivery worker's sends", () => delivering],
      ["the plugins' settings follower", () => followingPlugins],
      ["the event hub's running handlers (their leases are given up)", () => deliveringEvents],
      ["the plugins (their channels too)", async () => await host?.stop()],
      ["the churn models", () => churnModels.close()],
      ["the database", () => db.close()],
    ];
    const reminder = setInterval(
      () => warn(`Stopping: still waiting for ${waitingFor}; press Ctrl+C again to stop now`),
      10_000,
    );
    for (const [name, step] of steps) {
      waitingFor = name;
      await step();
    }
    clearInterval(reminder);
    say("Stopped.");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
});

/** The banner's plugins line: what runs, and what could not start. */
function describePlugins(host: PluginHost | null): string {
  const plugins = host?.list() ?? [];
  const running = plugins.filter((p) => p.state === "running").map((p) => p.name);
  const failed = plugins.filter((p) => p.state === "failed").map((p) => p.name);
  return `${running.join(", ") || "none"}` +
    (failed.length > 0 ? `; not started: ${failed.join(", ")} (GET /api/v1/plugins says why)` : "");
}

/** The banner's churn line. */
function describeChurn(status: ChurnModelStatus | null): string {
  if (!status) return "off (ML_CHURN_PREDICTION_ENABLED=false)";
  if (!status.activeVersion) return "no model active (train one: deno task ml:train)";
  if (status.loadError) return `model ${status.activeVersion} does not load: ${status.loadError}`;
  return `model ${status.activeVersion}, scored by ${status.scorer}` +
    (status.scorerReason ? ` (${status.scorerReason})` : "");
}

async function serve(
  handler: Deno.ServeHandler<Deno.NetAddr>,
  hostname: string,
  port: number,
  signal: AbortSignal,
): Promise<{ port: number; finished: Promise<void> }> {
  try {
    const { promise, resolve } = Promise.withResolvers<number>();
    const server = Deno.serve(
      { hostname, port, signal, onListen: (addr) => resolve(addr.port) },
      handler,
    );
    return { port: await promise, finished: server.finished };
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new EngineError(
        "CONFIG_INVALID",
        `Port ${port} on ${hostname} is already in use: stop what uses it or set PORT to a free port`,
      );
    }
    throw error;
  }
}
