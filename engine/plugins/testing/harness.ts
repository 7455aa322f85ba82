/**
 * Running one plugin in a test, without an engine: a fake event stream (each
 * `emit` goes to the plugin's handler as the event hub would deliver it),
 * requests to its routes as a signed-in caller, and its facts. Pair it with
 * `startLoopbackPeer` for the endpoints the plugin calls.
 *
 * @example
 * ```ts
 * const run = await startPluginForTest({ plugin: firstParty(manifest, definition, "my-plugin") });
 * await run.emit({ type: "health.changed", customerId: "sup_1", payload: { score: 40 } });
 * const response = await run.request("/status");
 * await run.stop();
 * ```
 */
import type { Db } from "../../db/mod.ts";
import { asEngineError, problemOf, problemResponse } from "../../api/mod.ts";
import { EngineError, isEngineError } from "../../errors.ts";
import type { DomainEventType } from "../../events/mod.ts";
import { type Logger, silentLogger } from "../../log.ts";
import { startInProcessPlugin } from "../in_process.ts";
import type { EngineAccess } from "../plugin.ts";
import { checkPluginConfig } from "../plugin_config.ts";
import type { RequestActor } from "../request_actor.ts";
import type { RunningPlugin } from "../running.ts";
import type { FirstPartyPlugin } from "../source.ts";
import type { PluginEvent } from "../subscriber.ts";

/** What a test runs. */
export interface PluginTestOptions {
  plugin: FirstPartyPlugin;
  /** Its configuration (checked against its schema, defaults filled in); {} when not given. */
  config?: Record<string, unknown>;
  /** The values of the environment variables it declares. */
  env?: Record<string, unknown>;
  /** For a plugin that uses the engine's database (first-party only). */
  db?: Db;
  log?: Logger;
  /** How long a handler may take before its signal aborts; 10 s when not given. */
  handlerTimeoutMs?: number;
}

/** An event to emit: its type, and what differs from the defaults. */
export interface TestEvent {
  type: DomainEventType;
  customerId?: string | null;
  payload?: Record<string, unknown>;
  occurredAt?: Date;
}

/** A plugin running in a test. */
export interface PluginTestRun {
  plugin: RunningPlugin;
  /** The events emitted so far, as the plugin received them. */
  emitted: PluginEvent[];
  /** Delivers one event to the plugin, as the hub would; rejects as its handler does. */
  emit(event: TestEvent): Promise<PluginEvent>;
  /**
   * Calls its routes: `path` under /plugins/<name>, as `actor` (an admin when
   * not given). What a route throws is answered as the engine answers it (a
   * problem+json response), so a test sees what a client would.
   */
  request(path: string, init?: RequestInit & { actor?: RequestActor | null }): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts `options.plugin` in this process, as the engine starts a first-party plugin. */
export async function startPluginForTest(options: PluginTestOptions): Promise<PluginTestRun> {
  const { manifest } = options.plugin;
  const plugin = await startInProcessPlugin({
    manifest,
    definition: options.plugin.definition,
    config: checkPluginConfig(manifest, options.config ?? {}),
    environment: options.env ?? {},
    log: options.log ?? silentLogger,
    engine: engineFor(options.db),
  });
  const emitted: PluginEvent[] = [];
  const timeoutMs = options.handlerTimeoutMs ?? 10_000;
  return {
    plugin,
    emitted,
    async emit(event) {
      const at = (event.occurredAt ?? new Date()).toISOString();
      const delivered: PluginEvent = {
        id: emitted.length + 1,
        type: event.type,
        customerId: event.customerId ?? null,
        payload: event.payload ?? {},
        occurredAt: at,
        recordedAt: at,
      };
      emitted.push(delivered);
      await plugin.handle(delivered, AbortSignal.timeout(timeoutMs));
      return delivered;
    },
    request(path, init = {}) {
      const { actor = { id: "test:admin", role: "admin" }, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (actor) {
        headers.set("x-actor-id", actor.id);
        headers.set("x-actor-role", actor.role);
      }
      const url = `http://plugin.test/plugins/${manifest.name}${path}`;
      return answered(plugin.fetch(new Request(url, { ...rest, headers })), url);
    },
    stop: () => plugin.stop(),
  };
}

async function answered(response: Promise<Response>, url: string): Promise<Response> {
  try {
    return await response;
  } catch (error) {
    const problem = problemOf(asEngineError(error), new URL(url).pathname, "test-request");
    return problemResponse(problem, isEngineError(error) ? error.headers : {});
  }
}

function engineFor(db: Db | undefined): EngineAccess {
  const unavailable = () => {
    throw new EngineError(
      "PLUGIN_UNAVAILABLE",
      "This test gave the plugin no database: pass `db` to startPluginForTest",
    );
  };
  return {
    get db(): Db {
      return db ?? unavailable();
    },
    inbox: { deliver: () => Promise.resolve(unavailable()) },
  };
}
