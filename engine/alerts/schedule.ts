/**
 * Alert rules evaluated on ALERT_EVALUATION_SCHEDULE (Deno.cron, UTC): each
 * tick evaluates (one engine at a time, evaluate.ts) and then sends what is
 * due, retries included. A tick that fails is logged; the next one runs.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import { deliverAlertNotifications, type DeliverySummary } from "./deliver.ts";
import { evaluateAlerts, type EvaluationSummary } from "./evaluate.ts";
import type { MetricContext } from "./metrics.ts";
import type { AlertChannel } from "./rule_schema.ts";
import type { AlertSender } from "./senders.ts";

/** What a tick needs. */
export interface AlertTickDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  senders: Partial<Record<AlertChannel, AlertSender>>;
  retryBaseMs: number;
  hubStatus?: MetricContext["hubStatus"];
}

/** Registers the evaluation; false when off ("off", or no Deno.cron). */
export function scheduleAlerts(
  deps: AlertTickDeps,
  options: { schedule: string; signal: AbortSignal },
): boolean {
  if (options.schedule === "off") return false;
  if (typeof Deno.cron !== "function") {
    deps.log.warn("alert rules are not evaluated: run the engine with --unstable-cron");
    return false;
  }
  Deno.cron("alert-evaluation", options.schedule, { signal: options.signal }, async () => {
    try {
      await runAlertTick(deps, options.signal);
    } catch (error) {
      deps.log.error("alert evaluation failed; the next tick tries again", { error });
    }
  });
  return true;
}

/** One tick: evaluate the rules, then send the notifications that are due. */
export async function runAlertTick(
  deps: AlertTickDeps,
  signal?: AbortSignal,
): Promise<{ evaluation: EvaluationSummary; delivery: DeliverySummary }> {
  const evaluation = await evaluateAlerts(deps.db, {
    now: deps.clock.now(),
    configured: new Set(Object.keys(deps.senders) as AlertChannel[]),
    ...(deps.hubStatus ? { hubStatus: deps.hubStatus } : {}),
  });
  if (evaluation.opened.length > 0 || evaluation.resolved.length > 0) {
    deps.log.info("alerts changed", { opened: evaluation.opened, resolved: evaluation.resolved });
  }
  const delivery = await deliverAlertNotifications(deps.db, {
    now: deps.clock.now(),
    senders: deps.senders,
    retryBaseMs: deps.retryBaseMs,
    ...(signal ? { signal } : {}),
  });
  if (delivery.retrying > 0 || delivery.failed > 0) {
    deps.log.warn("alert notifications not delivered", { ...delivery });
  }
  return { evaluation, delivery };
}
