/**
 * Starting a plugin of PLUGINS_DIR in its sandbox: a Deno Worker holding
 * only the permissions its plugin.json declares (permissions.ts), kept
 * running by a supervisor, and wrapped as the same RunningPlugin a
 * first-party plugin is, so the event hub, facts, routes and health cannot
 * tell the two apart. A failing, hanging or crashing plugin fails its own
 * calls only: each plugin has its own Worker, on its own thread.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Clock, systemClock } from "../../clock.ts";
import { EngineError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { checkFactValues } from "../hook_check.ts";
import type { PluginManifest } from "../manifest.ts";
import type { PluginFactValues, PluginHealth } from "../plugin.ts";
import type { RunningPlugin } from "../running.ts";
import { channelProxy } from "./channel_proxy.ts";
import { deserializeResponse, serializeRequest } from "./http_bridge.ts";
import { sandboxPermissions } from "./permissions.ts";
import { defaultRestartPolicy, type RestartPolicy } from "./restart_policy.ts";
import { spawnSandboxWorker } from "./sandbox_worker.ts";
import { type SandboxStatus, superviseSandbox, type Supervisor } from "./supervisor.ts";

/** What startSandboxedPlugin needs. */
export interface SandboxedPluginOptions {
  /** The plugin's folder (absolute), holding plugin.json and mod.ts. */
  directory: string;
  manifest: PluginManifest;
  /** Its configuration, already checked against the manifest's schema. */
  config: Record<string, unknown>;
  log: Logger;
  /** How long one call (a handler, facts, a route, health, a send) may take; 10 s. */
  callTimeoutMs?: number;
  /** How long importing mod.ts and running setup may take; 30 s. */
  startTimeoutMs?: number;
  /** How long the stop hook may take before the Worker is ended anyway; 2 s. */
  stopTimeoutMs?: number;
  /** How crashed Workers are restarted; defaultRestartPolicy for what is not given. */
  restart?: Partial<RestartPolicy>;
  /** Where crash times are read (the crash window); the system clock when not given. */
  clock?: Clock;
}

/**
 * Starts the plugin in `directory` in a Worker with only its manifest's
 * permissions. Throws PLUGIN_IMPORT_FAILED (mod.ts missing or not loading),
 * PLUGIN_INVALID or PLUGIN_CAPABILITY_UNDECLARED (its definition or hooks),
 * its CONFIG_INVALID, or PLUGIN_UNAVAILABLE (setup did not finish in time).
 */
