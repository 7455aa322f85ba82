/** What the HTTP layer needs from the rest of the engine. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { CycleRunner } from "../schedule/mod.ts";

/** Dependencies of the API. */
export interface ApiDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  cycles: CycleRunner;
}

/** Per-request values the middleware sets. */
export interface ApiEnv {
  Variables: { requestId: string };
}

/** The app type every route module registers on. */
export type Api = OpenAPIHono<ApiEnv>;
