import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import {
  installDefaultRules,
  loadCustomerFacts,
  loadFactCatalog,
  recordRuleFailures,
} from "../../../engine/rules/mod.ts";
import { customer, daysAgo, NOW } from "../../helpers/fixtures.ts";
import { readDomainEvents } from "../../../engine/events/mod.ts";

const event = (customerId: string, type: string, days: number, n = 0) => ({
  id: `${customerId}-${type}-${days}-${n}`,
  customerId,
  type,
  occurredAt: daysAgo(days).toISOString(),
  ...(type === "payment_failed" ? { properties: { reason: "card declined" } } : {}),
  ...(type === "support_ticket_opened" ? { properties: { severity: "normal" } } : {}),
});

Deno.test("a cycle evaluates the published rules for every customer and stores why each fired", async () => {
  await withApi(async (api) => {
    const fields = (id: string, signupDate: string) => {
      const { id: _id, ...rest } = customer(id, { signupDate });
      return rest;
    };
    // sup_new: a week in, nothing done, a failed payment. sup_old: busy for a year, tickets open.
    await api.call("PUT", "/api/v1/customers/sup_new", fields("sup_new", "2026-06-07"));
    await api.call("PUT", "/api/v1/customers/sup_old", fields("sup_old", "2025-05-01"));
    const events = [
      event("sup_new", "login", 6),
      event("sup_new", "payment_failed", 2),
      ...[1, 2, 3].map((n) => event("sup_old", "support_ticket_opened", 5, n)),
      event("sup_old", "support_ticket_resolved", 4),
      event("sup_old", "login", 3),
    ];
    assertEquals((await api.call("POST", "/api/v1/events", { events })).status, 200);
    await installDefaultRules(api.db, {
      context: { catalog: await loadFactCatalog(api.db) },
      now: NOW,
    });

    const cycle = await api.call("POST", "/api/v1/cycles?wait=true");
    assertEquals(cycle.body.status, "succeeded", JSON.stringify(cycle.body));
    const stage = cycle.body.stages.find((s: { name: string }) => s.name === "rules");
    assertEquals(stage.counts.rules, 14);
    assertEquals(stage.counts.customers, 2);

    const facts = new Map(
      (await loadCustomerFacts(api.db, { after: "", last: "sup_zzz" }, NOW)).map((
        row,
      ) => [row.customerId, row.facts]),
    );
    const fresh = facts.get("sup_new")!;
    assertEquals(fresh.tenureDays, 8);
    assertEquals(fresh.daysSinceLastLogin, 6);
    assertEquals(fresh.failedPayments30d, 1);
    assertEquals(fresh.milestonesAchieved, []);
    assertEquals(fresh.milestonesOverdue, ["profile_completed"]); // due after 7 days
    assert(typeof fresh.healthScore === "number" && typeof fresh["health.billing"] === "number");
    assertEquals("healthChange7d" in fresh, false); // one scoring only: no trend yet
    assertEquals("churnProbability" in fresh, false); // no churn model yet
    assertEquals(facts.get("sup_old")!.openTickets, 2);

    const firings = await api.call("GET", "/api/v1/customers/sup_new/firings");
    const fired = firings.body.items.map((f: { ruleId: string }) => f.ruleId).sort();
    assertEquals(fired, ["onboarding-profile-overdue", "payment-failed"]);
    const payment = firings.body.items.find((f: { ruleId: string }) =>
      f.ruleId === "payment-failed"
    );
    assertEquals(payment.cycleId, cycle.body.id);
    assertEquals(payment.ruleVersion, 1);
    assertEquals(payment.event.params.template, "payment_failed");
    assertEquals(payment.facts, { failedPayments30d: 1 });
    assertEquals(payment.conditions, [{
      path: "conditions.all[0]",
      fact: "failedPayments30d",
      operator: "greaterThanInclusive",
      held: true,
      factValue: 1,
      value: 1,
    }]);
    const old = await api.call("GET", "/api/v1/customers/sup_old/firings?ruleId=support-overload");
    // Two tickets still open: not three, but two with the support component low.
    assertEquals(old.body.items.length, 1);
    assertEquals(
      old.body.items[0].conditions.map((c: { path: string; held: boolean }) => [c.path, c.held]),
      [
        ["conditions.any[0]", false],
        ["conditions.any[1].all[0]", true],
        ["conditions.any[1].all[1]", true],
      ],
    );
    assert(old.body.items[0].facts["health.support"] < 40);
    const unknown = await api.call("GET", "/api/v1/customers/sup_nobody/firings");
    assertEquals(unknown.status, 404);

    // One rule.fired per firing, in firing order, pointing at its stored explanation.
    const stored = await api.db.query<{ id: number; customer_id: string; rule_id: string }>(
      "select id, customer_id, rule_id from rule_firings where cycle_id = $1 order by id",
      [cycle.body.id],
    );
    const { events: logged } = await readDomainEvents(api.db, { types: ["rule.fired"] });
    const firingOf = (customerId: string, ruleId: string) =>
      stored.find((f) => f.customer_id === customerId && f.rule_id === ruleId)!.id;
    const firing = (customerId: string, ruleId: string) => ({
      firingId: firingOf(customerId, ruleId),
      cycleId: cycle.body.id,
      ruleId,
      ruleVersion: 1,
    });
    assertEquals(logged.map((e) => [e.customerId, e.payload, e.occurredAt.toISOString()]), [
      ["sup_new", {
        ...firing("sup_new", "payment-failed"),
        intervention: {
          templateId: "payment_failed",
          channel: "email",
          priority: 90,
          holdout: false,
        },
      }, NOW.toISOString()],
      ["sup_new", {
        ...firing("sup_new", "onboarding-profile-overdue"),
        // 10% held out; sup_new is not among them.
        intervention: {
          templateId: "onboarding_nudge",
          channel: "email",
          priority: 70,
          holdout: false,
        },
      }, NOW.toISOString()],
      // Not an intervention: the event says so, and the firing id leads to the explanation.
      [
        "sup_old",
        { ...firing("sup_old", "support-overload"), intervention: null },
        NOW.toISOString(),
      ],
      ["sup_old", {
        ...firing("sup_old", "low-adoption"),
        intervention: {
          templateId: "feature_tip",
          channel: "in-app",
          priority: 40,
          holdout: false,
        },
      }, NOW.toISOString()],
    ]);
    assertEquals(stored.length, stage.counts.firings);
  }, { clock: { now: () => NOW } });
});