export async function startSandboxedPlugin(
  options: SandboxedPluginOptions,
): Promise<RunningPlugin> {
  const { manifest } = options;
  const log = options.log.child({ plugin: manifest.name });
  const timeoutMs = options.callTimeoutMs ?? 10_000;
  const directory = await pluginFolder(manifest.name, options.directory);
  const supervisor = await superviseSandbox({
    plugin: manifest.name,
    policy: { ...defaultRestartPolicy, ...options.restart },
    clock: options.clock ?? systemClock,
    log,
    spawn: (onExit) =>
      spawnSandboxWorker({
        start: {
          kind: "start",
          moduleUrl: pathToFileURL(join(directory, "mod.ts")).href,
          manifest,
          config: options.config,
        },
        permissions: sandboxPermissions(manifest, directory),
        log,
        startTimeoutMs: options.startTimeoutMs ?? 30_000,
        onExit,
      }),
  });
  const { info } = await supervisor.current();
  return {
    manifest,
    sandboxed: true,
    channels: info.channels.map((channel) => channelProxy(channel, { supervisor, timeoutMs })),
    async handle(event, signal) {
      const { worker, info } = await supervisor.current();
      if (!info.events.has(event.type)) return;
      await worker.call({ op: "handle", event }, { timeoutMs, signal });
    },
    async facts(customerIds, asOf): Promise<PluginFactValues> {
      const { worker, info } = await supervisor.current();
      if (!info.hooks.has("facts")) return {};
      const values = await worker.call(
        { op: "facts", customerIds: [...customerIds], asOf: asOf.toISOString() },
        { timeoutMs },
      );
      return checkFactValues(manifest, values);
    },
    async exportCustomer(customerId) {
      const { worker, info } = await supervisor.current();
      if (!info.hooks.has("exportCustomer")) return {};
      return await worker.call({ op: "exportCustomer", customerId }, { timeoutMs });
    },
    async eraseCustomer(customerId, pseudonym) {
      const { worker, info } = await supervisor.current();
      if (!info.hooks.has("eraseCustomer")) return {};
      return await worker.call({ op: "eraseCustomer", customerId, pseudonym }, { timeoutMs });
    },
    async fetch(request) {
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
        return problem(
          501,
          "Not available in a sandbox",
          `Plugin "${manifest.name}" runs in a sandbox, where WebSockets are not available`,
        );
      }
      const { worker, info } = await supervisor.current();
      if (!info.hooks.has("routes")) {
        return problem(404, "No such route", `Plugin "${manifest.name}" has no routes`);
      }
      const response = await worker.call(
        { op: "fetch", request: await serializeRequest(request) },
        { timeoutMs, signal: request.signal },
      );
      return deserializeResponse(response);
    },
    health: () => health(manifest.name, supervisor, timeoutMs),
    async stop() {
      const live = supervisor.stop();
      if (!live) return;
      try {
        await live.worker.call({ op: "stop" }, {
          timeoutMs: options.stopTimeoutMs ?? 2_000,
          last: true,
        });
      } catch (error) {
        log.warn("stopping the plugin failed", { error: messageOf(error) });
      } finally {
        live.worker.terminate();
      }
    },
  };
}

/** The real path of the plugin's folder, which must hold a mod.ts. */
async function pluginFolder(plugin: string, directory: string): Promise<string> {
  try {
    const real = await Deno.realPath(directory);
    const mod = await Deno.stat(join(real, "mod.ts"));
    if (!mod.isFile) throw new Error(`${join(real, "mod.ts")} is not a file`);
    // The Worker's read permission and its module URLs must name the same, real, path.
    return real;
  } catch (error) {
    throw new EngineError(
      "PLUGIN_IMPORT_FAILED",
      `Cannot start plugin "${plugin}": its folder ${directory} has no readable mod.ts ` +
        `(${messageOf(error)}); a plugin folder holds plugin.json and mod.ts`,
      { cause: error },
    );
  }
}

/** The plugin's own health, with what the sandbox knows: restarts, the last crash, being down. */
async function health(
  plugin: string,
  supervisor: Supervisor,
  timeoutMs: number,
): Promise<PluginHealth> {
  const status = supervisor.status();
  if (status.state !== "running") {
    // On its way back (a restart pending or under way) it is degraded; down or stopped, unhealthy.
    const back = status.state === "waiting" || status.state === "starting";
    return { status: back ? "degraded" : "unhealthy", detail: status.detail };
  }
  let own: PluginHealth;
  try {
    const { worker, info } = await supervisor.current();
    own = info.hooks.has("health")
      ? await worker.call({ op: "health" }, { timeoutMs })
      : { status: "healthy", detail: `Plugin "${plugin}" is running in its sandbox` };
  } catch (error) {
    own = { status: "unhealthy", detail: `the health check failed: ${messageOf(error)}` };
  }
  return { status: own.status, detail: own.detail + history(status) };
}

function history(status: SandboxStatus): string {
  if (status.crashes === 0) return "";
  return ` (sandbox restarted ${status.restarts} time${status.restarts === 1 ? "" : "s"}; ` +
    `last error: ${status.lastError})`;
}

// The same shape as a first-party plugin's missing routes (in_process.ts).
function problem(status: number, title: string, detail: string): Response {
  return Response.json({ title, detail }, {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
