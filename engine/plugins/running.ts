/**
 * A started plugin as the engine uses it, wherever it runs: in the engine's
 * process (first-party) or in a Worker with only its manifest's permissions
 * (PLUGINS_DIR). The event hub, the fact loader, the route mount and the
 * health checks call plugins only through this.
 */
import type { Channel } from "./channel.ts";
import type { PluginManifest } from "./manifest.ts";
import type {
  PluginErasedRows,
  PluginFactValues,
  PluginHealth,
  PluginRowsByTable,
} from "./plugin.ts";
import type { PluginEvent } from "./subscriber.ts";

/** A started plugin. */
export interface RunningPlugin {
  readonly manifest: PluginManifest;
  /** Whether it runs in its own Worker. */
  readonly sandboxed: boolean;
  /** The channels its setup registered. */
  readonly channels: readonly Channel[];
  /**
   * Runs its handler of `event.type` (resolves at once when it has none);
   * rejects when the handler throws or `signal` aborts first.
   */
  handle(event: PluginEvent, signal: AbortSignal): Promise<void>;
  /** Its facts for a batch of customers at `asOf`; {} without a facts hook. */
  facts(customerIds: readonly string[], asOf: Date): Promise<PluginFactValues>;
  /**
   * Answers a request to its routes, as the server received it: its path
   * starts with `/plugins/<name>/` (a WebSocket upgrade needs the original
   * request). 404 without routes.
   */
  fetch(request: Request): Promise<Response>;
  /** Its health; never throws (a failing or hanging check is `unhealthy`). */
  health(): Promise<PluginHealth>;
  /** Its rows about a customer by table; {} without `capabilities.personalData`. */
  exportCustomer(customerId: string): Promise<PluginRowsByTable>;
  /** Erases a customer; {} without `capabilities.personalData`. Throws when the hook fails. */
  eraseCustomer(customerId: string, pseudonym: string): Promise<PluginErasedRows>;
  /** Stops it: its `stop` hook, then (sandboxed) its Worker. Never throws. */
  stop(): Promise<void>;
}