Deno.test("simulating a draft shows who it would fire for, changes nothing, and explains one customer", async () => {
  await withApi(async (api) => {
    const signups: Array<[string, string]> = [["sup_a", "2026-06-07"], ["sup_b", "2026-06-01"]];
    for (const [id, signupDate] of signups) {
      const { id: _id, ...fields } = customer(id, { signupDate });
      await api.call("PUT", `/api/v1/customers/${id}`, fields);
    }
    await installDefaultRules(api.db, {
      context: { catalog: await loadFactCatalog(api.db) },
      now: NOW,
    });
    await api.call("POST", "/api/v1/cycles?wait=true");
    const firingsBefore = await api.db.query("select count(*)::int as n from rule_firings");

    // Tighten profile-overdue to the first 10 days: sup_b (14 days in) stops, sup_a (8) stays.
    const draft = {
      id: "onboarding-profile-overdue",
      definition: {
        conditions: {
          all: [
            { fact: "tenureDays", operator: "lessThanInclusive", value: 10 },
            { fact: "milestonesOverdue", operator: "contains", value: "profile_completed" },
          ],
        },
        event: { type: "intervention", params: { template: "onboarding_nudge", channel: "email" } },
      },
    };
    const everyone = await api.call("POST", "/api/v1/rules/simulate", { rules: [draft] });
    assertEquals(everyone.status, 200);
    assertEquals(everyone.body.customers, 2);
    const changed = everyone.body.rules[0];
    assertEquals(
      [
        changed.ruleId,
        changed.draft,
        changed.published,
        changed.withDrafts,
        changed.noLongerFiring,
      ],
      ["onboarding-profile-overdue", true, 2, 1, 1],
    );

    const one = await api.call("POST", "/api/v1/rules/simulate", {
      rules: [draft],
      customerId: "sup_b",
    });
    const explained = (list: Array<{ ruleId: string; fired: boolean }>) =>
      list.find((r) => r.ruleId === "onboarding-profile-overdue")!.fired;
    assertEquals([explained(one.body.published), explained(one.body.withDrafts)], [true, false]);
    assertEquals(one.body.facts.tenureDays, 14);

    const invalid = await api.call("POST", "/api/v1/rules/simulate", {
      rules: [{ id: "x", definition: { conditions: { all: [] }, event: { type: "t" } } }],
    });
    assertEquals([invalid.status, invalid.body.errors[0].path], [
      400,
      "rules[0].definition.conditions.all",
    ]);
    // Nothing was stored or published.
    assertEquals(await api.db.query("select count(*)::int as n from rule_firings"), firingsBefore);
    const rule = await api.call("GET", "/api/v1/rules/onboarding-profile-overdue");
    assertEquals([rule.body.version, rule.body.draft], [1, null]);
  }, { clock: { now: () => NOW } });
});

