/**
 * Checking a plugin's definition and hooks against the closed lists and its
 * manifest: anything a plugin uses must be declared in plugin.json, so what
 * an admin reads there is what the plugin can do.
 */
import { domainEventTypes } from "../events/mod.ts";
import { EngineError } from "../errors.ts";
import type { PluginManifest } from "./manifest.ts";
import {
  pluginDefinitionKeys,
  type PluginFactValues,
  pluginHookNames,
  type PluginHooks,
} from "./plugin.ts";

/** Checks a module's default export is a plugin definition; returns it. */
export function checkDefinition(plugin: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) {
    throw new EngineError(
      "PLUGIN_INVALID",
      `Cannot register plugin "${plugin}": its mod.ts must default-export definePlugin({ … })`,
    );
  }
  const definition = value as Record<string, unknown>;
  for (const key of Object.keys(definition)) {
    if (!(pluginDefinitionKeys as readonly string[]).includes(key)) {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Cannot register plugin "${plugin}": definePlugin() has the unknown key "${key}"; ` +
          `use ${pluginDefinitionKeys.join(" and ")} (hooks are what setup returns)`,
      );
    }
    if (typeof definition[key] !== "function") {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Cannot register plugin "${plugin}": "${key}" must be a function`,
      );
    }
  }
  return definition;
}

/**
 * Checks what `setup` returned: only known hooks, of the right shape, each
 * declared in the manifest, and a handler for every declared subscription.
 */
export function checkHooks(manifest: PluginManifest, value: unknown): PluginHooks {
  const plugin = manifest.name;
  if (value === undefined || value === null) return checkHooks(manifest, {});
  if (typeof value !== "object") {
    throw invalid(plugin, "setup must return its hooks as an object, or nothing");
  }
  const hooks = value as Record<string, unknown>;
  for (const [key, hook] of Object.entries(hooks)) {
    if (!(pluginHookNames as readonly string[]).includes(key)) {
      throw invalid(
        plugin,
        `setup returned the unknown hook "${key}"; hooks are ${pluginHookNames.join(", ")}`,
      );
    }
    if (key === "on" ? typeof hook !== "object" || hook === null : typeof hook !== "function") {
      throw invalid(
        plugin,
        `the hook "${key}" must be ${key === "on" ? "an object" : "a function"}`,
      );
    }
  }
  const on = (hooks.on ?? {}) as Record<string, unknown>;
  const declared = manifest.capabilities.subscriptions as readonly string[];
  for (const [type, handler] of Object.entries(on)) {
    if (!(domainEventTypes as readonly string[]).includes(type)) {
      throw invalid(
        plugin,
        `on["${type}"] is not an event type; the types are ${domainEventTypes.join(", ")}`,
      );
    }
    if (typeof handler !== "function") throw invalid(plugin, `on["${type}"] must be a function`);
    if (!declared.includes(type)) {
      throw undeclared(plugin, `it handles "${type}"`, `"${type}" to capabilities.subscriptions`);
    }
  }
  const unhandled = declared.find((type) => on[type] === undefined);
  if (unhandled !== undefined) {
    throw invalid(
      plugin,
      `plugin.json subscribes to "${unhandled}" but setup returns no on["${unhandled}"] handler`,
    );
  }
  if (hooks.facts !== undefined && manifest.capabilities.facts.length === 0) {
    throw undeclared(plugin, "it has a facts hook", "its facts to capabilities.facts");
  }
  if (hooks.routes !== undefined && !manifest.capabilities.routes) {
    throw undeclared(plugin, "it has routes", `"routes": true to capabilities`);
  }
  if (hooks.health !== undefined && !manifest.capabilities.health) {
    throw undeclared(plugin, "it has a health hook", `"health": true to capabilities`);
  }
  const privacyHooks = [hooks.exportCustomer, hooks.eraseCustomer].filter((h) => h !== undefined);
  if (privacyHooks.length > 0 && !manifest.capabilities.personalData) {
    throw undeclared(plugin, "it has privacy hooks", `"personalData": true to capabilities`);
  }
  if (manifest.capabilities.personalData && privacyHooks.length < 2) {
    throw invalid(
      plugin,
      "plugin.json declares personalData, so setup must return both exportCustomer and " +
        "eraseCustomer (privacy requests reach a plugin's data only through them)",
    );
  }
  return hooks as PluginHooks;
}

/** Checks a facts hook returned only the facts the manifest declares; returns the values. */
export function checkFactValues(
  manifest: PluginManifest,
  values: PluginFactValues,
): PluginFactValues {
  const declared = new Set(manifest.capabilities.facts.map((f) => f.name));
  for (const byFact of Object.values(values)) {
    const name = Object.keys(byFact).find((name) => !declared.has(name));
    if (name !== undefined) {
      throw undeclared(
        manifest.name,
        `its facts hook returned "${name}"`,
        "it to capabilities.facts",
      );
    }
  }
  return values;
}

/** The error for a channel kind the manifest does not list. */
export function undeclaredChannel(manifest: PluginManifest, kind: string): EngineError | null {
  return (manifest.capabilities.channels as readonly string[]).includes(kind) ? null : undeclared(
    manifest.name,
    `it registers a ${kind} channel`,
    `"${kind}" to capabilities.channels`,
  );
}

/** The error for something used but not declared: what to add to plugin.json. */
export function undeclared(plugin: string, what: string, add: string): EngineError {
  return new EngineError(
    "PLUGIN_CAPABILITY_UNDECLARED",
    `Plugin "${plugin}": ${what}, which its plugin.json does not declare; add ${add}`,
  );
}

function invalid(plugin: string, problem: string): EngineError {
  return new EngineError("PLUGIN_INVALID", `Cannot register plugin "${plugin}": ${problem}`);
}
