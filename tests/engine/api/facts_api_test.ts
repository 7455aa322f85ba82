import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";

Deno.test("GET /api/v1/facts lists the catalog for rule authors, paged by fact name", async () => {
  await withApi(async (api) => {
    const manager = { authorization: `Bearer ${api.tokens["success-manager"]}` };
    const all = await api.call("GET", "/api/v1/facts?limit=500", undefined, manager);
    assertEquals(all.status, 200);
    const names = all.body.items.map((f: { name: string }) => f.name);
    // The active health model's components, and the milestone keys as the lists' values.
    for (const name of ["healthScore", "churnProbability", "health.engagement", "health.billing"]) {
      assert(names.includes(name), `${name} is missing from ${names.join(", ")}`);
    }
    const missing = all.body.items.find((f: { name: string }) => f.name === "milestonesMissing");
    assertEquals(missing.type, "list");
    assert(missing.values.includes("first_client_added"));
    const score = all.body.items.find((f: { name: string }) => f.name === "healthScore");
    assertEquals([score.type, score.unit, score.source], ["number", "points (0–100)", "health"]);

    const first = await api.call("GET", "/api/v1/facts?limit=3", undefined, manager);
    assertEquals(first.body.items.length, 3);
    const next = await api.call(
      "GET",
      `/api/v1/facts?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      undefined,
      manager,
    );
    assertEquals(next.body.items[0].name, names[3]);

    const analyst = { authorization: `Bearer ${api.tokens["success-analyst"]}` };
    const refused = await api.call("GET", "/api/v1/facts", undefined, analyst);
    assertEquals([refused.status, refused.body.code], [403, "FORBIDDEN"]);
  });
});
