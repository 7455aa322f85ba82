/**
 * `deno task plugin:new NAME`: a new plugin folder that works from the first
 * minute: a manifest that declares what the code uses, a module with one
 * event handler, one route and a health check, a test that passes against
 * the test harness, and a README to fill in. Imports point at this engine's
 * files by relative path, so the folder runs from PLUGINS_DIR as it is.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { EngineError } from "../errors.ts";
import { ENGINE_VERSION } from "../version.ts";

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The files written, relative to the new folder. */
export const scaffoldFiles = ["plugin.json", "mod.ts", "mod_test.ts", "README.md"] as const;

/**
 * Writes the plugin `name` into `<parent>/<name>/`; returns the folder.
 * Throws VALIDATION_FAILED for a bad name or a folder that exists (nothing
 * is overwritten).
 */
export async function scaffoldPlugin(
  name: string,
  parent: string,
  engineRoot: string,
): Promise<string> {
  if (!NAME.test(name)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `"${name}" cannot be a plugin name: use lower-case letters, digits and '-', starting ` +
        "with a letter (e.g. crm-sync)",
    );
  }
  const folder = resolve(parent, name);
  if (existsSync(folder)) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `${folder} exists already; choose another name or remove it first`,
    );
  }
  // Forward slashes: these are module specifiers, not file paths.
  const engine = relative(folder, resolve(engineRoot, "engine/plugins")).replaceAll("\\", "/");
  const files: Record<(typeof scaffoldFiles)[number], string> = {
    "plugin.json": manifestOf(name),
    "mod.ts": moduleOf(name, engine),
    "mod_test.ts": testOf(name, engine),
    "README.md": readmeOf(name),
  };
  await Deno.mkdir(folder, { recursive: true });
  for (const file of scaffoldFiles) await Deno.writeTextFile(join(folder, file), files[file]);
  return folder;
}

function manifestOf(name: string): string {
  const [major] = ENGINE_VERSION.split(".");
  return JSON.stringify(
    {
      name,
      version: "0.1.0",
      description: `What ${name} does, in one sentence`,
      engine: `^${major}.0.0`,
      capabilities: { subscriptions: ["health.changed"], routes: true, health: true },
      permissions: { net: [], env: [] },
      config: {
        type: "object",
        properties: {
          minDrop: {
            type: "number",
            minimum: 0,
            default: 10,
            description: "Points a health score must fall by to count as a drop",
          },
        },
        additionalProperties: false,
      },
    },
    null,
    2,
  ) + "\n";
}

function moduleOf(name: string, engine: string): string {
  return `/**
 * The ${name} plugin: counts the health drops it is told about and shows the
 * count at GET /plugins/${name}/drops. Replace this with what yours does.
 */
import { definePlugin } from "${engine}/sdk.ts";

export default definePlugin({
  setup(context) {
    const minDrop = Number(context.config.minDrop);
    let drops = 0;
    return {
      on: {
        // Delivered at least once: make what you do safe to repeat.
        "health.changed": (event) => {
          const score = Number(event.payload.score);
          const previous = event.payload.previousScore;
          if (typeof previous === "number" && previous - score >= minDrop) drops++;
          return Promise.resolve();
        },
      },
      routes(app) {
        app.get("/drops", (c) => c.json({ drops }));
      },
      health: () => Promise.resolve({ status: "healthy", detail: \`\${drops} drops seen\` }),
    };
  },
});
`;
}

function testOf(name: string, engine: string): string {
  return `import manifest from "./plugin.json" with { type: "json" };
import definition from "./mod.ts";
import { firstParty } from "${engine}/mod.ts";
import { startPluginForTest } from "${engine}/testing/mod.ts";

Deno.test("${name} counts a health drop and shows it", async () => {
  const run = await startPluginForTest({ plugin: firstParty(manifest, definition, "${name}") });
  try {
    await run.emit({
      type: "health.changed",
      customerId: "sup_1",
      payload: { score: 40, previousScore: 70 },
    });
    await run.emit({
      type: "health.changed",
      customerId: "sup_2",
      payload: { score: 68, previousScore: 70 },
    });
    const response = await run.request("/drops");
    const body = await response.json();
    if (response.status !== 200 || body.drops !== 1) {
      throw new Error(\`expected 1 drop, got \${response.status} \${JSON.stringify(body)}\`);
    }
  } finally {
    await run.stop();
  }
});
`;
}

function readmeOf(name: string): string {
  return `# ${name}

What it does, for whom, and why.

- **Events it handles:** \`health.changed\` (see docs/events.md for the payload).
- **Routes:** \`GET /plugins/${name}/drops\`: the health drops counted since it started.
- **Configuration** (\`PUT /api/v1/plugins/${name}\`, checked against plugin.json's \`config\`):
  \`minDrop\` (default 10), the points a score must fall by to count.
- **Permissions:** none. Add the hosts it calls to \`permissions.net\` and the environment
  variables it reads to \`permissions.env\`: it gets nothing else.

Test it with \`deno test -A ${name}/\`; run it by putting this folder in \`PLUGINS_DIR\`.
`;
}
