/** The API in process (Hono's app.request) over a fresh test database. */
import { createToken, type Role, roles } from "../../engine/access/mod.ts";
import { type Api, createApi } from "../../engine/api/mod.ts";
import type { Clock } from "../../engine/clock.ts";
import { type Config, loadConfig } from "../../engine/config.ts";
import type { Db } from "../../engine/db/mod.ts";
import { silentLogger } from "../../engine/log.ts";
import { CycleRunner, evaluationStages } from "../../engine/schedule/mod.ts";
import { installDefaultTemplates } from "../../engine/interventions/templates/mod.ts";
import {
  eventHubSettings,
  type FirstPartyPlugin,
  loadChannelPlugins,
  PluginEvents,
  PluginHost,
} from "../../engine/plugins/mod.ts";
import { firstPartyChannelPlugins } from "../../plugins/mod.ts";
import { ChurnModels } from "../../engine/ml/mod.ts";
import type { Lifecycle } from "../../engine/ops/mod.ts";
import { withTestDb } from "./db.ts";
import { installDefaults, NOW } from "./fixtures.ts";

/** A response as a client sees it. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  // Response bodies are whatever JSON the route returns; tests assert on their fields.
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** What a test gets to drive the API. */
export interface ApiTest {
  app: Api;
  db: Db;
  config: Config;
  cycles: CycleRunner;
  /** The churn models the cycles and the model routes use. */
  churnModels: ChurnModels;
  /** The plugin host, when the test asked for `plugins`. */
  plugins: PluginHost | undefined;
  /** A token secret for each role. */
  tokens: Record<Role, string>;
  /**
   * Sends a request as an admin; `body` is sent as JSON unless it is a
   * string. An `authorization` header of your own replaces the admin token
   * (`""` sends none).
   */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
}

/** Runs `fn` against a fresh API; `env` overrides configuration. */
export async function withApi(
  fn: (api: ApiTest) => Promise<void>,
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    /** Install the default templates, as the engine's first start does (default true). */
    defaultTemplates?: boolean;
    /** Load the first-party channel plugins with `env`, as the engine does (default false). */
    channels?: boolean;
    /**
     * Run these plugins in a PluginHost, as the engine does (its channels
     * replace `channels`), with the event hub's routes over them.
     */
    plugins?: readonly FirstPartyPlugin[];
    /** The engine's phase for the readiness probe (default: always ready). */
    lifecycle?: Lifecycle;
  } = {},
): Promise<void> {
  await withTestDb(async (db) => {
    await installDefaults(db);
    if (options.defaultTemplates ?? true) await installDefaultTemplates(db, { now: NOW });
    const config = loadConfig(options.env ?? {});
    const clock = options.clock ?? { now: () => NOW };
    const churnModels = new ChurnModels({ db, scorer: config.ML_SCORER, log: silentLogger });
    const plugins = options.plugins
      ? new PluginHost({
        db,
        clock,
        log: silentLogger,
        environment: config,
        firstParty: options.plugins,
        failFast: false,
      })
      : undefined;
    await plugins?.start();
    const cycles = new CycleRunner({
      db,
      clock,
      log: silentLogger,
      stages: evaluationStages(config, {
        channels: () => [],
        churnModels,
        ...(plugins ? { pluginFacts: (ids, asOf) => plugins.facts(ids, asOf) } : {}),
      }),
      leaseSeconds: config.CYCLE_LEASE_SECONDS,
    });
    const channels = plugins?.channels ??
      (options.channels
        ? await loadChannelPlugins(firstPartyChannelPlugins, { config, db, log: silentLogger })
        : undefined);
    const app = createApi({
      db,
      clock,
      config,
      log: silentLogger,
      cycles,
      churnModels,
      ...(channels ? { channels } : {}),
      ...(plugins ? { plugins } : {}),
      ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
      // Status, dead letters and replays (what the routes use); delivery does not run here.
      ...(plugins
        ? {
          eventHub: new PluginEvents({
            db,
            clock,
            log: silentLogger,
            host: plugins,
            settings: eventHubSettings(config),
          }),
        }
        : {}),
    });
    const tokens = {} as Record<Role, string>;
    for (const role of roles) {
      const created = await createToken(db, { name: `test-${role}`, role }, {
        actor: "test",
        now: clock.now(),
      });
      tokens[role] = created.token;
    }
    const call: ApiTest["call"] = async (method, path, body, headers = {}) => {
      const auth = headers.authorization ?? `Bearer ${tokens.admin}`;
      const { authorization: _replaced, ...rest } = headers;
      const init: RequestInit = {
        method,
        headers: { ...rest, ...(auth === "" ? {} : { authorization: auth }) },
      };
      if (body !== undefined) {
        init.body = typeof body === "string" ? body : JSON.stringify(body);
        if (typeof body !== "string") {
          (init.headers as Record<string, string>)["content-type"] ??= "application/json";
        }
      }
      const response = await app.request(path, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === "" ? null : JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, headers: response.headers, body: parsed };
    };
    try {
      await fn({ app, db, config, cycles, churnModels, plugins, tokens, call });
    } finally {
      await cycles.drain();
      await (plugins ? plugins.stop() : channels?.closeAll());
      await churnModels.close();
    }
  });
}
