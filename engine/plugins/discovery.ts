/**
 * Finding the plugins in PLUGINS_DIR: each folder with a plugin.json and a
 * mod.ts. A folder that is not a valid plugin is reported with what is wrong
 * instead of stopping the engine: one bad plugin must not take down the rest.
 */
import { join, resolve } from "node:path";
import { EngineError, isEngineError } from "../errors.ts";
import { parseManifest, type PluginManifest } from "./manifest.ts";

/** A folder of PLUGINS_DIR: its checked manifest, or why it cannot be loaded. */
export type DiscoveredPlugin =
  | { folder: string; directory: string; manifest: PluginManifest; error: null }
  | { folder: string; directory: string; manifest: null; error: EngineError };

/** The plugin folders of `root` in name order; throws CONFIG_INVALID when `root` is not a folder. */
export async function discoverPlugins(root: string): Promise<DiscoveredPlugin[]> {
  const base = resolve(root);
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(base));
  } catch (error) {
    throw new EngineError(
      "CONFIG_INVALID",
      `PLUGINS_DIR: cannot read the folder ${base} (${messageOf(error)}); ` +
        "set it to a folder of plugin folders, or unset it",
      { cause: error },
    );
  }
  const folders = entries.filter((e) => e.isDirectory && !e.name.startsWith(".")).map((e) => e.name)
    .sort();
  return await Promise.all(folders.map((folder) => readPluginFolder(join(base, folder), folder)));
}

async function readPluginFolder(directory: string, folder: string): Promise<DiscoveredPlugin> {
  const source = `${folder}/plugin.json`;
  try {
    let text: string;
    try {
      text = await Deno.readTextFile(join(directory, "plugin.json"));
    } catch {
      throw invalid(`${folder} has no plugin.json; a plugin folder holds plugin.json and mod.ts`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalid(`${source} is not JSON: ${messageOf(error)}`);
    }
    const manifest = parseManifest(json, source);
    try {
      await Deno.stat(join(directory, "mod.ts"));
    } catch {
      throw invalid(`${folder} has no mod.ts; its default export is the plugin (definePlugin)`);
    }
    return { folder, directory, manifest, error: null };
  } catch (error) {
    if (!isEngineError(error)) throw error;
    return { folder, directory, manifest: null, error };
  }
}

function invalid(message: string): EngineError {
  return new EngineError("PLUGIN_INVALID", `Cannot register the plugin in ${message}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
