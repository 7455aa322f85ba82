/**
 * The bootstrap of a sandboxed plugin's Worker (started by start.ts with
 * only the manifest's permissions). It waits for `start`, imports the
 * plugin and runs its setup, reports `ready` or `failed`, then answers one
 * `reply` per `call`. Calls run concurrently, each with its own signal,
 * which an `abort` from the engine aborts.
 */
// Preloaded for the plugin: a module in this Worker's own graph loads without
// a read permission, so a plugin can import the SDK (definePlugin,
// DeliveryError, requestActor) although it may read only its own folder
// (permissions.ts).
import "../sdk.ts";
import {
  type CallMessage,
  type HookName,
  type HostMessage,
  serializeError,
  type StartMessage,
  type WorkerMessage,
} from "./protocol.ts";
import { runCall } from "./worker_calls.ts";
import { type LoadedPlugin, loadPlugin, StartFailure } from "./worker_plugin.ts";

/** The parts of the Worker's global scope used here (the project compiles with Deno's window types). */
interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  close(): void;
  addEventListener(type: "message", listener: (event: MessageEvent<unknown>) => void): void;
  addEventListener(type: "error", listener: (event: ErrorEvent) => void): void;
  addEventListener(
    type: "unhandledrejection",
    listener: (event: PromiseRejectionEvent) => void,
  ): void;
}

const scope = globalThis as unknown as WorkerScope;
const postMessage = scope.postMessage.bind(scope);
const closeWorker = scope.close.bind(scope);
const controllers = new Map<number, AbortController>();
let plugin: LoadedPlugin | null = null;

reportOwnExit();
reportCrashes();

scope.addEventListener("message", (event) => {
  // Only the engine posts to this Worker (the plugin could dispatch a fake event, but
  // only to itself), so the message is one of ours.
  const message = event.data as HostMessage;
  if (message.kind === "start") void start(message);
  else if (message.kind === "call") void call(message);
  else {
    controllers.get(message.id)?.abort(
      new Error("The engine stopped waiting for this call (its own timeout or shutdown)"),
    );
  }
});

async function start(message: StartMessage): Promise<void> {
  try {
    plugin = await loadPlugin(message, post);
    const hooks = plugin.hooks as Record<string, unknown>;
    post({
      kind: "ready",
      hooks: Object.keys(hooks).filter((name) => hooks[name] !== undefined) as HookName[],
      events: Object.keys(plugin.hooks.on ?? {}),
    });
  } catch (error) {
    const failure = error instanceof StartFailure ? error : new StartFailure("setup", error);
    post({ kind: "failed", stage: failure.stage, error: serializeError(failure.cause) });
  }
}

async function call(message: CallMessage): Promise<void> {
  const { id } = message;
  const controller = new AbortController();
  controllers.set(id, controller);
  try {
    if (!plugin) throw new Error("The plugin has not started");
    const outcome = await runCall(plugin, message.call, controller.signal);
    try {
      postMessage({ kind: "reply", id, ok: true, value: outcome.value }, outcome.transfer);
    } catch (error) {
      throw new Error(
        `Its answer cannot be sent to the engine (${serializeError(error).message}); ` +
          "return plain data: objects, arrays, strings, numbers, booleans and null",
      );
    }
  } catch (error) {
    post({ kind: "reply", id, ok: false, error: serializeError(error) });
  } finally {
    controllers.delete(id);
  }
}

/** Posts to the engine; log fields that cannot be cloned (functions) are sent as JSON. */
function post(message: WorkerMessage): void {
  try {
    postMessage(message);
  } catch (error) {
    if (message.kind !== "log") throw error;
    postMessage({ ...message, fields: jsonSafe(message.fields) });
  }
}

function jsonSafe(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(
      JSON.stringify(
        fields,
        (_key, value: unknown) =>
          value instanceof Error
            ? { name: value.name, message: value.message }
            : typeof value === "bigint"
            ? String(value)
            : value,
      ),
    );
  } catch {
    return { fields: "[not serializable]" };
  }
}

/**
 * A Worker that closes itself sends the engine no event, so its calls would
 * wait for their timeout: tell the engine first. (A plugin that gets around
 * this is still caught by the call timeout.)
 */
function reportOwnExit(): void {
  scope.close = () => {
    post({ kind: "exit", how: "the plugin closed its Worker (self.close())" });
    closeWorker();
  };
  const exit = Deno.exit;
  Object.defineProperty(Deno, "exit", {
    configurable: true,
    value: (code?: number): never => {
      post({ kind: "exit", how: `the plugin called Deno.exit(${code ?? ""})` });
      return exit(code);
    },
  });
}

/**
 * An uncaught error or unhandled rejection leaves the plugin in a state no
 * one planned for: end the Worker (the engine starts a new one), but first
 * send the engine the error and its stack for the plugin's log. Left to
 * Deno, the Worker would end the same way, with less said and the stack on
 * the engine's standard error.
 */
function reportCrashes(): void {
  const crash = (how: string, error: unknown) => {
    const { name, message } = serializeError(error);
    const stack = error instanceof Error ? error.stack : undefined;
    post({ kind: "log", level: "error", message: "plugin crashed", fields: { how, stack } });
    post({ kind: "exit", how: `it crashed: ${how} ${name}: ${message}` });
    closeWorker();
  };
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    crash("Uncaught", event.error);
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    crash("Uncaught (in promise)", event.reason);
  });
}
