import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer } from "../../helpers/fixtures.ts";
import { startSmtpServer } from "../../plugins/email/smtp_server.ts";

Deno.test("send a test to me: the real SMTP server gets the rendering, marked as a test, recorded apart", async () => {
  const smtp = await startSmtpServer();
  try {
    await withApi(async (api) => {
      const { id: _id, ...fields } = customer("sup_a", { name: "Peony Cakes" });
      await api.call("PUT", "/api/v1/customers/sup_a", fields);
      const sent = await api.call("POST", "/api/v1/templates/payment_failed/test", {
        customerId: "sup_a",
        to: "me@example.com",
      });
      assertEquals(sent.status, 200, JSON.stringify(sent.body));
      assertEquals([sent.body.channel, sent.body.recipient, sent.body.status], [
        "email",
        "me@example.com",
        "sent",
      ]);
      assertEquals(smtp.received.length, 1);
      const mail = smtp.received[0]!;
      assertEquals(mail.to, ["me@example.com"]);
      assertMatch(mail.parsed.subject ?? "", /^\[Test\] /);
      assert((mail.parsed.text ?? "").includes("Peony Cakes"), mail.parsed.text);
      // Apart from real interventions: nothing planned, nothing counted.
      const [counts] = await api.db.query<{ interventions: number; tests: number }>(
        `select (select count(*)::int from success_interventions) as interventions,
           (select count(*)::int from template_test_sends) as tests`,
      );
      assertEquals([counts?.interventions, counts?.tests], [0, 1]);

      const noAddress = await api.call("POST", "/api/v1/templates/payment_failed/test", {
        customerId: "sup_a",
      });
      assertEquals([noAddress.status, noAddress.body.errors?.[0]?.path], [400, "to"]);
      // No Slack webhook configured: the channel is missing, said plainly.
      const slack = await api.call("POST", "/api/v1/templates/owner_alert/test", {
        customerId: "sup_a",
      });
      assertEquals([slack.status, slack.body.code], [409, "CHANNEL_NOT_CONFIGURED"]);
    }, {
      channels: true,
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        EMAIL_FROM: "Success <success@example.com>",
      },
    });
  } finally {
    await smtp.close();
  }
});

Deno.test("a test the mail server refuses is a 503 with its reason, and is recorded as failed", async () => {
  const smtp = await startSmtpServer({
    rejectRecipients: { code: 550, message: "5.1.1 no such mailbox" },
  });
  try {
    await withApi(async (api) => {
      const { id: _id, ...fields } = customer("sup_a");
      await api.call("PUT", "/api/v1/customers/sup_a", fields);
      const refused = await api.call("POST", "/api/v1/templates/payment_failed/test", {
        customerId: "sup_a",
        to: "nobody@example.com",
      });
      assertEquals([refused.status, refused.body.code], [503, "TEST_SEND_FAILED"]);
      assertMatch(refused.body.detail, /no such mailbox/);
      const [row] = await api.db.query<{ status: string; error: string }>(
        "select status, error from template_test_sends",
      );
      assertEquals(row?.status, "failed");
    }, { channels: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  } finally {
    await smtp.close();
  }
});
