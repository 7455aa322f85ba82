/**
 * The plugin's health as the integrations health shows it: how many events
 * wait, how long the oldest has waited, and the last error (a batch the
 * endpoint refused, a round the database failed), in sentences a person on
 * call can act on.
 */
import type { PluginHealth } from "../../engine/plugins/mod.ts";
import type { Backlog } from "./backlog_sql.ts";

/** What judging the backlog needs besides the backlog. */
export interface HealthInputs {
  now: Date;
  hasSecret: boolean;
  /** The last flush round that threw (the database), if the latest did. */
  roundError: { message: string; at: Date } | null;
  /** Waiting longer than this (without a failure to explain it) is degraded. */
  staleAfterMs: number;
}

/** The plugin's health for `backlog`. */
export function judgeBacklog(backlog: Backlog, inputs: HealthInputs): PluginHealth {
  const { now } = inputs;
  const age = backlog.oldestQueuedAt ? now.getTime() - backlog.oldestQueuedAt.getTime() : 0;
  const waiting = backlog.waiting === 0
    ? "no event waits"
    : `${backlog.waiting} event(s) wait, the oldest for ${describeWait(age)}`;
  if (!inputs.hasSecret) {
    return {
      status: backlog.waiting > 0 ? "unhealthy" : "degraded",
      detail: `${capital(waiting)} and none is sent: no signingSecret is configured (posts are ` +
        "never unsigned); set it with PUT /api/v1/plugins/marketing",
    };
  }
  if (inputs.roundError) {
    return {
      status: "degraded",
      detail: `${capital(waiting)}; the last flush failed ` +
        `${describeWait(now.getTime() - inputs.roundError.at.getTime())} ago: ` +
        `${inputs.roundError.message}`,
    };
  }
  const failure = backlog.failure;
  if (failure) {
    return {
      status: "degraded",
      detail: `${capital(waiting)}; the endpoint failed attempt ${failure.attempts} of the ` +
        `oldest batch ${describeWait(now.getTime() - failure.at.getTime())} ago: ` +
        `${failure.error}; next attempt at ${failure.retryAt.toISOString()}`,
    };
  }
  if (backlog.waiting > 0 && age > inputs.staleAfterMs) {
    return {
      status: "degraded",
      detail: `${capital(waiting)}, longer than expected (${describeWait(inputs.staleAfterMs)}): ` +
        "is the flusher running? The plugin's log says why batches do not go",
    };
  }
  return { status: "healthy", detail: `Streaming to MARKETING_API_ENDPOINT: ${waiting}` };
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// engine/ops has the same wording, but its mod.ts pulls in telemetry a plugin does not need.
function describeWait(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
