import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { dueSends } from "../../helpers/interventions.ts";
import { startSmtpServer } from "../../plugins/email/smtp_server.ts";
import { Dispatcher, linkSigner, messageBuilder } from "../../../engine/interventions/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import { loadChannelPlugins } from "../../../engine/plugins/mod.ts";
import { loadConfig } from "../../../engine/config.ts";
import { firstPartyChannelPlugins } from "../../../plugins/mod.ts";

const noAuth = { authorization: "" };

Deno.test("an email's links go through signed redirects and its pixel records the first open", async () => {
  const smtp = await startSmtpServer();
  try {
    await withApi(async (api) => {
      await dueSends(api.db, 1, { channel: "email", template: "onboarding_nudge" });
      const channels = await loadChannelPlugins(firstPartyChannelPlugins, {
        config: loadConfig({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` }),
        db: api.db,
        log: silentLogger,
      });
      try {
        const dispatcher = new Dispatcher({
          db: api.db,
          clock: { now: () => NOW },
          log: silentLogger,
          channel: (kind) => channels.get(kind),
          build: messageBuilder(api.db, {
            signer: await linkSigner(api.db, NOW),
            publicUrl: "http://127.0.0.1:8080",
            now: () => NOW,
          }),
          worker: "w",
          batchSize: 10,
          concurrency: 1,
          maxAttempts: 3,
          leaseSeconds: 60,
        });
        assertEquals((await dispatcher.runOnce()).sent, 1);
      } finally {
        await channels.closeAll();
      }
      const html = String(smtp.received[0]!.parsed.html);
      const clicks = [...html.matchAll(/href="http:\/\/127\.0\.0\.1:8080(\/t\/c\/[^"]+)"/g)];
      assert(clicks.length > 0, html);
      assert(html.includes("/unsubscribe/"), "the unsubscribe link stays as it is");
      const pixel = /src="http:\/\/127\.0\.0\.1:8080(\/t\/o\/[^"]+)"/.exec(html)?.[1];
      assert(pixel !== undefined, "the open pixel is in the HTML part");

      // Opening twice keeps the first time; both events are kept.
      const opened = await api.call("GET", pixel, undefined, noAuth);
      assertEquals([opened.status, opened.headers.get("content-type")], [200, "image/gif"]);
      await api.call("GET", pixel, undefined, noAuth);
      const click = await api.call("GET", clicks[0]![1]!, undefined, noAuth);
      assertEquals(click.status, 302);
      assertMatch(click.headers.get("location")!, /^https?:\/\//);
      const [intervention] = (await api.call("GET", "/api/v1/interventions")).body.items;
      assertEquals([intervention.openedAt, intervention.clickedAt], [
        NOW.toISOString(),
        NOW.toISOString(),
      ]);
      const events = await api.db.query<{ kind: string; source: string }>(
        "select kind, source from intervention_outcomes order by id",
      );
      assertEquals(events.map((e) => `${e.kind}:${e.source}`), [
        "opened:pixel",
        "opened:pixel",
        "clicked:link",
      ]);

      // A forged redirect goes nowhere: the engine is no open redirect.
      const [body, tag] = clicks[0]![1]!.slice("/t/c/".length).split(".");
      const forged = btoa(JSON.stringify({ u: "click", i: "1", to: "https://evil.example" }))
        .replaceAll("=", "");
      for (const token of [`${forged}.${tag}`, `${body}.x`]) {
        assertEquals((await api.call("GET", `/t/c/${token}`, undefined, noAuth)).status, 404);
      }
    });
  } finally {
    await smtp.close();
  }
});

Deno.test("the product reports replies and actions; outcomes belong to sent interventions", async () => {
  await withApi(async (api) => {
    await dueSends(api.db, 1, { channel: "in-app", template: "feature_tip" });
    const [sent] = await api.db.query<{ id: number }>("select id from success_interventions");
    const replied = await api.call("POST", `/api/v1/interventions/${sent!.id}/outcome`, {
      kind: "replied",
      detail: { via: "email" },
      occurredAt: "2026-06-16T09:30:00Z",
    });
    assertEquals([replied.status, replied.body.kind, replied.body.source], [201, "replied", "api"]);
    const after = await api.call("GET", `/api/v1/interventions/${sent!.id}`);
    assertEquals(after.body.repliedAt, "2026-06-16T09:30:00.000Z");

    const unknown = await api.call("POST", "/api/v1/interventions/999/outcome", { kind: "action" });
    assertEquals([unknown.status, unknown.body.code], [404, "INTERVENTION_NOT_FOUND"]);
    const bad = await api.call("POST", `/api/v1/interventions/${sent!.id}/outcome`, {
      kind: "opened",
    });
    assertEquals(bad.status, 400); // opens are the engine's to track
    await api.db.query(
      "update success_interventions set decision = 'holdout', status = 'held_out'",
    );
    const heldOut = await api.call("POST", `/api/v1/interventions/${sent!.id}/outcome`, {
      kind: "action",
    });
    assertEquals([heldOut.status, heldOut.body.code], [409, "INTERVENTION_NOT_SENT"]);
  });
});
