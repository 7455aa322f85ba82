/** What the console needs from the engine, and what its middleware sets per request. */
import type { Actor, Session, SessionPolicy } from "../access/mod.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { HealthMonitor } from "../ops/mod.ts";
import type { PluginHost } from "../plugins/mod.ts";

/** Dependencies of the console. */
export interface ConsoleDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  /** The component health the overview shows (plugins: breaker and lag). */
  health: HealthMonitor;
  /**
   * The running plugins: their facts (the rule builder's catalog and simulation,
   * as the rule routes use them) and whether the dashboard's live feed runs;
   * null when the engine runs without plugins.
   */
  plugins: Pick<PluginHost, "factDefinitions" | "facts" | "running"> | null;
}

/** Per-request values: the API's (request id, actor) and the console's session. */
export interface ConsoleEnv {
  Variables: {
    requestId: string;
    actor: Actor | undefined;
    session: Session;
    sessionId: string;
    /** This response's Content-Security-Policy nonce, for a streamed page's inline scripts. */
    cspNonce: string;
  };
}

/** The session rules of `config`. */
export function sessionPolicy(config: Config): SessionPolicy {
  return {
    idleMinutes: config.CONSOLE_SESSION_IDLE_MINUTES,
    maxHours: config.CONSOLE_SESSION_MAX_HOURS,
    lockoutAttempts: config.CONSOLE_LOCKOUT_ATTEMPTS,
    lockoutMinutes: config.CONSOLE_LOCKOUT_MINUTES,
  };
}
