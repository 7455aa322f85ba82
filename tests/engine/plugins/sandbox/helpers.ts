/**
 * Starting the fixture plugins of this folder in their sandbox, with a
 * logger that keeps the lines the plugin logs, and building the events and
 * messages the engine would hand them.
 */
import { createLogger } from "../../../../engine/log.ts";
import {
  type OutgoingMessage,
  parseManifest,
  type PluginEvent,
  type PluginManifest,
  type RunningPlugin,
  type SandboxedPluginOptions,
  startSandboxedPlugin,
} from "../../../../engine/plugins/mod.ts";

/** The absolute folder of a fixture plugin. */
export function fixtureFolder(name: string): string {
  return new URL(`./fixtures/${name}`, import.meta.url).pathname;
}

/** A fixture's checked plugin.json. */
export async function fixtureManifest(name: string): Promise<PluginManifest> {
  const path = `${fixtureFolder(name)}/plugin.json`;
  return parseManifest(JSON.parse(await Deno.readTextFile(path)), path);
}

/** A log line as the engine's logger wrote it. */
export type LogLine = Record<string, unknown>;

/** Options of startFixture beyond startSandboxedPlugin's own. */
export interface FixtureOptions extends Partial<SandboxedPluginOptions> {
  /** Changes the fixture's manifest (a port known only at run time). */
  edit?: (manifest: PluginManifest) => PluginManifest;
}

/** Starts a fixture plugin in its sandbox; `lines` collects what its logger writes. */
export async function startFixture(
  name: string,
  options: FixtureOptions = {},
): Promise<{ plugin: RunningPlugin; lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  const { edit, ...rest } = options;
  const manifest = await fixtureManifest(name);
  const plugin = await startSandboxedPlugin({
    directory: fixtureFolder(name),
    manifest: edit ? edit(manifest) : manifest,
    config: {},
    log,
    ...rest,
  });
  return { plugin, lines };
}

/** A fast restart policy, so tests see restarts in milliseconds. */
export const quickRestarts = {
  initialDelayMs: 20,
  maxDelayMs: 100,
  maxCrashes: 5,
  windowMs: 60_000,
  cooldownMs: 60_000,
};

/** A milestone.achieved event with `payload`. */
export function milestone(id: number, payload: Record<string, unknown> = {}): PluginEvent {
  return {
    id,
    type: "milestone.achieved",
    customerId: "sup_1",
    payload,
    occurredAt: "2026-06-15T12:00:00.000Z",
    recordedAt: "2026-06-15T12:00:01.000Z",
  };
}

/** A rendered webhook message for `customer`. */
export function webhookMessage(
  customer: { id: string; email: string | null },
): OutgoingMessage {
  return {
    interventionId: "int_1",
    dedupKey: `dedup-${customer.id}`,
    channel: "webhook",
    customer: { ...customer, name: "Bloom & Co", timeZone: "Europe/London", locale: "en-GB" },
    subject: null,
    html: null,
    text: "Your first booking is in: well done!",
    links: { unsubscribe: null },
    test: false,
    source: { ruleId: "first-booking", templateId: "congrats", templateVersion: 1 },
  };
}

/** A signal that never aborts. */
export const noSignal: AbortSignal = new AbortController().signal;

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
