/**
 * A plugin's manifest, `plugin.json`: who it is, which engine versions it
 * works with, what it provides (capabilities) and what it may touch
 * (permissions). The engine grants a plugin exactly what its manifest
 * declares, so the manifest is strict: an unknown key is a typo to fix, not
 * something to ignore.
 */
// @ts-types="npm:@types/semver@7.8.0"
import semver from "semver";
import { z } from "zod";
import { domainEventTypes } from "../events/mod.ts";
import { EngineError } from "../errors.ts";
import { zodIssues } from "../validation.ts";
import { channelKinds } from "./channel.ts";
import { deliveryModes } from "./subscriber.ts";

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const FACT = /^[a-z][a-z0-9_]{0,62}$/;
const ENV = /^[A-Z][A-Z0-9_]{0,127}$/;
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// A host, optionally with a port: what Deno's `--allow-net` takes; "*" for any host (a
// channel whose server is configured, like SMTP_URL's).
const HOST = /^(\*|(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))(:\d{1,5})?)$/;

const pluginName = z.string().regex(NAME, {
  error: "must be lower-case letters, digits and '-', starting with a letter (e.g. my-plugin)",
});

const range = z.string().refine((value) => semver.validRange(value) !== null, {
  error: "must be a semver range, e.g. ^1.0.0 or >=1.2.0 <2.0.0",
});

/** A fact a plugin contributes to the rules' fact catalog. */
const factDeclaration = z.strictObject({
  name: z.string().regex(FACT, {
    error: "must be lower-case letters, digits and '_', starting with a letter",
  }),
  type: z.enum(["number", "boolean", "string"]),
  description: z.string().min(1),
  unit: z.string().min(1).optional(),
});

const sqlName = z.string().regex(SQL_NAME, {
  error: "must be a lower-case SQL name: letters, digits and '_' (e.g. viral_referrals)",
});

/**
 * A table of the engine's database the plugin keeps rows in, that the
 * retention job (DATA_RETENTION_DAYS) empties of rows older than the window:
 * those whose `olderThan` column is before the cutoff (null: kept).
 */
const retentionTable = z.strictObject({
  table: sqlName,
  olderThan: sqlName.describe("a timestamptz column of the table"),
  key: z.array(sqlName).min(1).default(["id"]).describe("the table's primary key columns"),
});

/** The JSON Schema of the plugin's own configuration (an object at its top). */
const configSchema = z.looseObject({ type: z.literal("object") });

const manifestSchema = z.strictObject({
  name: pluginName,
  version: z.string().refine((value) => semver.valid(value) !== null, {
    error: "must be a semantic version, e.g. 1.0.0",
  }),
  description: z.string().min(1).max(500),
  engine: range,
  dependencies: z.record(pluginName, range).default({}),
  capabilities: z.strictObject({
    channels: z.array(z.enum(channelKinds)).default([]),
    subscriptions: z.array(z.enum(domainEventTypes)).default([]),
    delivery: z.enum(deliveryModes, {
      error: 'must be "durable" (each event once, in one engine, retried, replayable) or ' +
        '"every-engine" (live, in every engine, nothing kept)',
    }).default("durable"),
    facts: z.array(factDeclaration).default([]),
    routes: z.boolean().default(false),
    health: z.boolean().default(false),
    // Keeps data about customers: it must answer privacy requests (exportCustomer, eraseCustomer).
    personalData: z.boolean().default(false),
  }),
  permissions: z.strictObject({
    net: z.array(z.string().regex(HOST, { error: 'must be a host, host:port, or "*" for any' }))
      .default([]),
    env: z.array(
      z.string().regex(ENV, {
        error: "must be an environment variable name in capitals, e.g. VIRAL_API_ENDPOINT",
      }),
    ).default([]),
  }).default({ net: [], env: [] }),
  retention: z.array(retentionTable).default([]),
  config: configSchema.optional(),
});

/** A table the retention job empties of old rows for a plugin. */
export type PluginRetentionTable = z.output<typeof retentionTable>;

/** A checked `plugin.json`. */
export type PluginManifest = z.output<typeof manifestSchema>;

/** What a manifest file looks like before defaults are filled in. */
export type PluginManifestInput = z.input<typeof manifestSchema>;

/**
 * Checks a parsed `plugin.json`; throws PLUGIN_INVALID naming the file and
 * each bad field (its JSON path) when it is wrong.
 */
export function parseManifest(json: unknown, source: string): PluginManifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new EngineError(
      "PLUGIN_INVALID",
      `${source} is not a valid plugin manifest: ` +
        issues.map((i) => `${i.path || "(top)"}: ${i.message}`).join("; "),
      { issues },
    );
  }
  const manifest = result.data;
  const problem = crossFieldProblem(manifest);
  if (problem) {
    throw new EngineError("PLUGIN_INVALID", `${source} ${problem.message}`, {
      issues: [{ path: problem.path, message: problem.issue }],
    });
  }
  return manifest;
}

/** What the schema cannot see field by field: a fact declared twice, a delivery with nothing to deliver. */
function crossFieldProblem(
  manifest: PluginManifest,
): { path: string; issue: string; message: string } | null {
  const { facts, delivery, subscriptions } = manifest.capabilities;
  const names = facts.map((f) => f.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    return {
      path: "capabilities.facts",
      issue: `"${twice}" is declared twice`,
      message: `declares the fact "${twice}" twice; give each fact its own name`,
    };
  }
  // Most likely the subscriptions went somewhere else: say so rather than start a plugin that gets nothing.
  if (delivery === "every-engine" && subscriptions.length === 0) {
    return {
      path: "capabilities.delivery",
      issue: "needs capabilities.subscriptions: it says how those events are delivered",
      message: 'asks for "every-engine" delivery but subscribes to no events; list them in ' +
        "capabilities.subscriptions, or remove capabilities.delivery",
    };
  }
  return null;
}

/** Whether `engineVersion` is one the manifest says the plugin works with. */
export function supportsEngine(manifest: PluginManifest, engineVersion: string): boolean {
  return semver.satisfies(engineVersion, manifest.engine, { includePrerelease: true });
}

/** Whether `version` of a plugin satisfies a dependency's range. */
export function satisfiesRange(version: string, wanted: string): boolean {
  return semver.satisfies(version, wanted, { includePrerelease: true });
}
