/**
 * The checks of production validation (validation.ts lists them in order).
 * Each reads; none changes the database, so validating is safe at any time.
 */
import { verifyAuditChain } from "../audit/mod.ts";
import { describeStorage } from "../config.ts";
import { nextCronTicks } from "../cron_expression.ts";
import { migrationState } from "../db/mod.ts";
import { isEngineError } from "../errors.ts";
import { verifyModel } from "../ml/mod.ts";
import { cycleScheduling } from "./health_checks_foundation.ts";
import type { HealthReport } from "./health_checks_monitor.ts";
import type { ValidationCheck, ValidationResult } from "./validation.ts";

type Outcome = Omit<ValidationResult, "check">;

const pass = (message: string): Outcome => ({ status: "pass", message, fix: null });
const skip = (message: string): Outcome => ({ status: "skip", message, fix: null });
const fail = (message: string, fix: string): Outcome => ({ status: "fail", message, fix });
const warning = (message: string, fix: string): Outcome => ({ status: "warn", message, fix });

/** The database answers; the embedded one is a warning: one process, so no rolling update. */
export const databaseValidation: ValidationCheck = async ({ db, config }) => {
  await db.query("select 1");
  if (config.DATABASE_URL === undefined) {
    return warning(
      `${describeStorage(config)} answers, but only one engine process can use it: no second ` +
        "instance, no rolling update",
      "Set DATABASE_URL to a PostgreSQL server for production",
    );
  }
  return pass(`${describeStorage(config)} answers`);
};

/** Every migration this engine has is applied, and none it does not know. */
export const migrationsValidation: ValidationCheck = async ({ db }) => {
  const state = await migrationState(db);
  if (state.unknown.length > 0) {
    return fail(
      `The schema is newer than this engine: ${state.unknown.join(", ")} applied by a newer engine`,
      "Deploy the newer engine version, or point this one at another database",
    );
  }
  if (state.changed.length > 0) {
    return fail(
      `Applied migrations changed since: ${state.changed.join(", ")}`,
      "Restore those files as they were applied; put changes in a new migration",
    );
  }
  if (state.pending.length > 0) {
    return fail(
      `${state.pending.length} migration(s) pending: ${state.pending.join(", ")}`,
      "Run deno task migrate (the engine also migrates when it starts)",
    );
  }
  return pass(`Schema version ${state.version}, no migration pending`);
};

/** The active churn model loads and scores its card's check set as trained. */
export const modelValidation: ValidationCheck = async ({ db, config, churnModels }) => {
  if (!config.ML_CHURN_PREDICTION_ENABLED) {
    return skip("Churn prediction is off (ML_CHURN_PREDICTION_ENABLED=false): health scores only");
  }
  // No model is a failure: with prediction on, every cycle would run without it, silently.
  const status = await churnModels.status();
  if (!status.activeVersion) {
    return fail(
      "No churn model is active: cycles run without churn predictions",
      "Train one (deno task ml:train) or import one (deno task ml:import), or set " +
        "ML_CHURN_PREDICTION_ENABLED=false to run on health scores alone",
    );
  }
  try {
    const check = await verifyModel(db, churnModels);
    const found =
      `model ${check.version} (${check.scorer}) on its card's ${check.rows} check rows, ` +
      `largest difference ${check.maxDifference.toExponential(1)}`;
    return check.passed ? pass(`Churn model loaded and verified: ${found}`) : fail(
      `The churn model scores differently from how it was trained: ${found}`,
      "Import the model file again (deno task ml:import) or activate another version",
    );
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return fail(
      `Churn model ${status.activeVersion} cannot be verified: ${error.message}`,
      "Retrain (deno task ml:train) or activate a model that loads",
    );
  }
};

/** Every enabled plugin of the running engine started. */
export const pluginsValidation: ValidationCheck = ({ plugins }) => {
  if (!plugins) {
    return Promise.resolve(skip(
      "No engine runs here: plugins start with the engine (validate while it runs to check them)",
    ));
  }
  const enabled = plugins.list().filter((p) => p.enabled);
  const down = enabled.filter((p) => p.state !== "running");
  if (down.length > 0) {
    return Promise.resolve(fail(
      `Not running: ${down.map((p) => `${p.name} (${p.error?.message ?? p.state})`).join("; ")}`,
      "Fix what the message says (GET /api/v1/plugins shows each), or disable the plugin",
    ));
  }
  return Promise.resolve(pass(
    enabled.length === 0
      ? "No plugin is enabled"
      : `${enabled.length} running: ${enabled.map((p) => p.name).join(", ")}`,
  ));
};

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0"]);

/**
 * What a production deployment must set (docs/operations.md lists it):
 * PUBLIC_URL not a loopback address (links in messages), SMTP_URL and a real
 * EMAIL_FROM when templates send email and delivery is on. DATABASE_URL and
 * PRIVACY_ENCRYPTION_KEY have their own checks; INTERVENTION_WEBHOOK_SECRET
 * is required with INTERVENTION_WEBHOOK_URL when the configuration loads.
 */
