import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { linkSigner, unsubscribeUrl } from "../../../engine/interventions/mod.ts";

Deno.test("the unsubscribe link: a page with a button, one-click POST, and forged links refused", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_a");
    await api.call("PUT", "/api/v1/customers/sup_a", fields);
    const signer = await linkSigner(api.db, NOW);
    const url = await unsubscribeUrl(signer, "http://127.0.0.1:8080/", {
      customerId: "sup_a",
      channel: "email",
    });
    const path = new URL(url).pathname;
    assertMatch(path, /^\/unsubscribe\/[\w-]+\.[\w-]+$/);

    // Following the link (a mail scanner does) changes nothing; the page asks.
    const shown = await api.call("GET", path, undefined, { authorization: "" });
    assertEquals(shown.status, 200);
    assertMatch(shown.body, /Stop emails from your success team\?/);
    const rows = () =>
      api.db.query("select customer_id, channel, source from channel_unsubscribes");
    assertEquals(await rows(), []);

    const done = await api.call("POST", path, undefined, { authorization: "" });
    assertEquals(done.status, 200);
    assertMatch(done.body, /You will get no more emails from us/);
    assertEquals(await rows(), [{ customer_id: "sup_a", channel: "email", source: "link" }]);
    // Twice is harmless.
    assertEquals((await api.call("POST", path, undefined, { authorization: "" })).status, 200);

    // Another customer's id in the payload breaks the signature.
    const [body, tag] = path.slice("/unsubscribe/".length).split(".");
    const forgedBody = btoa(JSON.stringify({ u: "unsubscribe", c: "sup_b", ch: "email" }))
      .replaceAll("=", "");
    for (const token of [`${forgedBody}.${tag}`, `${body}.AAAA`, "nonsense"]) {
      const refused = await api.call("POST", `/unsubscribe/${token}`, undefined, {
        authorization: "",
      });
      assertEquals(refused.status, 404, token);
    }
    // A second signer over the same database signs with the same key: links survive restarts.
    const again = await linkSigner(api.db, NOW);
    assert(await again.verify(path.slice("/unsubscribe/".length)) !== null);
  });
});
