import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { DeliveryError } from "../../../engine/plugins/mod.ts";
import { createEmailChannel, emailSettings } from "../../../plugins/email/mod.ts";
import { outgoingMessage } from "../message.ts";
import { closedPort, startSmtpServer } from "./smtp_server.ts";

const FROM = "Customer Success <success@cs.example>";
const signal = new AbortController().signal;

function channelOn(port: number) {
  const settings = emailSettings({ SMTP_URL: `smtp://127.0.0.1:${port}`, EMAIL_FROM: FROM })!;
  return createEmailChannel({ ...settings, timeoutMs: 2_000 });
}

Deno.test("EmailChannel - sends text and HTML from EMAIL_FROM with one-click unsubscribe", async () => {
  const server = await startSmtpServer();
  const channel = channelOn(server.port);
  try {
    const message = outgoingMessage("email");
    const receipt = await channel.send(message, { signal });
    assertEquals(receipt.status, "sent");

    const [mail] = server.received;
    assert(mail, "the server received nothing");
    assertEquals(mail.to, ["owner@rosepetal.example"]);
    assertEquals(mail.parsed.from?.text, '"Customer Success" <success@cs.example>');
    assertEquals(mail.parsed.subject, "Your gallery is waiting");
    assertEquals(mail.parsed.text?.trim(), message.text);
    assertEquals(mail.parsed.html, message.html);
    assertEquals(
      mail.headerLines.get("list-unsubscribe"),
      "<https://success.example.com/u/sup_rose/email?sig=abc>",
    );
    assertEquals(mail.headerLines.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    assertEquals(mail.headerLines.get("x-cs-intervention-id"), "42");
    assertEquals(mail.headerLines.has("x-cs-test"), false);
    assertEquals(mail.parsed.messageId, receipt.providerMessageId);
    assertMatch(receipt.providerMessageId!, /^<[^<>@\s]+@cs\.example>$/);
  } finally {
    await channel.close?.();
    await server.close();
  }
});

Deno.test("EmailChannel - keeps one Message-ID for every send of one dedup key", async () => {
  const server = await startSmtpServer();
  const channel = channelOn(server.port);
  try {
    const first = await channel.send(outgoingMessage("email"), { signal });
    const retry = await channel.send(outgoingMessage("email"), { signal });
    const other = await channel.send(outgoingMessage("email", { dedupKey: "sup_rose:x@1:w2" }), {
      signal,
    });
    const ids = server.received.map((mail) => mail.parsed.messageId);
    assertEquals(ids, [first.providerMessageId, retry.providerMessageId, other.providerMessageId]);
    assertEquals(ids[0], ids[1]);
    assert(ids[0] !== ids[2]);
    assertEquals(other.providerMessageId, "<sup_rose=3Ax=401=3Aw2@cs.example>");
  } finally {
    await channel.close?.();
    await server.close();
  }
});

Deno.test("EmailChannel - marks a test send in the subject and a header, without unsubscribe", async () => {
  const server = await startSmtpServer();
  const channel = channelOn(server.port);
  try {
    await channel.send(
      outgoingMessage("email", { test: true, links: { unsubscribe: null }, html: null }),
      { signal },
    );
    const [mail] = server.received;
    assertEquals(mail?.parsed.subject, "[Test] Your gallery is waiting");
    assertEquals(mail?.headerLines.get("x-cs-test"), "true");
    assertEquals(mail?.headerLines.has("list-unsubscribe"), false);
    assertEquals(mail?.headerLines.has("list-unsubscribe-post"), false);
    assertEquals(mail?.parsed.html, false);
  } finally {
    await channel.close?.();
    await server.close();
  }
});

Deno.test("EmailChannel - treats a 550 recipient refusal as permanent", async () => {
  const server = await startSmtpServer({
    rejectRecipients: { code: 550, message: "5.1.1 Mailbox unavailable" },
  });
  const channel = channelOn(server.port);
  try {
    const error = await assertRejects(
      () => channel.send(outgoingMessage("email"), { signal }),
      DeliveryError,
    );
    assertEquals(error.retriable, false);
    assertMatch(error.message, /rejected the message for good: 550 5\.1\.1 Mailbox unavailable/);
    assertEquals(server.received, []);
  } finally {
    await channel.close?.();
    await server.close();
  }
});

Deno.test("EmailChannel - treats a 451 recipient deferral as retriable", async () => {
  const server = await startSmtpServer({
    rejectRecipients: { code: 451, message: "4.7.1 Try again later" },
  });
  const channel = channelOn(server.port);
  try {
    const error = await assertRejects(
      () => channel.send(outgoingMessage("email"), { signal }),
      DeliveryError,
    );
    assertEquals(error.retriable, true);
    assertMatch(error.message, /deferred the message: 451 4\.7\.1 Try again later/);
  } finally {
    await channel.close?.();
    await server.close();
  }
});

Deno.test("EmailChannel - treats a server that refuses connections as retriable", async () => {
  const port = closedPort();
  const channel = channelOn(port);
  try {
    const error = await assertRejects(
      () => channel.send(outgoingMessage("email"), { signal }),
      DeliveryError,
    );
    assertEquals(error.retriable, true);
    assertMatch(error.message, new RegExp(`Cannot reach SMTP server 127\\.0\\.0\\.1:${port}`));
  } finally {
    await channel.close?.();
  }
});

Deno.test("EmailChannel - refuses a missing or invalid address without retrying", async () => {
  const server = await startSmtpServer();
  const channel = channelOn(server.port);
  try {
    const base = outgoingMessage("email");
    for (
      const [email, problem] of [
        [null, "the customer has no email address"],
        ["not-an-address", "its email address is not valid"],
        ["two@@example.com", "its email address is not valid"],
        ["a b@example.com", "its email address is not valid"],
      ] as const
    ) {
      const error = await assertRejects(
        () => channel.send({ ...base, customer: { ...base.customer, email } }, { signal }),
        DeliveryError,
      );
      assertEquals(error.retriable, false);
      assertEquals(error.message, `Cannot email customer "sup_rose": ${problem}`);
    }
    assertEquals(server.received, []);
  } finally {
    await channel.close?.();
    await server.close();
  }
});

Deno.test("EmailChannel - reports its health from the SMTP server, without throwing", async () => {
  const server = await startSmtpServer();
  const healthy = channelOn(server.port);
  const down = channelOn(closedPort());
  try {
    assertEquals(await healthy.checkHealth?.(), {
      status: "healthy",
      detail: `SMTP server 127.0.0.1:${server.port} accepted the connection`,
    });
    const report = await down.checkHealth?.();
    assertEquals(report?.status, "unhealthy");
    assertMatch(report!.detail, /Cannot reach SMTP server 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  } finally {
    await healthy.close?.();
    await down.close?.();
    await server.close();
  }
});
