import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, daysAgo } from "../../helpers/fixtures.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";

Deno.test("viral through the engine: token checked, referrals recorded, the boost in the next cycle's score", async () => {
  await withApi(async (api) => {
    for (const id of ["sup_1", "sup_2"]) {
      const { id: _id, ...fields } = customer(id);
      assertEquals((await api.call("PUT", `/api/v1/customers/${id}`, fields)).status, 201);
    }
    const body = {
      referrals: [{
        id: "ref_1",
        referrerId: "sup_1",
        kind: "supplier_invited",
        occurredAt: daysAgo(9).toISOString(),
        outcome: { status: "converted", customerId: "sup_2", at: daysAgo(2).toISOString() },
      }],
    };
    const anonymous = await api.call("POST", "/plugins/viral/referrals", body, {
      authorization: "",
    });
    assertEquals(anonymous.status, 401);
    const analyst = await api.call("POST", "/plugins/viral/referrals", body, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals([analyst.status, analyst.body.code], [403, "FORBIDDEN"]);
    const recorded = await api.call("POST", "/plugins/viral/referrals", body, {
      authorization: `Bearer ${api.tokens["success-manager"]}`,
    });
    assertEquals(recorded.status, 200);
    assertEquals(recorded.body.results, [{ index: 0, id: "ref_1", status: "accepted" }]);
    const listed = await api.call("GET", "/plugins/viral/referrals?referrerId=sup_1", undefined, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertMatch(listed.body.items[0].recordedBy, /^token:\d+ \(test-success-manager\)$/);

    const plugin = await api.call("GET", "/api/v1/plugins/viral");
    assertEquals([plugin.body.state, plugin.body.config.minScore], ["running", 80]);

    const cycle = await api.call("POST", "/api/v1/cycles?wait=true");
    assertEquals(cycle.body.status, "succeeded");
    const referrer = await api.call("GET", "/api/v1/customers/sup_1/health");
    const other = await api.call("GET", "/api/v1/customers/sup_2/health");
    assertEquals(referrer.body.latest.components.boost, { score: 5, value: 5, weight: 0 });
    assertEquals(referrer.body.latest.score, other.body.latest.score + 5);
    assertEquals(other.body.latest.components.boost, undefined);
  }, { plugins: [firstPartyPlugin("viral")] });
});
