/**
 * Delivery throughput: due sends claimed, rendered, sent to a real SMTP
 * server or webhook receiver on loopback, and recorded — by the engine's
 * Dispatcher exactly as an engine runs it, and one at a time as the baseline.
 */
import { SMTPServer } from "smtp-server";
import type { Db } from "../../engine/db/mod.ts";
import {
  Dispatcher,
  type DispatchPass,
  linkSigner,
  messageBuilder,
} from "../../engine/interventions/mod.ts";
import { silentLogger } from "../../engine/log.ts";
import type { ChannelRegistry } from "../../engine/plugins/mod.ts";

/** A loopback SMTP server that accepts and counts every message (and keeps nothing). */
export async function startSink(): Promise<
  { port: number; messages: () => number; close(): Promise<void> }
> {
  let messages = 0;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        messages++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("the SMTP sink has no port");
  return {
    port: address.port,
    messages: () => messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback webhook receiver that answers 200 and counts. */
export function startReceiver(): { url: string; received: () => number; close(): Promise<void> } {
  let received = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      await request.arrayBuffer();
      received++;
      return new Response("ok");
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/interventions`,
    received: () => received,
    close: () => server.shutdown(),
  };
}

/** One delivery run's figures. */
export interface DeliveryRun {
  channel: string;
  sends: number;
  seconds: number;
  perSecond: number;
  /** Milliseconds per send spent in each step, summed over the passes. */
  perSendMs: { claim: number; render: number; send: number; record: number };
}

/**
 * Delivers every due send with `workers` dispatchers of `batchSize` ×
 * `concurrency` until none is left; the clock is real.
 */
export async function deliverAll(
  db: Db,
  channels: ChannelRegistry,
  options: {
    channel: string;
    sends: number;
    batchSize: number;
    concurrency: number;
    workers: number;
  },
): Promise<DeliveryRun> {
  const signer = await linkSigner(db, new Date());
  const build = messageBuilder(db, {
    signer,
    publicUrl: "http://127.0.0.1:8080",
    now: () => new Date(),
  });
  const passes: DispatchPass[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: options.workers }, async (_, w) => {
    const dispatcher = new Dispatcher({
      db,
      clock: { now: () => new Date() },
      log: silentLogger,
      channel: (kind) => channels.get(kind),
      build,
      worker: `bench-${w}`,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      maxAttempts: 3,
      leaseSeconds: 120,
    });
    for (;;) {
      const pass = await dispatcher.runOnce();
      if (pass.claimed === 0) return;
      passes.push(pass);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const sent = passes.reduce((sum, p) => sum + p.sent, 0);
  if (sent !== options.sends) {
    throw new Error(`${options.channel}: ${sent} of ${options.sends} sends went out`);
  }
  const total = (step: keyof DispatchPass["timings"]) =>
    passes.reduce((sum, p) => sum + p.timings[step], 0) / sent;
  return {
    channel: options.channel,
    sends: sent,
    seconds,
    perSecond: sent / seconds,
    perSendMs: {
      claim: total("claimMs"),
      render: total("buildMs"),
      send: total("sendMs"),
      record: total("recordMs"),
    },
  };
}
