/**
 * The plugin contract, as far as channels need it today: a plugin is a
 * plain, named, versioned object whose `setup` registers what it provides
 * through the context. The plugin platform (its own issue) adds facts, event
 * subscriptions, routes and sandboxing on this same shape.
 */
import type { Db } from "../db/mod.ts";
import type { Logger } from "../log.ts";
import type { Channel, OutgoingMessage } from "./channel.ts";

/** What a plugin's setup can use and register. */
export interface PluginContext {
  /** Makes a channel available to interventions; a second channel with one id is an error. */
  registerChannel(channel: Channel): void;
  /** A logger named after the plugin. */
  log: Logger;
  /** The engine's database (first-party plugins only). */
  db: Db;
  /** The customers' in-app inbox, stored by the engine (the in-app channel delivers here). */
  inbox: {
    /** Stores the message once per dedup key; returns its id, also for a repeat delivery. */
    deliver(message: OutgoingMessage): Promise<{ id: number }>;
  };
}

/** A plugin: `setup` gets the context and the plugin's parsed settings. */
export interface EnginePlugin<Settings = unknown> {
  name: string;
  version: string;
  /** Reads the plugin's settings from the engine configuration; throws CONFIG_INVALID when wrong. */
  settings(config: Readonly<Record<string, unknown>>): Settings;
  setup(context: PluginContext, settings: Settings): void | Promise<void>;
}

/** Identity helper for type inference when writing a plugin. */
export function definePlugin<Settings>(plugin: EnginePlugin<Settings>): EnginePlugin<Settings> {
  return plugin;
}
