/**
 * The plugin host: every plugin the engine knows (first-party, and those in
 * PLUGINS_DIR, sandboxed), started or not as admins set them, with their
 * channels, subscriptions, facts and routes. A change through the API is
 * applied at once, here and (notified by the database) in every other engine
 * on the same database, without a restart.
 *
 * A plugin that cannot start (bad configuration, a dependency missing, a
 * module that fails) is reported with its coded error and the others run on;
 * only a first-party plugin failing at the engine's start stops the start, as
 * a wrong SMTP_URL should.
 */
import type { Clock } from "../clock.ts";
import type { Db } from "../db/mod.ts";
import { EngineError, isEngineError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { ENGINE_VERSION } from "../version.ts";
import type { Channel } from "./channel.ts";
import { type ChannelRegistry, channelRegistry } from "./channel_registry.ts";
import { factsOf, type PluginFactDefinition } from "./declared_facts.ts";
import { type DiscoveredPlugin, discoverPlugins } from "./discovery.ts";
import type { PluginManifest } from "./manifest.ts";
import type { PluginFactValues } from "./plugin.ts";
import { checkPluginConfig } from "./plugin_config.ts";
import { redactConfig } from "./config_redaction.ts";
import { checkChannelIds, duplicatePlugin, engineAccess, startFirstParty } from "./registry.ts";
import type { RunningPlugin } from "./running.ts";
import {
  type PluginChangeBy,
  readPluginSettings,
  type StoredPluginSettings,
  writePluginSettings,
} from "./settings_store.ts";
import { startSandboxedPlugin } from "./sandbox/mod.ts";
import type { FirstPartyPlugin } from "./source.ts";
import {
  type Entry,
  keepSecrets,
  type PluginStatus,
  settingsOf,
  statusOf,
} from "./plugin_entry.ts";
import { assertNotNeeded, checkCompatible, startOrder } from "./plugin_dependencies.ts";

export type { PluginOrigin, PluginStatus } from "./plugin_entry.ts";
import type { EventSubscriber } from "./subscriber.ts";

/** Starts a plugin of PLUGINS_DIR in its sandbox. */
export type SandboxStarter = (options: {
  directory: string;
  manifest: PluginManifest;
  config: Record<string, unknown>;
  log: Logger;
}) => Promise<RunningPlugin>;

/** What the host needs. */
export interface PluginHostOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** The engine's configuration: where first-party plugins read their declared variables. */
  environment: Readonly<Record<string, unknown>>;
  firstParty: readonly FirstPartyPlugin[];
  /** PLUGINS_DIR, when set. */
  directory?: string | undefined;
  /** How plugins of `directory` are started; the Worker sandbox when not given. */
  startSandboxed?: SandboxStarter;
  /** The engine version plugins' `engine` ranges are checked against. */
  engineVersion?: string;
  /** Whether a first-party plugin that cannot start stops `start()` (default true). */
  failFast?: boolean;
}

const POLL_MS = 30_000;

/** The engine's plugins. */
export class PluginHost {
  readonly #options: PluginHostOptions;
  readonly #entries = new Map<string, Entry>();
  // One change applied at a time: a restart must not interleave with another.
  #applying: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<() => void>();
  readonly channels: ChannelRegistry;

