import { assertEquals, assertRejects } from "../../../helpers/assert.ts";
import { DeliveryError } from "../../../../engine/plugins/mod.ts";
import { noSignal, startFixture, webhookMessage } from "./helpers.ts";

Deno.test("a channel registered in a sandbox delivers through the engine-side proxy", async () => {
  const { plugin, lines } = await startFixture("courier");
  try {
    assertEquals(plugin.channels.map((c) => [c.id, c.kind]), [["courier", "webhook"]]);
    const [courier] = plugin.channels;
    const receipt = await courier!.send(
      webhookMessage({ id: "sup_1", email: "hello@bloom.test" }),
      { signal: noSignal },
    );
    assertEquals(receipt, { status: "sent", providerMessageId: "courier-dedup-sup_1" });
    assertEquals(await courier!.checkHealth?.(), {
      status: "healthy",
      detail: "the courier API answers",
    });
    const registered = lines.find((line) => line.message === "channel registered");
    assertEquals([registered?.plugin, registered?.channel], ["courier", "courier"]);
  } finally {
    await plugin.stop();
  }
});

Deno.test("a sandboxed channel's DeliveryError keeps its message and whether a retry can help", async () => {
  const { plugin } = await startFixture("courier");
  try {
    const [courier] = plugin.channels;
    const refused = await assertRejects(
      () => courier!.send(webhookMessage({ id: "sup_2", email: null }), { signal: noSignal }),
      DeliveryError,
    );
    assertEquals([refused.message, refused.retriable], [
      "Customer sup_2 has no address to send to",
      false,
    ]);
    const flaky = await assertRejects(
      () =>
        courier!.send(webhookMessage({ id: "sup_flaky", email: "a@b.test" }), { signal: noSignal }),
      DeliveryError,
    );
    assertEquals([flaky.message, flaky.retriable], ["The courier API answered 503", true]);
  } finally {
    await plugin.stop();
  }
});

Deno.test("a sandboxed channel whose plugin is stopped fails with a retriable DeliveryError", async () => {
  const { plugin } = await startFixture("courier");
  const [courier] = plugin.channels;
  await plugin.stop();
  const error = await assertRejects(
    () => courier!.send(webhookMessage({ id: "sup_1", email: "a@b.test" }), { signal: noSignal }),
    DeliveryError,
  );
  assertEquals([error.message, error.retriable], ['Plugin "courier" is stopped', true]);
  assertEquals(await courier!.checkHealth?.(), {
    status: "unhealthy",
    detail: 'the health check failed: Plugin "courier" is stopped',
  });
});
