/**
 * Testing plugins: run one against a fake event stream and call its routes
 * (`startPluginForTest`), with a real HTTP endpoint on loopback for what it
 * calls (`startLoopbackPeer`). docs/plugins.md shows a whole test.
 *
 * @example
 * ```ts
 * const peer = startLoopbackPeer();
 * const run = await startPluginForTest({ plugin, env: { MY_ENDPOINT: peer.url } });
 * await run.emit({ type: "milestone.achieved", customerId: "sup_1" });
 * await peer.waitFor(1);
 * ```
 */
export {
  type PluginTestOptions,
  type PluginTestRun,
  startPluginForTest,
  type TestEvent,
} from "./harness.ts";
export {
  type LoopbackPeer,
  type PeerAnswer,
  type ReceivedRequest,
  startLoopbackPeer,
} from "./loopback_peer.ts";
