/**
 * One Worker of a sandboxed plugin, from start to end, as the engine sees
 * it: the start handshake, calls with request ids and a timeout each, and
 * the end, whether asked for (terminate) or not (a crash, the plugin closing
 * its Worker, a call that hangs). Restarting is supervisor.ts's job: this
 * only reports that the Worker died, and why.
 */
import { EngineError, type ErrorCode } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { ChannelKind } from "../channel.ts";
import type {
  HookName,
  HostMessage,
  SandboxCall,
  SandboxResults,
  StartMessage,
  WorkerMessage,
} from "./protocol.ts";
import { abortReason, describeCall, revive, startFailure, unavailable } from "./sandbox_errors.ts";
import { resultSchemas, workerMessageSchema } from "./worker_messages.ts";

/** A channel the plugin's setup registered in the Worker. */
export interface SandboxChannelInfo {
  id: string;
  kind: ChannelKind;
  hasHealthCheck: boolean;
}

/** What a started Worker provides. */
export interface SandboxWorkerInfo {
  hooks: ReadonlySet<HookName>;
  /** The event types it has handlers for. */
  events: ReadonlySet<string>;
  channels: readonly SandboxChannelInfo[];
}

/** What spawnSandboxWorker needs. */
export interface SandboxWorkerOptions {
  start: StartMessage;
  permissions: Deno.PermissionOptionsObject;
  /** The plugin's logger: its log lines go here. */
  log: Logger;
  startTimeoutMs: number;
  /** Called once when the Worker dies after it started, unless terminate() ended it. */
  onExit(reason: string): void;
}

/** How one call may run. */
export interface CallOptions {
  timeoutMs: number;
  /** The caller's signal: when it aborts, the call rejects at once and the plugin's signal aborts. */
  signal?: AbortSignal | undefined;
  /** The last call before the Worker ends anyway (stop): a timeout is not followed by a restart. */
  last?: boolean;
}

/** A plugin's Worker. */
export interface SandboxWorker {
  /** Resolves when setup finished; rejects with PLUGIN_* errors saying why it did not. */
  readonly ready: Promise<SandboxWorkerInfo>;
  /** Runs an operation; rejects with what the plugin threw, or PLUGIN_UNAVAILABLE. */
  call<C extends SandboxCall>(call: C, options: CallOptions): Promise<SandboxResults[C["op"]]>;
  /** Ends the Worker at once; pending calls reject. */
  terminate(): void;
}

interface PendingCall {
  what: string;
  timer: ReturnType<typeof setTimeout>;
  /** Null once the caller stopped waiting: the timeout still watches the Worker. */
  settle: { resolve(value: unknown): void; reject(error: unknown): void } | null;
  parse(value: unknown): unknown;
}

const WORKER_URL = new URL("./worker_main.ts", import.meta.url);

