import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { DeliveryError } from "../../../engine/plugins/mod.ts";
import {
  createWebhookChannel,
  verifyWebhookSignature,
  webhookSettings,
} from "../../../plugins/webhook/mod.ts";
import { closedPort } from "../email/smtp_server.ts";
import { startHttpReceiver } from "../http_receiver.ts";
import { outgoingMessage } from "../message.ts";

const SECRET = "whsec_0123456789abcdef";
const SENT_AT = new Date("2026-06-15T12:00:00.000Z");
const signal = new AbortController().signal;

function channelFor(url: string, timeoutMs = 2_000) {
  const settings = webhookSettings({
    INTERVENTION_WEBHOOK_URL: url,
    INTERVENTION_WEBHOOK_SECRET: SECRET,
  })!;
  return createWebhookChannel({ ...settings, timeoutMs }, { now: () => SENT_AT });
}

Deno.test("WebhookChannel - posts the intervention as signed JSON with an idempotency key", async () => {
  const receiver = startHttpReceiver();
  try {
    const message = outgoingMessage("webhook");
    const receipt = await channelFor(receiver.url).send(message, { signal });
    assertEquals(receipt, { status: "sent", providerMessageId: null });

    const [request] = receiver.received;
    assert(request, "nothing arrived");
    assertEquals(request.headers.get("content-type"), "application/json");
    assertEquals(request.headers.get("idempotency-key"), message.dedupKey);
    assertEquals(request.headers.get("x-cs-timestamp"), String(SENT_AT.getTime() / 1000));
    assertMatch(request.headers.get("x-cs-signature")!, /^sha256=[0-9a-f]{64}$/);
    assertEquals(JSON.parse(request.body), {
      id: "42",
      dedupKey: message.dedupKey,
      test: false,
      customer: { id: "sup_rose", name: "Rose Petal Florists" },
      channel: "webhook",
      subject: null,
      text: message.text,
      html: null,
      source: message.source,
      sentAt: "2026-06-15T12:00:00.000Z",
    });

    const verify = (body: string, options = { now: SENT_AT }) =>
      verifyWebhookSignature(
        SECRET,
        request.headers.get("x-cs-timestamp")!,
        body,
        request.headers.get("x-cs-signature")!,
        options,
      );
    assertEquals(await verify(request.body), true);
    assertEquals(await verify(request.body.replace("Rose Petal", "Rose Pedal")), false);
    // Replayed ten minutes later: outside the default five-minute tolerance.
    assertEquals(await verify(request.body, { now: new Date(SENT_AT.getTime() + 600_000) }), false);
  } finally {
    await receiver.close();
  }
});

Deno.test("verifyWebhookSignature() rejects another secret, a moved timestamp and malformed headers", async () => {
  const receiver = startHttpReceiver();
  try {
    await channelFor(receiver.url).send(outgoingMessage("webhook"), { signal });
    const { headers, body } = receiver.received[0]!;
    const timestamp = headers.get("x-cs-timestamp")!;
    const signature = headers.get("x-cs-signature")!;
    const now = SENT_AT;
    assertEquals(await verifyWebhookSignature(SECRET, timestamp, body, signature, { now }), true);
    assertEquals(
      await verifyWebhookSignature("another-secret-value", timestamp, body, signature, { now }),
      false,
    );
    assertEquals(
      await verifyWebhookSignature(SECRET, String(Number(timestamp) + 1), body, signature, { now }),
      false,
    );
    for (
      const bad of ["", "sha256=", signature.slice(7), "sha1=" + signature.slice(7), "sha256=zz"]
    ) {
      assertEquals(await verifyWebhookSignature(SECRET, timestamp, body, bad, { now }), false, bad);
    }
    assertEquals(
      await verifyWebhookSignature(SECRET, timestamp, body, signature, {
        now: new Date(SENT_AT.getTime() + 600_000),
        toleranceSeconds: 900,
      }),
      true,
    );
  } finally {
    await receiver.close();
  }
});

Deno.test("WebhookChannel - retries after 429 and 5xx, not after other 4xx", async () => {
  const receiver = startHttpReceiver();
  const channel = channelFor(receiver.url);
  try {
    for (
      const [status, retriable] of [[500, true], [502, true], [429, true], [400, false], [
        401,
        false,
      ], [422, false]] as const
    ) {
      receiver.answer(status);
      const error = await assertRejects(
        () => channel.send(outgoingMessage("webhook"), { signal }),
        DeliveryError,
      );
      assertEquals([status, error.retriable], [status, retriable]);
      assertMatch(error.message, new RegExp(`^The webhook receiver answered ${status} `));
    }
  } finally {
    await receiver.close();
  }
});

Deno.test("WebhookChannel - gives up on a receiver that never answers, as retriable", async () => {
  const receiver = startHttpReceiver();
  receiver.answer("hang");
  try {
    const error = await assertRejects(
      () => channelFor(receiver.url, 200).send(outgoingMessage("webhook"), { signal }),
      DeliveryError,
    );
    assertEquals(error.retriable, true);
    assertEquals(error.message, "The webhook receiver did not answer within 200 ms");
  } finally {
    await receiver.close();
  }
});

Deno.test("WebhookChannel - treats an unreachable receiver as retriable, without showing its URL", async () => {
  const url = `http://127.0.0.1:${closedPort()}/hooks/secret-token`;
  const error = await assertRejects(
    () => channelFor(url).send(outgoingMessage("webhook"), { signal }),
    DeliveryError,
  );
  assertEquals(error.retriable, true);
  assertMatch(error.message, /^Cannot reach the webhook receiver: /);
  assertEquals(error.message.includes("secret-token"), false, error.message);
});

Deno.test("webhookSettings() needs the secret with the URL, and is null without the URL", () => {
  assertEquals(webhookSettings({ INTERVENTION_WEBHOOK_SECRET: SECRET }), null);
  const error = assertThrows(
    () => webhookSettings({ INTERVENTION_WEBHOOK_URL: "https://crm.example.com/hooks" }),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues.map((i) => i.path), ["INTERVENTION_WEBHOOK_SECRET"]);
  assertMatch(
    error.message,
    /INTERVENTION_WEBHOOK_SECRET: must be set when INTERVENTION_WEBHOOK_URL is set/,
  );
  const short = assertThrows(
    () =>
      webhookSettings({
        INTERVENTION_WEBHOOK_URL: "https://crm.example.com/hooks",
        INTERVENTION_WEBHOOK_SECRET: "too-short",
      }),
    EngineError,
  );
  assertEquals(short.issues, [{
    path: "INTERVENTION_WEBHOOK_SECRET",
    message: "must be at least 16 characters (e.g. openssl rand -hex 32)",
  }]);
  assertEquals(short.message.includes("too-short"), false);
});
