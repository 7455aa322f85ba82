import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";

const lowHealth = {
  conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 40 }] },
  event: { type: "intervention", params: { template: "onboarding_nudge", channel: "email" } },
};
const lowerHealth = {
  ...lowHealth,
  conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: 30 }] },
};

Deno.test("a rule goes from draft to published versions, with ETags, history and audit entries", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/rules", {
      id: "low-health",
      name: "Low health",
      tags: ["onboarding"],
      definition: lowHealth,
    });
    assertEquals(created.status, 201);
    assertEquals(created.headers.get("location"), "/api/v1/rules/low-health");
    assertEquals([created.body.status, created.body.version], ["draft", null]);
    assertEquals(created.body.draft.priority, 1); // defaults filled in
    let etag = created.headers.get("etag")!;

    const withoutEtag = await api.call("POST", "/api/v1/rules/low-health/publish");
    assertEquals([withoutEtag.status, withoutEtag.body.code], [428, "IF_MATCH_REQUIRED"]);
    const published = await api.call("POST", "/api/v1/rules/low-health/publish", {
      reason: "first version",
    }, { "if-match": etag });
    assertEquals(published.status, 200);
    assertEquals([published.body.status, published.body.version, published.body.draft], [
      "published",
      1,
      null,
    ]);
    assertEquals(published.body.published.conditions, lowHealth.conditions);

    // An edit from the old ETag conflicts; from the new one it makes a draft.
    const stale = await api.call("PUT", "/api/v1/rules/low-health", {
      name: "Low health",
      definition: lowerHealth,
    }, { "if-match": etag });
    assertEquals([stale.status, stale.body.code], [412, "ETAG_MISMATCH"]);
    etag = published.headers.get("etag")!;
    const edited = await api.call("PUT", "/api/v1/rules/low-health", {
      name: "Low health",
      definition: lowerHealth,
    }, { "if-match": etag });
    assertEquals(edited.status, 200);
    assertEquals([edited.body.version, edited.body.draft.conditions], [1, lowerHealth.conditions]);
    // The published version runs meanwhile.
    assertEquals(edited.body.published.conditions, lowHealth.conditions);
    const second = await api.call("POST", "/api/v1/rules/low-health/publish", undefined, {
      "if-match": edited.headers.get("etag")!,
    });
    assertEquals(second.body.version, 2);

    const rolled = await api.call("POST", "/api/v1/rules/low-health/rollback", {
      version: 1,
      reason: "too many firings",
    }, { "if-match": second.headers.get("etag")! });
    assertEquals([rolled.status, rolled.body.version], [200, 3]);
    assertEquals(rolled.body.published.conditions, lowHealth.conditions);

    const versions = await api.call("GET", "/api/v1/rules/low-health/versions");
    assertEquals(versions.body.items.map((v: { version: number }) => v.version), [3, 2, 1]);
    assertEquals(versions.body.items[0].restoredFrom, 1);
    assertEquals(versions.body.items[1].changes, [
      { path: "conditions.all[0].value", before: 40, after: 30 },
    ]);
    assertEquals(versions.body.items[2].reason, "first version");

    const archived = await api.call("POST", "/api/v1/rules/low-health/archive", {}, {
      "if-match": rolled.headers.get("etag")!,
    });
    assertEquals(archived.body.status, "archived");
    const afterArchive = await api.call("PUT", "/api/v1/rules/low-health", {
      name: "Low health",
    }, { "if-match": archived.headers.get("etag")! });
    assertEquals([afterArchive.status, afterArchive.body.code], [409, "RULE_ARCHIVED"]);

    const audit = await api.call("GET", "/api/v1/audit?subjectType=rule&limit=50");
    const actions = audit.body.items.map((e: { action: string }) => e.action).reverse();
    assertEquals(actions, [
      "rule.created",
      "rule.published",
      "rule.edited",
      "rule.published",
      "rule.rolled_back",
      "rule.archived",
    ]);
    assert(audit.body.items.every((e: { actor: string }) => e.actor.startsWith("token:")));
    // Each publish says what evaluates the version: the compiler for every validated rule.
    const publishes = audit.body.items.filter((e: { action: string }) =>
      e.action === "rule.published" || e.action === "rule.rolled_back"
    );
    assertEquals(publishes.map((e: { after: { evaluator: string } }) => e.after.evaluator), [
      "compiled",
      "compiled",
      "compiled",
    ]);
    const verified = await api.call("GET", "/api/v1/audit/verify");
    assertEquals(verified.body.valid, true);

    const listed = await api.call("GET", "/api/v1/rules?status=archived&tag=onboarding");
    assertEquals(listed.body.items.map((r: { id: string }) => r.id), ["low-health"]);
  });
});

Deno.test("an invalid rule is refused with JSON paths and is not stored; ids are unique", async () => {
  await withApi(async (api) => {
    const bad = await api.call("POST", "/api/v1/rules", {
      id: "typo",
      name: "Typo",
      definition: {
        conditions: { all: [{ fact: "healtScore", operator: "lessThan", value: 40 }] },
        event: { type: "intervention", params: { template: "x", channel: "fax" } },
      },
    });
    assertEquals([bad.status, bad.body.code], [400, "VALIDATION_FAILED"]);
    const paths = bad.body.errors.map((e: { path: string }) => e.path);
    assertEquals(paths, ["definition.conditions.all[0].fact", "definition.event.params.channel"]);
    assert(bad.body.errors[0].message.includes('Did you mean "healthScore"?'));
    assertEquals((await api.call("GET", "/api/v1/rules/typo")).status, 404);

    const body = { id: "twice", name: "Twice", definition: lowHealth };
    assertEquals((await api.call("POST", "/api/v1/rules", body)).status, 201);
    const again = await api.call("POST", "/api/v1/rules", body);
    assertEquals([again.status, again.body.code], [409, "RULE_EXISTS"]);
  });
});

Deno.test("two publishes from the same ETag: one wins, the other conflicts", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/rules", {
      id: "race",
      name: "Race",
      definition: lowHealth,
    });
    const etag = created.headers.get("etag")!;
    const results = await Promise.all(
      [1, 2].map(() =>
        api.call("POST", "/api/v1/rules/race/publish", undefined, { "if-match": etag })
      ),
    );
    assertEquals(results.map((r) => r.status).sort(), [200, 412]);
    const versions = await api.call("GET", "/api/v1/rules/race/versions");
    assertEquals(versions.body.items.length, 1);
    // History is append-only in the database itself.
    await assertRejects(
      () => api.db.query("update rule_versions set reason = 'edited' where rule_id = 'race'"),
      Error,
    );
  });
});