Deno.test("a rule that throws for a customer is skipped for them; the cycle and the other rules go on", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_a", { signupDate: "2026-06-07" });
    await api.call("PUT", "/api/v1/customers/sup_a", fields);
    await installDefaultRules(api.db, {
      context: { catalog: await loadFactCatalog(api.db) },
      now: NOW,
    });
    // Stored behind validation's back (as an old version or a plugin fact could be): `in`
    // with a missing fact as its list makes json-rules-engine, and so us, throw.
    await api.db.transaction(async (tx) => {
      await tx.query(
        `insert into rules (id, name, status, published_version, created_at, created_by,
           updated_at, updated_by) values ('broken', 'Broken', 'published', 1, $1, 'test', $1, 'test')`,
        [NOW],
      );
      await tx.query(
        `insert into rule_versions (rule_id, version, definition, name, description, tags,
           published_at, published_by) values ('broken', 1, $1, 'Broken', '', '{}', $2, 'test')`,
        [{
          conditions: { all: [{ fact: "plan", operator: "in", value: { fact: "pluginList" } }] },
          event: { type: "tag_customer", params: {} },
          priority: 1,
        }, NOW],
      );
    });
    const cycle = await api.call("POST", "/api/v1/cycles?wait=true");
    assertEquals(cycle.body.status, "succeeded", JSON.stringify(cycle.body));
    const stage = cycle.body.stages.find((s: { name: string }) => s.name === "rules");
    assertEquals([stage.counts.rules, stage.counts.errors], [15, 1]);
    const firings = await api.call("GET", "/api/v1/customers/sup_a/firings");
    const fired = firings.body.items.map((f: { ruleId: string }) => f.ruleId);
    assert(fired.includes("onboarding-profile-overdue"), fired.join(", "));
    assert(!fired.includes("broken"));

    // Failing in RULE_FAILURE_LIMIT (3) cycles in a row switches the rule off.
    for (const expected of [0, 1]) {
      const next = await api.call("POST", "/api/v1/cycles?wait=true");
      const rules = next.body.stages.find((s: { name: string }) => s.name === "rules");
      assertEquals([rules.counts.errors, rules.counts.disabled], [1, expected]);
    }
    const rule = await api.call("GET", "/api/v1/rules/broken");
    assert(rule.body.disabledAt !== null, "the rule is switched off");
    assertMatch(rule.body.disabledReason, /^threw in 3 cycles in a row \(RULE_FAILURE_LIMIT=3\)/);
    const audit = await api.call("GET", "/api/v1/audit?action=rule.disabled");
    assertEquals(
      audit.body.items.map((e: { actor: string; subjectId: string }) => [
        e.actor,
        e.subjectId,
      ]),
      [["engine", "broken"]],
    );
    const events = await api.db.query<{ payload: { ruleId: string; failingCycles: number } }>(
      "select payload from event_log where type = 'rule.disabled'",
    );
    assertEquals(events.map((e) => [e.payload.ruleId, e.payload.failingCycles]), [["broken", 3]]);
    const after = await api.call("POST", "/api/v1/cycles?wait=true");
    const quiet = after.body.stages.find((s: { name: string }) => s.name === "rules");
    assertEquals([quiet.counts.rules, quiet.counts.errors], [14, 0]);

    // Publishing a fixed version switches it back on.
    const draft = await api.call("PUT", "/api/v1/rules/broken", {
      name: "Broken no more",
      definition: {
        conditions: { all: [{ fact: "plan", operator: "in", value: ["starter"] }] },
        event: { type: "tag_customer", params: {} },
      },
    }, { "if-match": rule.headers.get("etag")! });
    assertEquals(draft.status, 200, JSON.stringify(draft.body));
    const republished = await api.call("POST", "/api/v1/rules/broken/publish", {}, {
      "if-match": draft.headers.get("etag")!,
    });
    assertEquals([republished.body.version, republished.body.disabledAt], [2, null]);
  }, { clock: { now: () => NOW } });
});