  constructor(options: PluginHostOptions) {
    this.#options = options;
    this.channels = channelRegistry(() => this.#channels(), {
      log: options.log.child({ component: "channels" }),
    });
  }

  /**
   * Finds the plugins and starts the enabled ones in dependency order.
   * Throws the first-party plugin's error when one cannot start (a wrong
   * SMTP_URL stops the engine's start) unless `failFast` is false; others
   * are reported by `list()`.
   */
  async start(): Promise<void> {
    const stored = await readPluginSettings(this.#options.db);
    for (const plugin of this.#options.firstParty) {
      const name = plugin.manifest.name;
      if (this.#entries.has(name)) throw duplicatePlugin(name);
      this.#entries.set(name, {
        name,
        origin: "first-party",
        folder: plugin.folder,
        manifest: plugin.manifest,
        firstParty: plugin,
        directory: null,
        settings: settingsOf(name, stored),
        running: null,
        error: null,
      });
    }
    const found = this.#options.directory ? await discoverPlugins(this.#options.directory) : [];
    for (const plugin of found) this.#addDiscovered(plugin, stored);
    for (const entry of this.#startOrder()) {
      await this.#start(entry);
      if (entry.error && entry.origin === "first-party" && this.#options.failFast !== false) {
        await this.stop();
        throw entry.error;
      }
    }
  }

  /** Every plugin, in name order. */
  list(): PluginStatus[] {
    return [...this.#entries.values()].sort((a, b) => a.name.localeCompare(b.name)).map(
      (entry) => statusOf(entry),
    );
  }

  /** One plugin; throws PLUGIN_NOT_FOUND. */
  status(name: string): PluginStatus {
    return statusOf(this.#entry(name));
  }

  /** The running plugin `name`, if it runs. */
  running(name: string): RunningPlugin | undefined {
    return this.#entries.get(name)?.running ?? undefined;
  }

  /** Every running plugin, in start order. */
  runningPlugins(): RunningPlugin[] {
    return this.#startOrder().flatMap((e) => e.running ? [e.running] : []);
  }

  /**
   * Calls `listener` after each plugin is started or stopped by a change
   * (the event hub then delivers to the plugins running now); returns the
   * function that stops calling it.
   */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The event subscriptions of the running plugins, for the event hub. */
  subscribers(): EventSubscriber[] {
    return this.runningPlugins().filter((p) => p.manifest.capabilities.subscriptions.length > 0)
      .map((plugin) => ({
        name: plugin.manifest.name,
        types: plugin.manifest.capabilities.subscriptions,
        delivery: plugin.manifest.capabilities.delivery,
        handle: (event, signal) => plugin.handle(event, signal),
      }));
  }

  /**
   * Enables, disables or reconfigures a plugin: checked, stored with its audit
   * entry, then applied (the plugin restarted with its new settings). Throws
   * PLUGIN_NOT_FOUND, PLUGIN_CONFIG_INVALID, PLUGIN_IN_USE (disabling a
   * plugin others need) or ETAG_MISMATCH (`expectedVersion` is stale).
   */
  async update(
    name: string,
    change: { enabled?: boolean; config?: Record<string, unknown> },
    by: PluginChangeBy,
    expectedVersion?: number,
  ): Promise<PluginStatus> {
    const entry = this.#entry(name);
    if (!entry.manifest) {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Plugin "${name}" cannot be changed until its plugin.json is fixed: ${entry.error?.message}`,
      );
    }
    const enabled = change.enabled ?? entry.settings.enabled;
    const config = change.config === undefined
      ? entry.settings.config
      : checkPluginConfig(entry.manifest, keepSecrets(change.config, entry.settings.config));
    if (!enabled) this.#assertNotNeeded(entry);
    entry.settings = await writePluginSettings(this.#options.db, {
      name,
      before: entry.settings,
      next: { enabled, config },
      expectedVersion: expectedVersion ?? entry.settings.version,
      redact: (values) => redactConfig(entry.manifest, values),
    }, by);
    await this.#serialized(() => this.#restart(entry));
    return statusOf(entry);
  }

  /**
   * Applies settings other engines stored: on the database's notification,
   * and every 30 s in case one was missed. Returns when `signal` aborts.
   */
  async follow(signal: AbortSignal): Promise<void> {
    const unlisten = await this.#options.db.listen("plugin_settings", () => {
      void this.#serialized(() => this.refresh());
    }).catch(() => null);
    try {
      while (!signal.aborted) {
        await sleep(POLL_MS, signal);
        if (!signal.aborted) await this.#serialized(() => this.refresh());
      }
    } finally {
      await unlisten?.();
    }
  }

  /** Re-reads the stored settings and restarts each plugin whose settings changed. */
  async refresh(): Promise<void> {
    const stored = await readPluginSettings(this.#options.db);
    for (const entry of this.#entries.values()) {
      const next = settingsOf(entry.name, stored);
      if (next.version === entry.settings.version) continue;
      entry.settings = next;
      await this.#restart(entry);
    }
  }

  /** The facts the running plugins contribute to the rules' catalog. */
  factDefinitions(): PluginFactDefinition[] {
    return this.runningPlugins().flatMap((plugin) => factsOf(plugin.manifest));
  }

  /**
   * Facts of every running plugin with a facts hook, for a batch of
   * customers. A plugin whose hook fails or times out is logged and its facts
   * are missing for this batch (rules on them do not hold): one plugin must
   * not stop a cycle.
   */
  async facts(customerIds: readonly string[], asOf: Date): Promise<PluginFactValues> {
    const merged: PluginFactValues = {};
    for (const plugin of this.runningPlugins()) {
      if (plugin.manifest.capabilities.facts.length === 0) continue;
      let values: PluginFactValues;
      try {
        values = await plugin.facts(customerIds, asOf);
      } catch (error) {
        this.#options.log.warn("a plugin's facts failed; they are missing for this batch", {
          plugin: plugin.manifest.name,
          customers: customerIds.length,
          error: messageOf(error),
        });
        continue;
      }
      for (const [customerId, byFact] of Object.entries(values)) {
        merged[customerId] = { ...merged[customerId], ...byFact };
      }
    }
    return merged;
  }

  /** Answers a request under /plugins/<name>/: 404 for an unknown plugin, 503 when it is not running. */
  fetch(name: string, request: Request): Promise<Response> {
    const entry = this.#entries.get(name);
    if (!entry) {
      return Promise.resolve(problem(404, "No such plugin", `No plugin is named "${name}"`));
    }
    if (!entry.running) {
      const why = entry.error ? `it failed to start: ${entry.error.message}` : "it is disabled";
      return Promise.resolve(
        problem(503, "The plugin is not running", `Plugin "${name}" is not running: ${why}`),
      );
    }
    return entry.running.fetch(request);
  }

  /** Stops every running plugin, dependents first. Never throws. */
  async stop(): Promise<void> {
    for (const entry of this.#startOrder().reverse()) {
      const running = entry.running;
      entry.running = null;
      await running?.stop();
    }
  }

  #addDiscovered(plugin: DiscoveredPlugin, stored: Map<string, StoredPluginSettings>): void {
    const name = plugin.manifest?.name ?? plugin.folder;
    const entry: Entry = {
      name,
      origin: "directory",
      folder: plugin.folder,
      manifest: plugin.manifest,
      firstParty: null,
      directory: plugin.directory,
      settings: settingsOf(name, stored),
      running: null,
      error: plugin.error,
    };
    const taken = this.#entries.get(name);
    if (taken) {
      // Reported under its folder's name, so the first one keeps its own.
      const where = taken.origin === "first-party" ? " (a first-party plugin)" : "";
      this.#entries.set(`${plugin.folder} (PLUGINS_DIR)`, {
        ...entry,
        name: `${plugin.folder} (PLUGINS_DIR)`,
        manifest: null,
        error: duplicatePlugin(name, where),
      });
      return;
    }
    this.#entries.set(name, entry);
  }

  async #start(entry: Entry): Promise<void> {
    const manifest = entry.manifest;
    // Without a manifest its error (a bad plugin.json, a taken name) stays until the folder is fixed.
    if (!manifest) return;
    entry.error = null;
    if (!entry.settings.enabled) return;
    try {
      this.#checkCompatible(manifest);
      const config = checkPluginConfig(manifest, entry.settings.config);
      const log = this.#options.log.child({ plugin: entry.name });
      const running = entry.firstParty
        ? await startFirstParty(entry.firstParty, {
          config,
          environment: this.#options.environment,
          log,
          engine: engineAccess(this.#options.db, this.#options.clock),
        })
        : await this.#sandboxed(entry, manifest, config, log);
      try {
        checkChannelIds(running, this.runningPlugins());
        this.#checkFactNames(manifest);
      } catch (error) {
        await running.stop();
        throw error;
      }
      entry.running = running;
      this.#options.log.info("plugin started", {
        plugin: entry.name,
        version: manifest.version,
        sandboxed: running.sandboxed,
      });
    } catch (error) {
      entry.error = isEngineError(error)
        ? error
        : new EngineError("PLUGIN_INVALID", `Plugin "${entry.name}" failed: ${messageOf(error)}`, {
          cause: error,
        });
      this.#options.log.error("plugin not started", {
        plugin: entry.name,
        code: entry.error.code,
        error: entry.error.message,
      });
    }
  }

  #sandboxed(
    entry: Entry,
    manifest: PluginManifest,
    config: Record<string, unknown>,
    log: Logger,
  ): Promise<RunningPlugin> {
    const start = this.#options.startSandboxed ?? startSandboxedPlugin;
    if (!entry.directory) {
      throw new EngineError("PLUGIN_INVALID", `Plugin "${entry.name}" has no folder to run from`);
    }
    // Its manifest's tables would be the engine's: a sandbox has no database to keep them in.
    if (manifest.retention.length > 0) {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Plugin "${entry.name}" declares retention tables, but a plugin from PLUGINS_DIR runs in ` +
          "a sandbox without the engine's database: remove `retention` from its plugin.json " +
          "and remove its own old data itself",
      );
    }
    return start({ directory: entry.directory, manifest, config, log });
  }

  async #restart(entry: Entry): Promise<void> {
    const running = entry.running;
    entry.running = null;
    await running?.stop();
    await this.#start(entry);
    // Plugins that waited for this one get their chance now.
    for (const other of this.#startOrder()) {
      if (other.running || !other.settings.enabled || !other.manifest) continue;
      if (Object.hasOwn(other.manifest.dependencies, entry.name)) await this.#start(other);
    }
    for (const listener of this.#listeners) listener();
  }

  #checkCompatible(manifest: PluginManifest): void {
    checkCompatible(manifest, this.#options.engineVersion ?? ENGINE_VERSION, this.#entries);
  }

  #checkFactNames(manifest: PluginManifest): void {
    for (const other of this.runningPlugins()) {
      const taken = other.manifest.capabilities.facts.find((fact) =>
        manifest.capabilities.facts.some((mine) => mine.name === fact.name)
      );
      if (taken) {
        throw new EngineError(
          "PLUGIN_INVALID",
          `Cannot register plugin "${manifest.name}": the fact "${taken.name}" is already ` +
            `declared by plugin "${other.manifest.name}"; give it another name`,
        );
      }
    }
  }

  #assertNotNeeded(entry: Entry): void {
    assertNotNeeded(entry, this.#entries);
  }

  #startOrder(): Entry[] {
    return startOrder(this.#entries);
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (!entry) {
      throw new EngineError(
        "PLUGIN_NOT_FOUND",
        `No plugin is named "${name}"; GET /api/v1/plugins lists them`,
      );
    }
    return entry;
  }

  #channels(): Channel[] {
    return this.runningPlugins().flatMap((p) => p.channels);
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#applying.then(work, work);
    this.#applying = next.catch(() => undefined);
    return next;
  }
}

function problem(status: number, title: string, detail: string): Response {
  return Response.json({ type: "about:blank", title, status, detail }, {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
