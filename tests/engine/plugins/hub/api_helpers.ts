/** The HTTP API in process, with an event hub, over a fresh test database. */
import { createToken, type Role, roles } from "../../../../engine/access/mod.ts";
import { createApi } from "../../../../engine/api/mod.ts";
import { loadConfig } from "../../../../engine/config.ts";
import type { Db } from "../../../../engine/db/mod.ts";
import { silentLogger } from "../../../../engine/log.ts";
import { createEngineMetrics } from "../../../../engine/ops/mod.ts";
import type { EventHub, EventSubscriber } from "../../../../engine/plugins/mod.ts";
import { CycleRunner } from "../../../../engine/schedule/mod.ts";
import { withTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { testHub, type TestHubOptions } from "./helpers.ts";

/** What a test drives the API with. */
export interface HubApi {
  db: Db;
  /** Null when the API was built without a hub. */
  hub: EventHub | null;
  /**
   * Sends a request with the token of `role` (admin by default), the body as
   * JSON; the answer is parsed as JSON unless `text`.
   */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; role?: Role; text?: boolean },
    // deno-lint-ignore no-explicit-any
  ): Promise<{ status: number; body: any }>;
}

/**
 * Runs `fn` against an API whose event hub (not running: tests run it when
 * they need deliveries) has `subscribers`, or no hub at all for `null`.
 */
export async function withHubApi(
  subscribers: readonly EventSubscriber[] | null,
  fn: (api: HubApi) => Promise<void>,
  options: { env?: Record<string, string>; hub?: Partial<TestHubOptions> } = {},
): Promise<void> {
  await withTestDb(async (db) => {
    const config = loadConfig(options.env ?? {});
    const clock = { now: () => NOW };
    // One registry, so GET /metrics shows what the hub measures.
    const metrics = createEngineMetrics();
    const hub = subscribers === null ? null : testHub({ db, subscribers, metrics, ...options.hub });
    const cycles = new CycleRunner({ db, clock, log: silentLogger, stages: [], leaseSeconds: 60 });
    const app = createApi({
      db,
      clock,
      config,
      log: silentLogger,
      cycles,
      metrics,
      ...(hub ? { eventHub: hub } : {}),
    });
    const tokens = {} as Record<Role, string>;
    for (const role of roles) {
      tokens[role] = (await createToken(db, { name: `test-${role}`, role }, {
        actor: "test",
        now: NOW,
      })).token;
    }
    await fn({
      db,
      hub,
      async call(method, path, { body, role = "admin", text: asText = false } = {}) {
        const headers: Record<string, string> = { authorization: `Bearer ${tokens[role]}` };
        if (body !== undefined) headers["content-type"] = "application/json";
        const response = await app.request(path, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        const parsed = asText || text === "" ? text : JSON.parse(text);
        return { status: response.status, body: parsed };
      },
    });
  });
}
