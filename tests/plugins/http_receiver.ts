/**
 * The channel tests' receiver: the plugin harness's loopback peer, at a
 * Slack-like path (the path is the credential there).
 */
import { type LoopbackPeer, startLoopbackPeer } from "../../engine/plugins/testing/mod.ts";

export type {
  PeerAnswer as ReceiverAnswer,
  ReceivedRequest,
} from "../../engine/plugins/testing/mod.ts";

/** A running receiver. */
export type HttpReceiver = LoopbackPeer;

/** Starts a receiver on 127.0.0.1 on a free port. */
export function startHttpReceiver(): HttpReceiver {
  return startLoopbackPeer("/hooks/T000/B000/secret-token");
}
