/**
 * Inside the Worker: running one operation the engine asked for against the
 * started plugin. Each returns plain data (and the buffers to hand over), so
 * the reply can be posted back as it is.
 */
import type { Channel } from "../channel.ts";
import type { PluginEventHandler } from "../plugin.ts";
import { deserializeRequest, serializeResponse, transferables } from "./http_bridge.ts";
import type { SandboxCall, SandboxResults } from "./protocol.ts";
import type { LoadedPlugin } from "./worker_plugin.ts";

/** What a call answers, and the buffers its reply transfers. */
export interface CallOutcome {
  value: SandboxResults[keyof SandboxResults];
  transfer: ArrayBuffer[];
}

/** Runs `call`; throws what the plugin's hook threw. */
export async function runCall(
  plugin: LoadedPlugin,
  call: SandboxCall,
  signal: AbortSignal,
): Promise<CallOutcome> {
  const { hooks } = plugin;
  switch (call.op) {
    case "handle": {
      const handlers = (hooks.on ?? {}) as Record<string, PluginEventHandler | undefined>;
      await handlers[call.event.type]?.({ ...call.event, signal });
      return { value: null, transfer: [] };
    }
    case "facts":
      return {
        value: await hooks.facts?.({ customerIds: call.customerIds, asOf: call.asOf }) ?? {},
        transfer: [],
      };
    case "fetch": {
      if (!plugin.app) throw new Error(`Plugin "${plugin.name}" has no routes`);
      const response = await serializeResponse(
        await plugin.app.fetch(deserializeRequest(call.request)),
      );
      return { value: response, transfer: transferables(response) };
    }
    case "health": {
      if (!hooks.health) throw new Error(`Plugin "${plugin.name}" has no health hook`);
      return { value: await hooks.health(), transfer: [] };
    }
    case "send":
      return {
        value: await channel(plugin, call.channelId).send(call.message, { signal }),
        transfer: [],
      };
    case "channelHealth": {
      const found = channel(plugin, call.channelId);
      if (!found.checkHealth) throw new Error(`Channel "${found.id}" has no health check`);
      return { value: await found.checkHealth(), transfer: [] };
    }
    case "exportCustomer":
      return {
        value: await hooks.exportCustomer?.({ customerId: call.customerId }) ?? {},
        transfer: [],
      };
    case "eraseCustomer":
      return {
        value: await hooks.eraseCustomer?.({
          customerId: call.customerId,
          pseudonym: call.pseudonym,
        }) ?? {},
        transfer: [],
      };
    case "stop":
      await stop(plugin);
      return { value: null, transfer: [] };
  }
}

function channel(plugin: LoadedPlugin, id: string): Channel {
  const found = plugin.channels.get(id);
  if (!found) {
    throw new Error(`Plugin "${plugin.name}" registered no channel "${id}" in this run of setup`);
  }
  return found;
}

// The stop hook first (it may still use its channels), then each channel's close; a
// failing close does not keep the others open.
async function stop(plugin: LoadedPlugin): Promise<void> {
  const failures: string[] = [];
  try {
    await plugin.hooks.stop?.();
  } catch (error) {
    failures.push(`its stop hook failed: ${messageOf(error)}`);
  }
  for (const channel of plugin.channels.values()) {
    try {
      await channel.close?.();
    } catch (error) {
      failures.push(`closing channel "${channel.id}" failed: ${messageOf(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`Plugin "${plugin.name}": ${failures.join("; ")}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
