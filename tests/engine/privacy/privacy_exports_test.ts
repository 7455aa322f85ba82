/** Access and portability: what a completed request downloads, and when it cannot. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { DAY_MS } from "../../../engine/clock.ts";
import { sha256Hex } from "../../../engine/hash.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";
import { movableClock, NOW } from "../../helpers/fixtures.ts";
import { asked, processAt, untarGzip } from "./privacy_helpers.ts";
import { seedZelda, ZELDA } from "./privacy_seed.ts";

const PLUGINS = ["in-app", "viral", "marketing", "offline"].map(firstPartyPlugin);

Deno.test("access request - downloads one JSON document with every table and each plugin's data", async () => {
  await withApi(async (api) => {
    await seedZelda(api);
    const request = await asked(api, "access", ZELDA.id);
    const early = await api.call("GET", `/api/privacy/requests/${request.id}/download`);
    assertEquals([early.status, early.body.code], [409, "PRIVACY_EXPORT_NOT_READY"]);
    assertMatch(early.body.detail, /is pending; download it once it is completed/);

    const [done] = await processAt(api);
    assertEquals(done!.status, "completed");
    assertEquals(done!.expiresAt, new Date(NOW.getTime() + 7 * DAY_MS).toISOString());
    assertEquals((done!.result as { tables: Record<string, number> }).tables.usage_events, 3);

    const download = await api.call("GET", `/api/privacy/requests/${request.id}/download`);
    assertEquals(download.status, 200);
    assertMatch(
      download.headers.get("content-disposition")!,
      /attachment; filename="privacy-access-/,
    );
    assertEquals(download.headers.get("cache-control"), "no-store");
    const document = download.body;
    assertEquals([document.customerId, document.requestId], [ZELDA.id, request.id]);
    assertEquals(document.tables.customers[0].name, ZELDA.name);
    assertEquals(document.tables.customers[0].attributes.email, ZELDA.email);
    assertEquals(document.tables.usage_events.length, 3);
    assertEquals(document.tables.in_app_messages[0].user_id, ZELDA.userId);
    assert(document.tables.customer_health.length > 0);
    assertEquals(document.plugins.viral.viral_referrals.length, 2);
    assertEquals(
      document.plugins.offline.offline_push_receipts[0].answer.current.phone,
      ZELDA.phone,
    );
    assertEquals(document.plugins.marketing.marketing_outbox[0].fields.email, ZELDA.email);
    // Downloading personal data is audited, by digest.
    const audit = await api.call("GET", "/api/v1/audit?action=privacy.access.downloaded");
    assertEquals(audit.body.items[0].after, { customerDigest: request.customerDigest });
  }, { plugins: PLUGINS });
});

Deno.test("portability request - a .tar.gz of <table>.ndjson files and a manifest with checksums", async () => {
  await withApi(async (api) => {
    await seedZelda(api);
    const request = await asked(api, "portability", ZELDA.id);
    await processAt(api);
    const response = await api.app.request(`/api/privacy/requests/${request.id}/download`, {
      headers: { authorization: `Bearer ${api.tokens.admin}` },
    });
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "application/gzip");
    const files = await untarGzip(new Uint8Array(await response.arrayBuffer()));
    const manifest = JSON.parse(files.get("manifest.json")!);
    assertEquals([manifest.format, manifest.schemaVersion], ["cs-engine-portability", 1]);
    assertEquals(manifest.generatedAt, NOW.toISOString());
    for (const entry of manifest.files) {
      const text = files.get(entry.file);
      assert(text !== undefined, `${entry.file} is listed but not in the archive`);
      assertEquals(await sha256Hex(text), entry.sha256);
      assertEquals(text.split("\n").filter((l) => l !== "").length, entry.rows);
    }
    const customers = files.get("customers.ndjson")!.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(customers.map((c) => c.name), [ZELDA.name]);
    assertEquals(
      manifest.files.find((f: { file: string }) => f.file === "viral.viral_asks.ndjson").rows,
      1,
    );
  }, { plugins: PLUGINS });
});

Deno.test("exports - expire after 7 days, and are gone once the customer is erased", async () => {
  const clock = movableClock();
  await withApi(async (api) => {
    await seedZelda(api);
    const access = await asked(api, "access", ZELDA.id);
    await processAt(api);
    clock.advance(8 * DAY_MS);
    const expired = await api.call("GET", `/api/privacy/requests/${access.id}/download`);
    assertEquals([expired.status, expired.body.code], [410, "PRIVACY_EXPORT_EXPIRED"]);
    assertMatch(expired.body.detail, /make a new access request/);

    await asked(api, "deletion", ZELDA.id);
    await processAt(api);
    const erased = await api.call("GET", `/api/privacy/requests/${access.id}/download`);
    assertEquals([erased.status, erased.body.code], [410, "CUSTOMER_ERASED"]);
    const listed = await api.call("GET", "/api/privacy/requests");
    assertEquals(listed.body.items.map((r: { customerId: string | null }) => r.customerId), [
      null,
      null,
    ]);
  }, { plugins: PLUGINS, clock });
});
