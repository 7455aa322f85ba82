/**
 * How plugins depend on each other: the engine version and the plugins a
 * plugin needs (checked before it starts), the order they start in
 * (dependencies first), and who still needs a plugin that is to be disabled.
 */
import { EngineError } from "../errors.ts";
import { type PluginManifest, satisfiesRange, supportsEngine } from "./manifest.ts";
import type { Entry } from "./plugin_entry.ts";

/** Throws PLUGIN_ENGINE_UNSUPPORTED or PLUGIN_DEPENDENCY_UNMET when `manifest` cannot start now. */
export function checkCompatible(
  manifest: PluginManifest,
  engineVersion: string,
  entries: ReadonlyMap<string, Entry>,
): void {
  if (!supportsEngine(manifest, engineVersion)) {
    throw new EngineError(
      "PLUGIN_ENGINE_UNSUPPORTED",
      `Plugin "${manifest.name}" ${manifest.version} works with engine ${manifest.engine}, ` +
        `not ${engineVersion}; use a version of the plugin made for this engine`,
    );
  }
  for (const [dependency, wanted] of Object.entries(manifest.dependencies)) {
    const other = entries.get(dependency);
    const problem = !other || !other.manifest
      ? "it is not installed"
      : !other.settings.enabled
      ? "it is disabled"
      : !other.running
      ? "it is not running"
      : !satisfiesRange(other.manifest.version, wanted)
      ? `version ${other.manifest.version} is installed`
      : null;
    if (problem) {
      throw new EngineError(
        "PLUGIN_DEPENDENCY_UNMET",
        `Plugin "${manifest.name}" needs plugin "${dependency}" ${wanted}, but ${problem}; ` +
          `install or enable "${dependency}" ${wanted}, or remove the dependency`,
      );
    }
  }
}

/** Throws PLUGIN_IN_USE when enabled plugins depend on `entry`. */
export function assertNotNeeded(entry: Entry, entries: ReadonlyMap<string, Entry>): void {
  const dependents = [...entries.values()].filter((other) =>
    other.settings.enabled && other.manifest &&
    Object.hasOwn(other.manifest.dependencies, entry.name)
  ).map((other) => other.name);
  if (dependents.length > 0) {
    throw new EngineError(
      "PLUGIN_IN_USE",
      `Plugin "${entry.name}" cannot be disabled: ${dependents.join(", ")} ` +
        `${dependents.length === 1 ? "needs" : "need"} it; disable ${
          dependents.length === 1 ? "that plugin" : "those plugins"
        } first`,
    );
  }
}

/** Dependencies before dependents; a cycle leaves its plugins with an error (not started). */
export function startOrder(entries: ReadonlyMap<string, Entry>): Entry[] {
  const order: Entry[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (entry: Entry, path: string[]) => {
    if (state.get(entry.name) === "done") return;
    if (state.get(entry.name) === "visiting") {
      entry.error = new EngineError(
        "PLUGIN_DEPENDENCY_UNMET",
        `Plugins depend on each other in a cycle: ${[...path, entry.name].join(" → ")}; ` +
          "remove one of these dependencies",
      );
      return;
    }
    state.set(entry.name, "visiting");
    for (const dependency of Object.keys(entry.manifest?.dependencies ?? {})) {
      const other = entries.get(dependency);
      if (other) visit(other, [...path, entry.name]);
    }
    state.set(entry.name, "done");
    order.push(entry);
  };
  for (const entry of entries.values()) visit(entry, []);
  return order;
}
