import { assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { DeliveryError } from "../../../engine/plugins/mod.ts";
import { createSlackChannel, slackSettings } from "../../../plugins/slack/mod.ts";
import { startHttpReceiver } from "../http_receiver.ts";
import { outgoingMessage } from "../message.ts";

const signal = new AbortController().signal;

function channelFor(url: string, timeoutMs = 2_000) {
  return createSlackChannel({
    ...slackSettings({ SLACK_INTERVENTION_WEBHOOK_URL: url })!,
    timeoutMs,
  });
}

Deno.test("SlackChannel - posts the markdown text as JSON to the incoming webhook", async () => {
  const receiver = startHttpReceiver();
  try {
    const receipt = await channelFor(receiver.url).send(outgoingMessage("slack"), { signal });
    assertEquals(receipt, { status: "sent", providerMessageId: null });
    const [request] = receiver.received;
    assertEquals(request?.method, "POST");
    assertEquals(request?.headers.get("content-type"), "application/json");
    assertEquals(JSON.parse(request!.body), {
      text: "Hi *Rose Petal Florists*, upload a gallery.",
    });
  } finally {
    await receiver.close();
  }
});

Deno.test("SlackChannel - prefixes a test send with [Test]", async () => {
  const receiver = startHttpReceiver();
  try {
    await channelFor(receiver.url).send(outgoingMessage("slack", { test: true }), { signal });
    assertEquals(
      JSON.parse(receiver.received[0]!.body).text,
      "[Test] Hi *Rose Petal Florists*, upload a gallery.",
    );
  } finally {
    await receiver.close();
  }
});

Deno.test("SlackChannel - retries after 429 and 5xx, not after other 4xx", async () => {
  const receiver = startHttpReceiver();
  const channel = channelFor(receiver.url);
  try {
    for (
      const [status, retriable] of [[429, true], [500, true], [503, true], [400, false], [
        404,
        false,
      ], [410, false]] as const
    ) {
      receiver.answer(status);
      const error = await assertRejects(
        () => channel.send(outgoingMessage("slack"), { signal }),
        DeliveryError,
      );
      assertEquals([status, error.retriable], [status, retriable]);
      assertMatch(error.message, new RegExp(`^Slack answered ${status} .*: no_service$`));
      // The webhook URL is the credential: it never shows in an error.
      assertEquals(error.message.includes("secret-token"), false);
    }
  } finally {
    await receiver.close();
  }
});

Deno.test("SlackChannel - gives up on a receiver that never answers, as retriable", async () => {
  const receiver = startHttpReceiver();
  receiver.answer("hang");
  try {
    const error = await assertRejects(
      () => channelFor(receiver.url, 200).send(outgoingMessage("slack"), { signal }),
      DeliveryError,
    );
    assertEquals(error.retriable, true);
    assertEquals(error.message, "Slack did not answer within 200 ms");
  } finally {
    await receiver.close();
  }
});

Deno.test("SlackChannel - stops when the send is cancelled, as retriable", async () => {
  const receiver = startHttpReceiver();
  receiver.answer("hang");
  const controller = new AbortController();
  try {
    const sending = channelFor(receiver.url, 5_000).send(outgoingMessage("slack"), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const error = await assertRejects(() => sending, DeliveryError);
    assertEquals([error.retriable, error.message], [true, "The send to Slack was cancelled"]);
  } finally {
    await receiver.close();
  }
});

Deno.test("slack plugin - has no channel without SLACK_INTERVENTION_WEBHOOK_URL", () => {
  assertEquals(
    slackSettings({ SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/a/b/c" }),
    null,
  );
});
