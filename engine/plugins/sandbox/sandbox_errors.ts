/**
 * What a sandboxed plugin's failures look like to the engine: the error a
 * hook threw comes back with its message (and a DeliveryError with its
 * `retriable`), a Worker that cannot start or stops answering becomes a
 * PLUGIN_* EngineError naming the plugin, what happened and what to do.
 */
import { EngineError, type ErrorCode } from "../../errors.ts";
import { DeliveryError } from "../channel.ts";
import type { SandboxCall, SerializedError, StartMessage } from "./protocol.ts";

// Codes a startup failure may keep; anything else the plugin claims becomes PLUGIN_INVALID.
const startupCodes: readonly ErrorCode[] = [
  "PLUGIN_INVALID",
  "PLUGIN_CAPABILITY_UNDECLARED",
  "PLUGIN_CONFIG_INVALID",
  "CONFIG_INVALID",
];

/** What a call is, in a user's words. */
export function describeCall(call: SandboxCall): string {
  switch (call.op) {
    case "handle":
      return `its on["${call.event.type}"] handler`;
    case "facts":
      return "its facts hook";
    case "fetch":
      return `its route ${call.request.method} ${new URL(call.request.url).pathname}`;
    case "health":
      return "its health hook";
    case "send":
      return `the send of its channel "${call.channelId}"`;
    case "channelHealth":
      return `the health check of its channel "${call.channelId}"`;
    case "exportCustomer":
      return "its exportCustomer hook";
    case "eraseCustomer":
      return "its eraseCustomer hook";
    case "stop":
      return "its stop hook";
  }
}

/** The error a failed hook threw, as the caller would have seen it in process. */
export function revive(error: SerializedError): Error {
  if (error.retriable !== undefined) {
    return new DeliveryError(error.message, { retriable: error.retriable });
  }
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/** Why the plugin did not start, from the Worker's report. */
export function startFailure(
  start: StartMessage,
  stage: "import" | "setup",
  error: SerializedError,
): EngineError {
  const plugin = start.manifest.name;
  if (stage === "import") {
    const detail = importMessage(error.message) + importHint(start.moduleUrl, error.message);
    return new EngineError(
      "PLUGIN_IMPORT_FAILED",
      `Cannot start plugin "${plugin}": its mod.ts failed to import: ${detail}`,
    );
  }
  const code = startupCodes.find((c) => c === error.code);
  return code
    ? new EngineError(code, error.message)
    : new EngineError("PLUGIN_INVALID", `Cannot register plugin "${plugin}": ${error.message}`);
}

// Deno's module errors colour the location, put it on lines of their own (once or
// twice), and advise --allow-read, which is not for a plugin author to pass: one plain
// line, with the first location, and without that advice.
function importMessage(message: string): string {
  // deno-lint-ignore no-control-regex -- ESC starts the colour codes being removed.
  const [first = "", ...rest] = message.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const location = rest.map((line) => /^\s*at (\S+)/.exec(line)?.[1]).find(Boolean);
  const text = first.replace(/, run again with the --allow-\w+ flag/, "").replace(/\.$/, "").trim();
  return location ? `${text} (at ${location})` : text;
}

// A read permission error at import time is a module outside the plugin's folder.
function importHint(moduleUrl: string, message: string): string {
  if (!/Requires read access/.test(message)) return "";
  const folder = new URL(".", moduleUrl).pathname;
  return `. A sandboxed plugin may read only its own folder (${folder}): import the ` +
    "engine's engine/plugins/sdk.ts, which the sandbox preloads, and copy anything else " +
    "into the plugin's folder";
}

/** The plugin's Worker is not there to answer. */
export function unavailable(plugin: string, problem: string): EngineError {
  return new EngineError("PLUGIN_UNAVAILABLE", `Plugin "${plugin}": ${problem}`);
}

/** The error of a call whose caller stopped waiting. */
export function abortReason(plugin: string, signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new Error(`Plugin "${plugin}": the call was stopped before it finished`);
}
