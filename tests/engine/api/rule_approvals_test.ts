import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";

const definition = {
  conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
  event: { type: "tag_customer", params: { tag: "at-risk" } },
};

Deno.test("with approvals on, a publish waits for someone else, who approves or rejects it", async () => {
  await withApi(async (api) => {
    const manager = { authorization: `Bearer ${api.tokens["success-manager"]}` };
    const off = await api.call(
      "PUT",
      "/api/v1/settings/rule-approvals",
      { required: true },
      manager,
    );
    assertEquals([off.status, off.body.code], [403, "FORBIDDEN"]); // admins only
    const on = await api.call("PUT", "/api/v1/settings/rule-approvals", {
      required: true,
      reason: "two people sign off on rules",
    });
    assertEquals(on.body, { required: true });

    const created = await api.call("POST", "/api/v1/rules", {
      id: "at-risk",
      name: "At risk",
      definition,
    }, manager);
    const asked = await api.call("POST", "/api/v1/rules/at-risk/publish", { reason: "ready" }, {
      ...manager,
      "if-match": created.headers.get("etag")!,
    });
    assertEquals([asked.status, asked.body.status], [202, "pending"]);
    // Nothing runs yet.
    assertEquals((await api.call("GET", "/api/v1/rules/at-risk")).body.version, null);
    const twice = await api.call("POST", "/api/v1/rules/at-risk/publish", {}, {
      ...manager,
      "if-match": created.headers.get("etag")!,
    });
    assertEquals([twice.status, twice.body.code], [409, "RULE_CHANGE_PENDING"]);

    const own = await api.call("POST", "/api/v1/rules/at-risk/approve", {}, manager);
    assertEquals([own.status, own.body.code], [403, "FORBIDDEN"]);
    assert(own.body.detail.includes("someone else"));
    const approved = await api.call("POST", "/api/v1/rules/at-risk/approve", { reason: "ok" });
    assertEquals([approved.status, approved.body.status, approved.body.version], [
      200,
      "published",
      1,
    ]);

    // A request superseded by an edit, then one rejected.
    const edited = await api.call("PUT", "/api/v1/rules/at-risk", {
      name: "At risk",
      definition: { ...definition, priority: 5 },
    }, { ...manager, "if-match": approved.headers.get("etag")! });
    await api.call("POST", "/api/v1/rules/at-risk/publish", {}, {
      ...manager,
      "if-match": edited.headers.get("etag")!,
    });
    const again = await api.call("PUT", "/api/v1/rules/at-risk", {
      name: "At risk",
      definition: { ...definition, priority: 6 },
    }, { ...manager, "if-match": edited.headers.get("etag")! });
    const nothing = await api.call("POST", "/api/v1/rules/at-risk/approve", {});
    assertEquals([nothing.status, nothing.body.code], [409, "RULE_NO_PENDING_CHANGE"]);
    await api.call("POST", "/api/v1/rules/at-risk/publish", {}, {
      ...manager,
      "if-match": again.headers.get("etag")!,
    });
    const rejected = await api.call("POST", "/api/v1/rules/at-risk/reject", {
      reason: "priority 6 is too high",
    });
    assertEquals(rejected.body.status, "rejected");

    const changes = await api.call("GET", "/api/v1/rules/at-risk/changes");
    assertEquals(
      changes.body.items.map((r: { status: string }) => r.status),
      ["rejected", "superseded", "approved"],
    );
    const audit = await api.call("GET", "/api/v1/audit?limit=100");
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    for (
      const action of [
        "setting.changed",
        "rule.publish_requested",
        "rule.publish_approved",
        "rule.publish_rejected",
      ]
    ) {
      assert(actions.includes(action), `${action} missing from ${actions.join(", ")}`);
    }
  });
});
