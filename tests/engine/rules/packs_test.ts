import { assert, assertEquals } from "../../helpers/assert.ts";
import {
  compileRuleSet,
  DEFAULT_RULE_PACKS,
  installDefaultRules,
  listRules,
  loadFactCatalog,
  packFiles,
  readRulePacks,
} from "../../../engine/rules/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { installDefaults } from "../../helpers/fixtures.ts";

Deno.test("the default packs hold at least 12 valid rules, published once on the first start", async () => {
  await withTestDb(async (db) => {
    await installDefaults(db);
    const context = { catalog: await loadFactCatalog(db) };
    const rules = await readRulePacks(await packFiles(DEFAULT_RULE_PACKS), context);
    assert(rules.length >= 12, `only ${rules.length} default rules`);
    const now = new Date("2026-06-15T12:00:00Z");
    assertEquals(await installDefaultRules(db, { context, now }), rules.length);
    // Not on later starts, even once someone archived or changed them.
    assertEquals(await installDefaultRules(db, { context, now }), 0);
    const { items } = await listRules(db, { limit: 500 });
    assertEquals(
      items.map((r) => [r.id, r.status, r.version]),
      rules.map((r) => [r.id, "published", 1]).sort(),
    );

    // They compile without falling back to json-rules-engine.
    const compiled = compileRuleSet(
      items.map((r) => ({ id: r.id, version: r.version!, definition: r.published! })),
    );
    assertEquals(compiled.fallback, []);
    // A supplier a week in with an overdue profile and a failed payment.
    const fired = compiled.evaluate({
      tenureDays: 8,
      milestonesOverdue: ["profile_completed"],
      milestonesMissing: ["profile_completed", "first_client_added"],
      milestonesAchieved: [],
      failedPayments30d: 1,
      healthScore: 45,
    });
    assertEquals(fired.map((f) => f.ruleId), ["payment-failed", "onboarding-profile-overdue"]);
  });
});