Deno.test("a cycle counted twice into a rule's failure streak (a resumed one) counts once", async () => {
  await withApi(async (api) => {
    await installDefaultRules(api.db, {
      context: { catalog: await loadFactCatalog(api.db) },
      now: NOW,
    });
    const count = (cycleId: number, failures: Record<string, number>) =>
      recordRuleFailures(api.db, {
        cycleId,
        evaluated: ["payment-failed", "champion-detected"],
        failures,
        limit: 2,
        now: NOW,
      });
    await api.db.query(
      `insert into cycles (id, trigger, status, as_of, started_at, heartbeat_at)
       overriding system value
       select n, 'cli', 'succeeded', $1, $1, $1 from generate_series(1, 3) n`,
      [NOW],
    );
    assertEquals(await count(1, { "payment-failed": 2 }), []);
    assertEquals(await count(1, { "payment-failed": 2 }), []); // The same cycle again.
    const streaks = () =>
      api.db.query<{ id: string; failing_cycles: number }>(
        "select id, failing_cycles from rules where id in ('payment-failed', 'champion-detected') order by id",
      );
    assertEquals((await streaks()).map((r) => r.failing_cycles), [0, 1]);
    const disabled = await count(2, { "payment-failed": 1 });
    assertEquals(disabled.map((d) => [d.ruleId, d.failingCycles]), [["payment-failed", 2]]);
    // A cycle without failures resets the streak of the rules it evaluated.
    await count(3, {});
    assertEquals((await streaks()).map((r) => r.failing_cycles), [0, 0]);
  });
});

Deno.test("facts at a past date: that day's health scoring and the milestones achieved by then", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_a", { signupDate: "2026-05-01" });
    await api.call("PUT", "/api/v1/customers/sup_a", fields);
    const scoring = (score: number, at: Date) =>
      api.db.query(
        `insert into customer_health (customer_id, score, at_risk_score, components,
           at_risk_factors, model_version, scored_at)
         values ('sup_a', $1, $2, $3, '[]', 'v1', $4)`,
        [score, 100 - score, { engagement: { score } }, at],
      );
    await scoring(80, daysAgo(20));
    await scoring(35, daysAgo(2));
    await api.db.query(
      `update success_milestones set achieved = true, achieved_at = $1, progress = target
       where customer_id = 'sup_a' and milestone_key = 'profile_completed'`,
      [daysAgo(5)],
    );
    const at = async (date: Date) =>
      (await loadCustomerFacts(api.db, { ids: ["sup_a"] }, date))[0]!;
    const tenDaysAgo = await at(daysAgo(10));
    assertEquals(
      [tenDaysAgo.facts.healthScore, tenDaysAgo.facts["health.engagement"]],
      [80, 80],
    );
    assert(!(tenDaysAgo.facts.milestonesAchieved as string[]).includes("profile_completed"));
    assert((tenDaysAgo.facts.milestonesMissing as string[]).includes("profile_completed"));
    const today = await at(NOW);
    // The change compares with the last scoring at least 7 days before the latest.
    assertEquals([today.facts.healthScore, today.facts.healthChange7d], [35, -45]);
    assert((today.facts.milestonesAchieved as string[]).includes("profile_completed"));
    // Before the first scoring there is no health to see: the facts are missing.
    const early = await at(daysAgo(25));
    assertEquals("healthScore" in early.facts, false);
  }, { clock: { now: () => NOW } });
});