export const configurationValidation: ValidationCheck = async ({ db, config }) => {
  const problems: string[] = [];
  const fixes: string[] = [];
  if (LOOPBACK.has(new URL(config.PUBLIC_URL).hostname)) {
    problems.push(`PUBLIC_URL is ${config.PUBLIC_URL}: links in messages would not reach anyone`);
    fixes.push("set PUBLIC_URL to the address people reach the engine at");
  }
  const emailTemplates = config.INTERVENTION_SYSTEM_ENABLED
    ? (await db.query<{ count: number }>(
      "select count(*)::int as count from templates where channel = 'email' and status <> 'archived'",
    ))[0]?.count ?? 0
    : 0;
  if (emailTemplates > 0 && config.SMTP_URL === undefined) {
    problems.push(`SMTP_URL is not set, but ${emailTemplates} template(s) send email`);
    fixes.push("set SMTP_URL (smtp://user:password@host:587)");
  }
  if (config.SMTP_URL !== undefined && /@localhost>?$/.test(config.EMAIL_FROM)) {
    problems.push(`EMAIL_FROM is ${config.EMAIL_FROM}`);
    fixes.push("set EMAIL_FROM to an address of your domain");
  }
  if (problems.length > 0) return fail(problems.join("; "), capitalize(fixes.join("; ")));
  const email = config.SMTP_URL !== undefined
    ? `email from ${config.EMAIL_FROM}`
    : emailTemplates === 0
    ? "no email templates"
    : "delivery off";
  return pass(`PUBLIC_URL ${config.PUBLIC_URL}, ${email}`);
};

/** The cycle schedule fires, this process can schedule, and the model is retrained. */
export const schedulesValidation: ValidationCheck = ({ config, clock }) => {
  const now = clock.now();
  const scheduling = cycleScheduling(config);
  if (scheduling === "disabled") {
    return Promise.resolve(warning(
      "Cycles are off (CUSTOMER_SUCCESS_ENABLED=false): no scoring, no interventions",
      "Set CUSTOMER_SUCCESS_ENABLED=true on at least one engine",
    ));
  }
  if (scheduling === "unavailable") {
    return Promise.resolve(fail(
      "Deno.cron is not available: this process cannot schedule cycles",
      "Start the engine with deno task start (it passes --unstable-cron)",
    ));
  }
  const nextCycle = nextCronTicks(config.CYCLE_SCHEDULE, now, 1)[0];
  if (!nextCycle) {
    return Promise.resolve(fail(
      `CYCLE_SCHEDULE "${config.CYCLE_SCHEDULE}" never fires`,
      "Set CYCLE_SCHEDULE to a cron expression that fires, e.g. 0 * * * *",
    ));
  }
  const cycles = `cycles "${config.CYCLE_SCHEDULE}" next at ${nextCycle.toISOString()}`;
  if (!config.ML_CHURN_PREDICTION_ENABLED) return Promise.resolve(pass(cycles));
  if (config.ML_RETRAIN_SCHEDULE === "off") {
    return Promise.resolve(warning(
      `${cycles}; the churn model is never retrained (ML_RETRAIN_SCHEDULE=off): it drifts`,
      "Set ML_RETRAIN_SCHEDULE, e.g. 0 3 * * 1 (weekly)",
    ));
  }
  const retrain = nextCronTicks(config.ML_RETRAIN_SCHEDULE, now, 1)[0];
  return Promise.resolve(pass(
    `${cycles}; retraining "${config.ML_RETRAIN_SCHEDULE}" next at ${
      retrain?.toISOString() ?? "never"
    }`,
  ));
};

/** The running engine's monitor (or, without an engine, one round of its checks here). */
export const healthValidation: ValidationCheck = async ({ config, health }) => {
  if (!config.HEALTH_MONITORING_ENABLED) {
    return fail(
      "The health monitor is off (HEALTH_MONITORING_ENABLED=false): nothing watches the engine",
      "Set HEALTH_MONITORING_ENABLED=true",
    );
  }
  const where = health.running ? "The running monitor" : "One round of the health checks here";
  const report = health.running ? await health.report() : await health.refresh();
  const reasons = reportReasons(report);
  if (report.status === "unhealthy") {
    return fail(
      `${where} says unhealthy: ${reasons}`,
      "See GET /api/customer-success/health/{component} (docs/health-checks.md)",
    );
  }
  if (report.status === "degraded") {
    return warning(
      `${where} says degraded: ${reasons}`,
      "See GET /api/customer-success/health/{component} (docs/health-checks.md)",
    );
  }
  return pass(`${where} says healthy`);
};

/** Every audit entry follows from the one before. */
export const auditValidation: ValidationCheck = async ({ db }) => {
  const check = await verifyAuditChain(db);
  if (!check.valid) {
    return fail(
      `Entry ${check.firstBrokenId} does not follow from the one before (of ${check.entries} ` +
        "checked): " +
        "entries were edited, deleted or reordered",
      "Restore the audit_log table from a backup and compare (deno task audit:verify)",
    );
  }
  return pass(`${check.entries} entries, every hash intact`);
};

/**
 * The checks that are not healthy: unhealthy ones with their message (they
 * decide the verdict), degraded ones by name only, to keep the line short.
 */
function reportReasons(report: HealthReport): string {
  return Object.values(report.components).flatMap((component) =>
    component.checks.filter((check) => check.status !== "healthy").map((check) =>
      `${component.component}/${check.name}` +
      (check.status === "unhealthy" ? ` (${check.message})` : "")
    )
  ).join(", ");
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
