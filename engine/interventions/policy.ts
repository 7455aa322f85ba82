/**
 * The policies that decide whether a proposed intervention is sent: their
 * settings, and the pieces that need no database (the address check; quiet
 * hours are in engine/quiet_hours.ts, the holdout group in engine/rules, where
 * the rules stage reports it too).
 */
import type { Config } from "../config.ts";
import { parseQuietHours, type QuietHours } from "../quiet_hours.ts";

/** Policy settings, from the configuration. */
export interface InterventionPolicy {
  /** At most `frequencyCap` sends per customer in `frequencyDays` days, across all rules. */
  frequencyCap: number;
  frequencyDays: number;
  /** Local quiet hours; null when off. */
  quietHours: QuietHours | null;
}

/** The policy settings of `config`. */
export function interventionPolicy(
  config: Pick<
    Config,
    "INTERVENTION_FREQUENCY_CAP" | "INTERVENTION_FREQUENCY_DAYS" | "QUIET_HOURS"
  >,
): InterventionPolicy {
  return {
    frequencyCap: config.INTERVENTION_FREQUENCY_CAP,
    frequencyDays: config.INTERVENTION_FREQUENCY_DAYS,
    quietHours: parseQuietHours(config.QUIET_HOURS) ?? null,
  };
}

// Deliberately loose: one @, something before, a dotted domain, no spaces.
// Mail servers decide the rest; this catches what can never be delivered.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Why email cannot go to `address`, or null when it can. */
export function emailProblem(
  address: unknown,
): "no_email_address" | "invalid_email_address" | null {
  if (address === undefined || address === null || address === "") return "no_email_address";
  if (typeof address !== "string" || address.length > 254 || !EMAIL.test(address)) {
    return "invalid_email_address";
  }
  return null;
}
