/**
 * Production validation: is this deployment ready? One result per check —
 * migrations, churn model, plugins, endpoints, configuration, schedules,
 * health monitor, encryption key, audit chain — each saying what it found
 * and, when not ready, what to do. The running engine answers it at
 * `GET /api/v1/validation`; `deno task validate` runs it directly against
 * the database when no engine holds it (docs/operations.md).
 *
 * @example
 * ```ts
 * const results = await validateProduction({ db, config, clock, log, churnModels, health });
 * const problems = results.filter((r) => r.status === "fail").length;
 * ```
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { ChurnModels } from "../ml/mod.ts";
import type { PluginStatesView } from "./health_checks_plugin_states.ts";
import type { HealthMonitor } from "./health_checks_monitor.ts";
import {
  auditValidation,
  configurationValidation,
  databaseValidation,
  healthValidation,
  migrationsValidation,
  modelValidation,
  pluginsValidation,
  schedulesValidation,
} from "./validation_checks.ts";
import { endpointsValidation } from "./validation_endpoints.ts";
import { encryptionValidation } from "./validation_encryption.ts";

/** pass: ready; warn: works, worth a look; fail: not ready; skip: turned off. */
export type ValidationStatus = "pass" | "warn" | "fail" | "skip";

/** What one check found. */
export interface ValidationResult {
  check: string;
  status: ValidationStatus;
  /** What was checked and found. */
  message: string;
  /** What to do, when the status is fail or warn; null otherwise. */
  fix: string | null;
}

/** What the checks read. */
export interface ValidationContext {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  churnModels: ChurnModels;
  health: HealthMonitor;
  /** The running engine's plugins; absent when validating without an engine. */
  plugins?: PluginStatesView;
  /** How long an endpoint may take to answer (default 3 s). */
  endpointTimeoutMs?: number;
}

/** One check: returns its result, or throws (reported as a failure of that check). */
export type ValidationCheck = (ctx: ValidationContext) => Promise<Omit<ValidationResult, "check">>;

/** The checks, in the order they are printed. */
const checks: Array<[string, ValidationCheck]> = [
  ["database", databaseValidation],
  ["migrations", migrationsValidation],
  ["churn model", modelValidation],
  ["plugins", pluginsValidation],
  ["endpoints", endpointsValidation],
  ["configuration", configurationValidation],
  ["schedules", schedulesValidation],
  ["health monitor", healthValidation],
  ["encryption key", encryptionValidation],
  ["audit chain", auditValidation],
];

/** Runs every check; a check that throws fails with the error's message. */
export async function validateProduction(ctx: ValidationContext): Promise<ValidationResult[]> {
  const results: ValidationResult[] = [];
  // One after another: the endpoint checks and the model load are the slow ones, and
  // the order of the lines stays the order of the checks.
  for (const [check, run] of checks) {
    try {
      results.push({ check, ...await run(ctx) });
    } catch (error) {
      ctx.log.warn("validation check failed", { check, error });
      results.push({
        check,
        status: "fail",
        message: `The check itself failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
        fix: "Fix what the message names and run deno task validate again",
      });
    }
  }
  return results;
}

/** The results that make a deployment not ready. */
export function validationProblems(results: readonly ValidationResult[]): ValidationResult[] {
  return results.filter((result) => result.status === "fail");
}
