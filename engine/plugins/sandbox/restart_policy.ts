/**
 * When a crashed sandbox is started again: soon after a first crash, later
 * after each further one, and not for a while after many crashes in a short
 * time (a plugin that crashes on every start would otherwise burn a core
 * restarting). No jitter: each plugin has one Worker, so restarts of many
 * plugins do not hit one shared service in step.
 */

/** How restarts are spaced. */
export interface RestartPolicy {
  /** The wait after a first crash; it doubles with each further crash within `windowMs`. */
  initialDelayMs: number;
  /** The longest wait between two restarts. */
  maxDelayMs: number;
  /** This many crashes within `windowMs`, and the plugin stays down for `cooldownMs`. */
  maxCrashes: number;
  windowMs: number;
  /** How long a plugin stays down before it is tried again. */
  cooldownMs: number;
}

/** 0.5 s, 1 s, 2 s, 4 s; the fifth crash within a minute keeps it down for 5 minutes. */
export const defaultRestartPolicy: Readonly<RestartPolicy> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 60_000,
  cooldownMs: 5 * 60_000,
});

/** What to do after a crash: restart after a delay, or stay down for one. */
export interface RestartDecision {
  kind: "restart" | "down";
  delayMs: number;
}

/** The decision after the `crashesInWindow`-th crash within the policy's window (1 for the first). */
export function afterCrash(crashesInWindow: number, policy: RestartPolicy): RestartDecision {
  if (crashesInWindow >= policy.maxCrashes) return { kind: "down", delayMs: policy.cooldownMs };
  const delayMs = policy.initialDelayMs * 2 ** Math.max(0, crashesInWindow - 1);
  return { kind: "restart", delayMs: Math.min(delayMs, policy.maxDelayMs) };
}
