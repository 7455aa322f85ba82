/**
 * `deno task layers`: keeps dependencies pointing one way (STYLE.md §1).
 * engine/ imports no plugin and no command; one engine folder uses another
 * only through its mod.ts; heavy packages stay where they are used.
 */

/** One broken rule: the importing file, what it imports, and why that is not allowed. */
export interface LayerViolation {
  file: string;
  specifier: string;
  rule: string;
}

/** Where each package may be imported (path prefixes relative to the project). */
const packageHomes: Record<string, string[]> = {
  "@electric-sql/pglite": ["engine/db/"],
  "postgres": ["engine/db/"],
  // Plugins add routes as a Hono sub-app (DESIGN.md: Plugins).
  "hono": ["engine/api/", "engine/console/", "engine/plugins/", "plugins/"],
  "@hono/zod-openapi": ["engine/api/", "plugins/"],
  "csv-parse": ["cli/", "engine/ml/"],
  "swagger-ui-dist": ["engine/api/routes/docs.ts"],
  "croner": ["engine/cron_expression.ts"],
  // The reference semantics: evaluated only through reference.ts (fallback rules, tests).
  "json-rules-engine": ["engine/rules/reference.ts"],
  "nodemailer": ["plugins/email/"],
  // Test doubles of a real SMTP server and a mail parser: tests only.
  "smtp-server": ["tests/"],
  "mailparser": ["tests/"],
  "onnxruntime-node": ["engine/ml/"],
  "onnx-proto": ["engine/ml/"],
  "handlebars": ["engine/interventions/templates/"],
  // One telemetry module (STYLE.md §11): the rest of the engine uses engine/ops/mod.ts.
  "@opentelemetry/api": ["engine/ops/"],
};

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every violation in the TypeScript (and TSX) files under `root`'s engine/, plugins/ and cli/. */
export async function findLayerViolations(root: string): Promise<LayerViolation[]> {
  const violations: LayerViolation[] = [];
  for (const dir of ["engine", "plugins", "cli"]) {
    for await (const file of walk(`${root}/${dir}`)) {
      const relative = file.slice(root.length + 1);
      const text = await Deno.readTextFile(file);
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2]!;
        const rule = check(relative, specifier);
        if (rule) violations.push({ file: relative, specifier, rule });
      }
    }
  }
  return violations;
}

function check(file: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) {
    const pkg = Object.keys(packageHomes).find((p) =>
      specifier === p || specifier.startsWith(`${p}/`)
    );
    if (pkg && !packageHomes[pkg]!.some((home) => file.startsWith(home))) {
      return `${pkg} may only be imported under ${packageHomes[pkg]!.join(", ")}`;
    }
    return null;
  }
  const target = resolve(file, specifier);
  if (file.startsWith("plugins/")) return pluginImportRule(file, target);
  if (file.startsWith("engine/")) {
    if (target.startsWith("plugins/")) return "engine/ must not import plugins";
    if (target.startsWith("cli/") || target === "main.ts") {
      return "engine/ must not import commands";
    }
    const [, fromFolder] = file.split("/");
    const parts = target.split("/");
    const isFolderFile = parts[0] === "engine" && parts.length > 2;
    if (
      isFolderFile && parts[1] !== fromFolder && parts.at(-1) !== "mod.ts" &&
      !file.endsWith(".json")
    ) {
      return `use engine/${parts[1]}/mod.ts, not its inner files`;
    }
  }
  return null;
}

/**
 * A plugin uses the engine only through what it exports to everyone (a
 * folder's mod.ts, the plugin SDK, or a top-level module such as errors.ts), as a
 * third-party plugin would, and never another plugin's files; plugins/mod.ts
 * lists the plugins.
 */
function pluginImportRule(file: string, target: string): string | null {
  const parts = target.split("/");
  // sdk.ts: the contract alone, light enough for a plugin's sandbox (docs/plugins.md).
  const sdk = target === "engine/plugins/sdk.ts";
  if (parts[0] === "engine" && parts.length > 2 && parts.at(-1) !== "mod.ts" && !sdk) {
    return `plugins use engine/${parts[1]}/mod.ts, not its inner files`;
  }
  if (parts[0] === "cli" || target === "main.ts") return "plugins must not import commands";
  const [, fromPlugin] = file.split("/");
  const isPluginFile = parts[0] === "plugins" && parts.length > 2;
  if (file !== "plugins/mod.ts" && isPluginFile && parts[1] !== fromPlugin) {
    return `a plugin must not import another plugin (plugins/${parts[1]}/)`;
  }
  return null;
}

function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.name.endsWith(".ts") || entry.name.endsWith(".tsx")) yield path;
  }
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  const violations = await findLayerViolations(root);
  for (const v of violations) console.error(`${v.file}: imports "${v.specifier}": ${v.rule}`);
  if (violations.length > 0) Deno.exit(1);
  console.log("layers: every import points the right way");
}
