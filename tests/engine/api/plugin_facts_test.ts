import { assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { testPlugin } from "../plugins/test_plugins.ts";

// A CRM plugin that knows each customer's open deals; sup_b's lookup is missing (null).
const crm = testPlugin("crm", {
  setup: () => ({
    facts: ({ customerIds }) =>
      Promise.resolve(
        Object.fromEntries(
          customerIds.map((id) => [id, { crm_open_deals: id === "sup_b" ? null : 3 }]),
        ),
      ),
  }),
}, {
  capabilities: {
    facts: [{
      name: "crm_open_deals",
      type: "number",
      unit: "count",
      description: "Deals open in the CRM",
    }],
  },
});

const dealsRule = {
  id: "open-deals",
  definition: {
    conditions: { all: [{ fact: "crm_open_deals", operator: "greaterThan", value: 2 }] },
    event: { type: "intervention", params: { template: "onboarding_nudge", channel: "email" } },
  },
};

Deno.test("a plugin's facts join the catalog, pass rule validation and reach simulation and cycles", async () => {
  await withApi(async (api) => {
    await upsertCustomers(api.db, [customer("sup_a"), customer("sup_b")], { now: NOW });
    const facts = await api.call("GET", "/api/v1/facts?limit=200");
    const declared = facts.body.items.find((f: { name: string }) => f.name === "crm_open_deals");
    assertEquals(declared, {
      name: "crm_open_deals",
      type: "number",
      unit: "count",
      description: "Deals open in the CRM",
      source: "plugin:crm",
    });

    const simulated = await api.call("POST", "/api/v1/rules/simulate", { rules: [dealsRule] });
    assertEquals(simulated.status, 200);
    assertEquals(simulated.body.rules[0].withDrafts, 1);
    const one = await api.call("POST", "/api/v1/rules/simulate", {
      rules: [dealsRule],
      customerId: "sup_a",
    });
    assertEquals(one.body.facts.crm_open_deals, 3);

    const created = await api.call("POST", "/api/v1/rules", { ...dealsRule, name: "Open deals" });
    assertEquals(created.status, 201);
    await api.call("POST", "/api/v1/rules/open-deals/publish", undefined, {
      "if-match": created.headers.get("etag")!,
    });
    await api.call("POST", "/api/v1/cycles?wait=true");
    const fired = await api.db.query<{ customer_id: string }>(
      "select customer_id from rule_firings where rule_id = 'open-deals'",
    );
    assertEquals(fired.map((r) => r.customer_id), ["sup_a"]);

    // Disabled, its facts are gone: a rule naming them is refused, not silently never firing.
    await api.call("PUT", "/api/v1/plugins/crm", { enabled: false });
    const refused = await api.call("POST", "/api/v1/rules", {
      ...dealsRule,
      id: "open-deals-2",
      name: "Open deals 2",
    });
    assertEquals([refused.status, refused.body.errors[0].path], [
      400,
      "definition.conditions.all[0].fact",
    ]);
  }, { plugins: [crm] });
});
