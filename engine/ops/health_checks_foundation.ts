/**
 * The checks of what exists today, and the monitor that runs them. Later
 * issues register their checks into `monitor.registry` and drop the
 * placeholder they replace (privacy-manager).
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { ChurnModels } from "../ml/mod.ts";
import { HealthCheckRegistry } from "./health_checks.ts";
import { databaseCheck } from "./health_checks_engine.ts";
import { type EventHubView, eventLogCheck, pluginsCheck } from "./health_checks_integrations.ts";
import { pluginStatesCheck, type PluginStatesView } from "./health_checks_plugin_states.ts";
import { cyclesCheck, type CycleScheduling, outboxCheck } from "./health_checks_interventions.ts";
import { churnModelCheck, healthScoringCheck } from "./health_checks_ml.ts";
import { HealthMonitor } from "./health_checks_monitor.ts";
import { privacyManagerCheck, retentionCheck } from "./health_checks_privacy.ts";
import { privacyRequestsCheck } from "./health_checks_privacy_requests.ts";

/** Whether this process can run cycles on CYCLE_SCHEDULE (see scheduleCycles in main.ts). */
export function cycleScheduling(config: Pick<Config, "CUSTOMER_SUCCESS_ENABLED">): CycleScheduling {
  if (!config.CUSTOMER_SUCCESS_ENABLED) return "disabled";
  return typeof Deno.cron === "function" ? "on" : "unavailable";
}

/** Options of createHealthMonitor. */
export interface CreateHealthMonitorOptions {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  /** Defaults to what this process can do (cycleScheduling). */
  scheduling?: CycleScheduling;
  /** The engine's churn models; without them the churn-model check says none is loaded. */
  churnModels?: ChurnModels | null;
  /** The event hub this engine runs; without it the plugins check says none runs. */
  eventHub?: EventHubView;
  /** The plugins this engine runs, for their states and own health. */
  plugins?: PluginStatesView;
}

/** A monitor with every foundation check registered, not started. */
export function createHealthMonitor(options: CreateHealthMonitorOptions): HealthMonitor {
  const { db, config, clock, log } = options;
  const registry = new HealthCheckRegistry()
    .register(databaseCheck(db))
    .register(churnModelCheck(db, config, options.churnModels ?? null))
    .register(healthScoringCheck(db))
    .register(cyclesCheck(db, {
      config,
      scheduling: options.scheduling ?? cycleScheduling(config),
      startedAt: clock.now(),
    }))
    .register(outboxCheck(db, config))
    .register(pluginsCheck(config, options.eventHub))
    .register(eventLogCheck(db, options.eventHub))
    .register(pluginStatesCheck(options.plugins))
    .register(retentionCheck(db, config))
    .register(privacyRequestsCheck(db, config))
    .register(privacyManagerCheck(db, config, clock));
  return new HealthMonitor({ registry, clock, log, intervalMs: config.HEALTH_CHECK_INTERVAL });
}
