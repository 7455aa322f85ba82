/** What the HTTP layer needs from the rest of the engine. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { ChannelRegistry, EventHubView, PluginHost } from "../plugins/mod.ts";
import type { Logger } from "../log.ts";
import type { Actor, TokenVerifier } from "../access/mod.ts";
import type { EngineMetrics, HealthMonitor, Lifecycle } from "../ops/mod.ts";
import type { CycleRunner } from "../schedule/mod.ts";
import type { ChurnModels } from "../ml/mod.ts";
import type { ReportCache } from "../reports/mod.ts";

/** Dependencies of the API. */
export interface ApiDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  cycles: CycleRunner;
  /** Verifies bearer tokens; made from `db` when not given (main.ts adds its local token). */
  verifier?: TokenVerifier;
  /** Where request metrics go and what `GET /metrics` shows; a new set when not given. */
  metrics?: EngineMetrics;
  /** The health checks the health endpoints report; made from `db` when not given (main.ts starts it). */
  health?: HealthMonitor;
  /** The delivery channels, for "send a test to me"; none when not given. */
  channels?: Pick<ChannelRegistry, "get">;
  /** The churn models (activation, verification); churn routes that need them say so when absent. */
  churnModels?: ChurnModels;
  /** The event hub (plugin event replay, dead letters); those routes answer 503 when absent. */
  eventHub?: EventHubView;
  /** The plugins (list, enable, configure, their routes); the plugin routes say so when absent. */
  plugins?: PluginHost;
  /** The cache of the success and ROI reports; one per API when not given. */
  reportCache?: ReportCache;
  /** Starting, ready or stopping, for the readiness probe; always ready when not given. */
  lifecycle?: Lifecycle;
}

/** Per-request values the middleware sets. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    /** Set by the access middleware on every route that needs a token. */
    actor: Actor | undefined;
  };
}

/** The app type every route module registers on. */
export type Api = OpenAPIHono<ApiEnv>;