/** Starts a Worker with `permissions` and sends it the plugin to load. */
export function spawnSandboxWorker(options: SandboxWorkerOptions): SandboxWorker {
  const plugin = options.start.manifest.name;
  const worker = new Worker(WORKER_URL, {
    type: "module",
    name: `plugin ${plugin}`,
    deno: { permissions: options.permissions },
  });
  const pending = new Map<number, PendingCall>();
  const channels: SandboxChannelInfo[] = [];
  let nextId = 1;
  let dead = false;
  let started = false;
  let resolveReady!: (info: SandboxWorkerInfo) => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<SandboxWorkerInfo>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Whoever awaits `ready` sees the rejection; nobody awaiting is not a crash of the engine.
  ready.catch(() => {});
  const startTimer = setTimeout(() => {
    die(`its setup did not finish within ${options.startTimeoutMs} ms`, "PLUGIN_UNAVAILABLE");
  }, options.startTimeoutMs);

  function die(reason: string, startCode: ErrorCode = "PLUGIN_INVALID", notify = true): void {
    if (dead) return;
    dead = true;
    clearTimeout(startTimer);
    worker.terminate();
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.settle?.reject(
        unavailable(plugin, `its Worker stopped before ${call.what} answered: ${reason}`),
      );
    }
    pending.clear();
    if (!started) {
      rejectReady(new EngineError(startCode, `Cannot start plugin "${plugin}": ${reason}`));
    } else if (notify) {
      options.onExit(reason);
    }
  }

  function onMessage(message: WorkerMessage): void {
    switch (message.kind) {
      case "channel":
        channels.push({
          id: message.id,
          kind: message.channelKind,
          hasHealthCheck: message.hasHealthCheck,
        });
        return;
      case "ready":
        if (started) return;
        started = true;
        clearTimeout(startTimer);
        resolveReady({ hooks: new Set(message.hooks), events: new Set(message.events), channels });
        return;
      case "failed":
        rejectReady(startFailure(options.start, message.stage, message.error));
        die("its setup failed");
        return;
      case "reply":
        return settle(message);
      case "log":
        return options.log[message.level](message.message, message.fields);
      case "exit":
        return die(message.how);
    }
  }

  function settle(message: Extract<WorkerMessage, { kind: "reply" }>): void {
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    clearTimeout(call.timer);
    if (!call.settle) return;
    if (!message.ok) return call.settle.reject(revive(message.error));
    try {
      call.settle.resolve(call.parse(message.value));
    } catch (error) {
      call.settle.reject(
        new Error(
          `Plugin "${plugin}": ${call.what} answered with something else than expected: ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
      );
    }
  }

  worker.addEventListener("message", (event: MessageEvent<unknown>) => {
    if (dead) return;
    const parsed = workerMessageSchema.safeParse(event.data);
    if (parsed.success) return onMessage(parsed.data);
    die(`it sent a message the engine does not understand (${parsed.error.issues[0]?.message})`);
  });
  worker.addEventListener("error", (event) => {
    // Unhandled, a Worker's error would end the engine's process.
    event.preventDefault();
    die(`it crashed: ${event.message}`);
  });
  worker.addEventListener("messageerror", () => die("it sent a message that cannot be read"));
  post(options.start);

  function post(message: HostMessage, transfer: Transferable[] = []): void {
    worker.postMessage(message, transfer);
  }

  return {
    ready,
    call<C extends SandboxCall>(call: C, callOptions: CallOptions) {
      const what = describeCall(call);
      if (dead) {
        return Promise.reject(
          unavailable(plugin, `its Worker is not running, so ${what} did not run`),
        );
      }
      const signal = callOptions.signal;
      if (signal?.aborted) return Promise.reject(abortReason(plugin, signal));
      const id = nextId++;
      return new Promise<SandboxResults[C["op"]]>((resolve, reject) => {
        const onAbort = () => {
          entry.settle = null;
          reject(abortReason(plugin, signal!));
          if (!dead) post({ kind: "abort", id });
        };
        const entry: PendingCall = {
          what,
          parse: (value) => resultSchemas[call.op].parse(value),
          settle: {
            resolve: (value) => {
              signal?.removeEventListener("abort", onAbort);
              // parse() checked it against this operation's schema.
              resolve(value as SandboxResults[C["op"]]);
            },
            reject: (error) => {
              signal?.removeEventListener("abort", onAbort);
              reject(error);
            },
          },
          // A Worker that does not answer in time may be stuck in a loop, which nothing
          // inside it can interrupt: end it, even when the caller stopped waiting.
          timer: setTimeout(() => {
            const message = `${what} did not answer within ${callOptions.timeoutMs} ms`;
            entry.settle?.reject(
              unavailable(
                plugin,
                `${message}; its Worker was ended${
                  callOptions.last ? "" : " and will be restarted"
                }`,
              ),
            );
            entry.settle = null;
            die(message);
          }, callOptions.timeoutMs),
        };
        const transfer = call.op === "fetch" && call.request.body ? [call.request.body] : [];
        try {
          post({ kind: "call", id, call }, transfer);
        } catch (error) {
          // Not sent (a value that cannot be cloned): nothing to wait for.
          clearTimeout(entry.timer);
          return reject(error);
        }
        pending.set(id, entry);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    terminate: () => die("it was stopped", "PLUGIN_UNAVAILABLE", false),
  };
}
