/**
 * Keeping a sandboxed plugin's Worker running: after a crash (or a call that
 * hung, which ends the Worker) a new Worker is started after the restart
 * policy's wait, or after many crashes not for a while. Calls made while it
 * waits fail at once with PLUGIN_UNAVAILABLE, saying why and until when, so
 * the event hub's retries and the outbox's backoff take over instead of
 * queueing work behind a broken plugin.
 */
import type { Clock } from "../../clock.ts";
import { EngineError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { afterCrash, type RestartPolicy } from "./restart_policy.ts";
import type { SandboxWorker, SandboxWorkerInfo } from "./sandbox_worker.ts";

/** Where the sandbox is: serving, starting a new Worker, waiting to, down for a while, or stopped. */
export type SandboxState = "running" | "starting" | "waiting" | "down" | "stopped";

/** What health reports about the sandbox. */
export interface SandboxStatus {
  state: SandboxState;
  /** How many times a new Worker started successfully after a crash. */
  restarts: number;
  crashes: number;
  /** Why the Worker last ended; null when it never crashed. */
  lastError: string | null;
  /** When the next start is tried (waiting or down). */
  retryAt: Date | null;
  /** Why it does not serve, when it does not; "" while running. */
  detail: string;
}

/** A started Worker and what it provides. */
export interface LiveWorker {
  worker: SandboxWorker;
  info: SandboxWorkerInfo;
}

/** The supervisor of one plugin's Worker. */
export interface Supervisor {
  /** The running Worker; waits while a new one starts; throws PLUGIN_UNAVAILABLE otherwise. */
  current(): Promise<LiveWorker>;
  status(): SandboxStatus;
  /** Ends restarts; returns the running Worker, if any, for the caller to stop. */
  stop(): LiveWorker | null;
}

/** What superviseSandbox needs. */
export interface SupervisorOptions {
  plugin: string;
  /** Starts a Worker; it calls `onExit` when it dies after starting. */
  spawn(onExit: (reason: string) => void): SandboxWorker;
  policy: RestartPolicy;
  clock: Clock;
  log: Logger;
}

/**
 * Starts the first Worker and supervises it; throws its startup error (a
 * plugin that cannot start at all is not restarted: its error is for an
 * admin to fix).
 */
export async function superviseSandbox(options: SupervisorOptions): Promise<Supervisor> {
  const { plugin, policy, log } = options;
  let state: SandboxState = "starting";
  let live: LiveWorker | null = null;
  let starting: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let crashTimes: number[] = [];
  let downAfter = 0;
  const status: Omit<SandboxStatus, "state" | "detail"> = {
    restarts: 0,
    crashes: 0,
    lastError: null,
    retryAt: null,
  };

  function launch(): { worker: SandboxWorker; started: Promise<void> } {
    const worker: SandboxWorker = options.spawn((reason) => crashed(worker, reason));
    const started = worker.ready.then((info) => {
      if (state === "stopped") return worker.terminate();
      live = { worker, info };
      state = "running";
    });
    return { worker, started };
  }

  // `worker` is null when starting one threw before it existed.
  function crashed(worker: SandboxWorker | null, reason: string): void {
    if (state === "stopped" || (worker && live && live.worker !== worker)) return;
    live = null;
    status.crashes++;
    status.lastError = reason;
    const now = options.clock.now().getTime();
    crashTimes = [...crashTimes.filter((t) => now - t < policy.windowMs), now];
    const decision = afterCrash(crashTimes.length, policy);
    status.retryAt = new Date(now + decision.delayMs);
    if (decision.kind === "down") {
      downAfter = crashTimes.length;
      crashTimes = [];
      state = "down";
      log.error("plugin crashed too often; it stays down for a while", {
        reason,
        crashes: downAfter,
        retryAt: status.retryAt.toISOString(),
      });
    } else {
      state = "waiting";
      log.warn("plugin crashed; restarting", { reason, inMs: decision.delayMs });
    }
    timer = setTimeout(restart, decision.delayMs);
  }

  function restart(): void {
    timer = undefined;
    status.retryAt = null;
    state = "starting";
    let next: ReturnType<typeof launch>;
    try {
      next = launch();
    } catch (error) {
      return crashed(null, `its restart failed: ${messageOf(error)}`);
    }
    starting = next.started.then(
      () => {
        status.restarts++;
        log.info("plugin restarted", { restarts: status.restarts });
      },
      (error) => crashed(next.worker, `its restart failed: ${messageOf(error)}`),
    );
  }

  const first = launch();
  await first.started;

  return {
    async current() {
      // A restart's setup is short next to a caller's retry; waiting for it beats failing.
      if (state === "starting") await starting;
      if (state === "running" && live) return live;
      throw new EngineError("PLUGIN_UNAVAILABLE", unavailableMessage(state));
    },
    status: () => ({ state, ...status, detail: unavailableMessage(state) }),
    stop() {
      const running = live;
      state = "stopped";
      live = null;
      clearTimeout(timer);
      return running;
    },
  };

  function unavailableMessage(now: SandboxState): string {
    const at = status.retryAt?.toISOString();
    const window = policy.windowMs / 1000;
    switch (now) {
      case "running":
        return "";
      case "starting":
        return `Plugin "${plugin}" is starting again after: ${status.lastError}`;
      case "waiting":
        return `Plugin "${plugin}" is restarting (next try at ${at}) after: ${status.lastError}`;
      case "down":
        return `Plugin "${plugin}" crashed ${downAfter} times within ${window} s, so it stays ` +
          `down until ${at}; last error: ${status.lastError}`;
      case "stopped":
        return `Plugin "${plugin}" is stopped`;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
