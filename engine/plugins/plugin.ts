/**
 * The plugin contract: what a plugin's `mod.ts` exports by default (built
 * with `definePlugin()`), and what it gets from the engine. A plugin is a
 * folder: `plugin.json` (manifest.ts) says who it is and what it may do, and
 * `mod.ts` does it. The same module runs in the engine's process (first-party
 * plugins) or in a Deno Worker holding only the manifest's permissions
 * (plugins from PLUGINS_DIR), so hooks take and return plain data.
 *
 * Hook names are a closed list (`pluginHookNames`), and so are the event
 * types a plugin can handle (`domainEventTypes`): a misspelt hook is an error
 * at registration, not a handler that silently never runs.
 */
import type { Hono } from "hono";
import type { Db } from "../db/mod.ts";
import type { DomainEventType } from "../events/mod.ts";
import type { Logger } from "../log.ts";
import type { Channel, OutgoingMessage } from "./channel.ts";
import type { PluginEvent } from "./subscriber.ts";

/** A value a plugin's fact takes for a customer; null when it has none. */
export type PluginFactValue = number | boolean | string | null;

/** Per customer id, per fact name: the values a `facts` hook returns. */
export type PluginFactValues = Record<string, Record<string, PluginFactValue>>;

/** A plugin's own view of its health. */
export interface PluginHealth {
  status: "healthy" | "degraded" | "unhealthy";
  detail: string;
}

/** The event a handler gets: the domain event, and a signal that aborts when it takes too long. */
export interface PluginHandlerEvent extends PluginEvent {
  signal: AbortSignal;
}

/** A handler of one event type. */
export type PluginEventHandler = (event: PluginHandlerEvent) => Promise<void>;

/** What a plugin's `setup` returns: its hooks. Every one is optional. */
export interface PluginHooks {
  /** Handlers by event type; each type must be in the manifest's `capabilities.subscriptions`. */
  on?: { [T in DomainEventType]?: PluginEventHandler };
  /** Values of the manifest's `capabilities.facts` for a batch of customers, at `asOf`. */
  facts?(request: { customerIds: readonly string[]; asOf: string }): Promise<PluginFactValues>;
  /** Adds routes, served under `/plugins/<name>` (needs `capabilities.routes`). */
  routes?(app: Hono): void;
  /** The plugin's health, shown with the integrations (needs `capabilities.health`). */
  health?(): Promise<PluginHealth>;
  /** Releases what the plugin holds (connections, timers) when it is stopped or disabled. */
  stop?(): Promise<void>;
  /**
   * Everything the plugin holds about one customer, rows by table (a privacy
   * access or portability request; needs `capabilities.personalData`).
   */
  exportCustomer?(request: { customerId: string }): Promise<PluginRowsByTable>;
  /**
   * Erases one customer (a privacy deletion), in the plugin's tables and in
   * the systems it fed; where it keeps aggregates it may re-key them to
   * `pseudonym`. Returns the rows erased by table. Called before the engine
   * erases its own rows, while the customer still exists; it must be
   * idempotent (a failed deletion is asked again). Needs `capabilities.personalData`.
   */
  eraseCustomer?(request: { customerId: string; pseudonym: string }): Promise<PluginErasedRows>;
}

/** Rows by table, as `exportCustomer` returns them (plain JSON values). */
export type PluginRowsByTable = Record<string, Record<string, unknown>[]>;

/** Rows erased by table, as `eraseCustomer` returns them. */
export type PluginErasedRows = Record<string, number>;

/** The hooks `setup` may return: anything else is refused. */
export const pluginHookNames = [
  "on",
  "facts",
  "routes",
  "health",
  "stop",
  "exportCustomer",
  "eraseCustomer",
] as const;

/** What only a first-party plugin, running in the engine's process, can reach. */
export interface EngineAccess {
  /** The engine's database. */
  db: Db;
  /** The customers' in-app inbox (the in-app channel delivers here). */
  inbox: {
    /** Stores the message once per dedup key; returns its id, also for a repeat delivery. */
    deliver(message: OutgoingMessage): Promise<{ id: number }>;
  };
}

/** What a plugin's `setup` gets. */
export interface PluginContext {
  /** The plugin's name and version, from its manifest. */
  name: string;
  version: string;
  /** Its configuration, checked against the manifest's `config` schema. */
  config: Readonly<Record<string, unknown>>;
  /** The environment variables its manifest lists in `permissions.env`, and no others. */
  env: Readonly<Record<string, unknown>>;
  log: Logger;
  /** Makes a channel available to interventions; its kind must be in `capabilities.channels`. */
  registerChannel(channel: Channel): void;
  /** First-party plugins only (undefined in a sandbox). */
  engine: EngineAccess | undefined;
}

/** A plugin module's default export. */
export interface PluginDefinition<Settings = unknown> {
  /**
   * Reads the plugin's settings from its environment variables and
   * configuration; throws CONFIG_INVALID (parsePluginSettings) when wrong.
   */
  settings?(
    env: Readonly<Record<string, unknown>>,
    config: Readonly<Record<string, unknown>>,
  ): Settings;
  /** Starts the plugin; returns its hooks. */
  setup?(
    context: PluginContext,
    settings: Settings,
  ): PluginHooks | void | Promise<PluginHooks | void>;
}

/** The keys a definition may have. */
export const pluginDefinitionKeys = ["settings", "setup"] as const;

/** Identity helper that gives a plugin module its types. */
export function definePlugin<Settings>(
  definition: PluginDefinition<Settings>,
): PluginDefinition<Settings> {
  return definition;
}
