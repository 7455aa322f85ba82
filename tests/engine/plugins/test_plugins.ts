/** First-party-style plugins for the host and API tests, built from a manifest and hooks. */
import {
  type Channel,
  firstParty,
  type FirstPartyPlugin,
  type PluginDefinition,
} from "../../../engine/plugins/mod.ts";

/** A plugin named `name` with `definition`; `manifest` overrides plugin.json fields. */
export function testPlugin<S>(
  name: string,
  definition: PluginDefinition<S>,
  manifest: Record<string, unknown> = {},
): FirstPartyPlugin {
  return firstParty(
    {
      name,
      version: "1.0.0",
      description: `The ${name} test plugin`,
      engine: "^1.0.0",
      capabilities: {},
      ...manifest,
    },
    definition,
    `tests/${name}`,
  );
}

/** A webhook channel that records what it was sent. */
export function recordingChannel(id: string, sent: string[] = []): Channel {
  return {
    id,
    kind: "webhook",
    send(message) {
      sent.push(message.interventionId);
      return Promise.resolve({ status: "sent", providerMessageId: null });
    },
  };
}
