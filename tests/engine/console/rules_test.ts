/**
 * The console's rule builder over HTTP: the list and builder by role, the
 * validation endpoint's path-mapped errors, saving with errors beside their
 * fields, publishing with a reason (and its audit entry), and simulation
 * against the engine's own numbers.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withConsole } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { seedDemoData } from "../../../engine/demo/mod.ts";
import { scoringSettings } from "../../../engine/health/mod.ts";
import {
  createRule,
  getRule,
  loadFactCatalog,
  publishRule,
  setApprovalsRequired,
  simulatePopulation,
  validateRuleDefinition,
} from "../../../engine/rules/mod.ts";
import { listAudit } from "../../../engine/audit/mod.ts";
import { change, decoded, lowHealth, ruleExists, validate } from "./rules_fixtures.ts";

Deno.test("console rules: the list shows each rule's status, version, priority and owner; analysts are refused", async () => {
  await withConsole(async (t) => {
    const draft = await ruleExists(t);
    await ruleExists(t, "dormant");
    const context = { catalog: await loadFactCatalog(t.api.db) };
    await publishRule(t.api.db, "dormant", (await getRule(t.api.db, "dormant")).revision, context, {
      ...change,
      reason: "first",
    });
    const manager = await t.signedIn("success-manager");
    const list = await manager.get("/console/rules");
    assertEquals(list.status, 200);
    assertMatch(list.html, /<a class="button" href="\/console\/rules\/new">New rule<\/a>/);
    assertMatch(list.html, /2 rules/);
    const row =
      list.html.match(/<tr><th scope="row"><a href="\/console\/rules\/low-health">.*?<\/tr>/s)![0];
    assertMatch(row, /<td data-label="Status">draft<\/td>/);
    assertMatch(row, /<td data-label="Version">none<\/td>/);
    assertMatch(row, /<td data-label="Priority">5<\/td>/);
    assertMatch(row, /<td data-label="Owner">ana@example.com<\/td>/);
    assertEquals(draft.status, "draft");

    const filtered = await manager.get("/console/rules?status=published");
    assertMatch(filtered.html, /1 rule</);
    assert(!filtered.html.includes('/console/rules/low-health"'), "drafts are filtered out");
    assertMatch((await manager.get("/console/rules?q=dorm")).html, /1 rule</);

    const analyst = await t.signedIn("success-analyst");
    for (const path of ["/console/rules", "/console/rules/low-health", "/console/rules/new"]) {
      assertEquals((await analyst.get(path)).status, 403, path);
    }
  });
});

Deno.test("console rules: the builder offers the catalog's facts with description and unit, and operators by type", async () => {
  await withConsole(async (t) => {
    await ruleExists(t);
    const admin = await t.signedIn("admin");
    const page = await admin.get("/console/rules/low-health");
    assertEquals(page.status, 200);
    assertMatch(page.html, /<script src="\/console\/static\/rules.js" defer=""><\/script>/);
    // The comparison's fact, its help, the operators of a number and a number input.
    assertMatch(page.html, /<option value="healthScore" selected="">healthScore<\/option>/);
    assertMatch(
      page.html,
      /id="rb-conditions-all-0-fact-hint">The latest health score; higher is healthier \(points \(0–100\)\); number</,
    );
    assertMatch(
      page.html,
      /<option value="greaterThanInclusive">is at least<\/option>/,
    );
    assert(
      !/id="rb-conditions-all-0-operator".*?contains/s.test(
        page.html.split("rb-conditions-all-0-value")[0]!,
      ),
    );
    assertMatch(page.html, /id="rb-conditions-all-0-value"[^>]*data-kind="number"[^>]*value="40"/);
    // The event: the template among the templates, the channel, cooldown and holdout.
    assertMatch(page.html, /<option value="onboarding_nudge" selected="" data-channel="email">/);
    assertMatch(page.html, /id="rb-event-params-cooldownDays"[^>]*value="14"/);
    assertMatch(page.html, /id="rb-event-params-holdout"[^>]*value="0"/);
    // The JSON view holds the same rule.
    const json = decoded(
      page.html.match(/<textarea id="f-definition"[^>]*>(.*?)<\/textarea>/s)![1]!,
    );
    assertEquals(JSON.parse(json), lowHealth());
    assertMatch(page.html, /href="\/console\/rules\/low-health\/history">History</);
  });
});

Deno.test("console rules: the validation endpoint names each mistake's path; a form without the CSRF token is refused", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await admin.get("/console/rules/new");
    const rule = lowHealth();
    rule.conditions.all = [
      { fact: "healtScore", operator: "lessThan", value: 40 },
      { fact: "plan", operator: "greaterThan", value: 3 },
      { fact: "healthScore", operator: "lessThan", value: "forty" as unknown as number },
    ];
    const answer = await validate(admin, t.origin, JSON.stringify(rule));
    assertEquals(answer.status, 200);
    const { issues } = JSON.parse(answer.body) as {
      issues: Array<{ path: string; message: string }>;
    };
    assertEquals(issues.map((i) => i.path), [
      "conditions.all[0].fact",
      "conditions.all[1].operator",
      "conditions.all[2].value",
    ]);
    assertMatch(issues[0]!.message, /unknown fact "healtScore". Did you mean "healthScore"\?/);
    assertMatch(issues[1]!.message, /greaterThan does not fit plan, a string/);
    assertMatch(issues[2]!.message, /must be a number for healthScore, not string/);

    const broken = JSON.parse((await validate(admin, t.origin, '{\n  "conditions": x\n}')).body);
    assertEquals(broken.parseError.line, 2);
    assertEquals(broken.parseError.column, 17);
    assertEquals(JSON.parse((await validate(admin, t.origin, JSON.stringify(lowHealth()))).body), {
      issues: [],
    });

    admin.csrf = "forged";
    assertEquals((await validate(admin, t.origin, "{}")).status, 403);
    const save = await admin.post("/console/rules/new", {
      id: "x",
      name: "X",
      definition: JSON.stringify(lowHealth()),
      action: "save",
    });
    assertEquals(save.status, 403);
    assertEquals((await t.api.db.query("select id from rules")).length, 0);
  });
});

Deno.test("console rules: saving an invalid rule shows each error beside its field and keeps what was typed", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await admin.get("/console/rules/new");
    const rule = lowHealth();
    rule.conditions.all[0]!.value = "forty" as unknown as number;
    rule.event.params.template = "no_such_template";
    const typed = JSON.stringify(rule);
    const page = await admin.post("/console/rules/new", {
      _page: "/console/rules/new",
      id: "Bad Id",
      name: "Typed name",
      description: "",
      owner: "",
      definition: typed,
      action: "save",
    });
    assertEquals(page.status, 422);
    assertMatch(page.html, /The rule was not saved: correct the fields marked below/);
    assertMatch(page.html, /id="f-id-error">must be lower-case letters/);
    assertMatch(
      page.html,
      /id="rb-conditions-all-0-value"[^>]*aria-invalid="true" aria-describedby="rb-conditions-all-0-value-error"/,
    );
    assertMatch(
      page.html,
      /id="rb-conditions-all-0-value-error">must be a number for healthScore, not string/,
    );
    assertMatch(
      decoded(page.html),
      /id="rb-event-params-template-error">unknown template "no_such_template"/,
    );
    assertMatch(page.html, /value="Typed name"/);
    assertMatch(page.html, /value="forty"/);
    const json = decoded(
      page.html.match(/<textarea id="f-definition"[^>]*>(.*?)<\/textarea>/s)![1]!,
    );
    assertEquals(json, typed);

    // Not JSON at all: the JSON view says where.
    const broken = await admin.post("/console/rules/new", {
      id: "x",
      name: "X",
      definition: '{"conditions": }',
      action: "save",
    });
    assertEquals(broken.status, 422);
    assertMatch(
      broken.html,
      /id="f-definition-error">Not valid JSON at line 1, column 16: expected a value/,
    );
    assertEquals((await t.api.db.query("select id from rules")).length, 0);
  });
});

Deno.test("console rules: publishing needs a reason, and publishes with an audit entry as the API does", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await admin.get("/console/rules/new");
    const fields = {
      _page: "/console/rules/new",
      id: "low-health",
      name: "Low health",
      description: "Health under 40",
      owner: "admin@example.com",
      definition: JSON.stringify(lowHealth()),
      action: "publish",
    };
    const noReason = await admin.post("/console/rules/new", { ...fields, reason: "  " });
    assertEquals(noReason.status, 422);
    assertMatch(noReason.html, /id="f-reason-error">is required to publish/);
    assertEquals((await t.api.db.query("select id from rules")).length, 0);

    const published = await admin.post("/console/rules/new", { ...fields, reason: "first cut" });
    assertEquals(published.status, 303);
    assertEquals(published.location, "/console/rules/low-health?done=published");
    const rule = await getRule(t.api.db, "low-health");
    assertEquals([rule.status, rule.version], ["published", 1]);
    const { entries } = await listAudit(t.api.db, { limit: 10, subjectId: "low-health" });
    assertEquals(entries.map((e) => e.action), ["rule.published", "rule.created"]);
    assertEquals(entries[0]!.reason, "first cut");
    assertMatch(entries[0]!.actor, /^user:\d+/);
    const page = await admin.get(published.location!);
    assertMatch(page.html, /Published: the new version runs from the next cycle on/);
    const audit = await admin.get("/console/audit?subjectId=low-health");
    assertMatch(audit.html, /<strong>rule.published<\/strong> on rule <code>low-health<\/code>/);

    // With approvals on, publishing files a request and says so.
    await setApprovalsRequired(t.api.db, true, change);
    const edit = await admin.get("/console/rules/low-health");
    assertMatch(edit.html, />Submit for approval</);
    const requested = await admin.post("/console/rules/low-health", {
      _page: "/console/rules/low-health",
      revision: String(rule.revision),
      name: "Low health",
      description: "Health under 35",
      owner: "admin@example.com",
      definition: JSON.stringify(lowHealth(35)),
      action: "publish",
      reason: "tighter",
    });
    assertEquals(requested.location, "/console/rules/low-health?done=requested");
    const waiting = await admin.get(requested.location!);
    assertMatch(waiting.html, /Sent for approval/);
    assertMatch(
      waiting.html,
      /Waiting for approval since .* \(asked by user:\d+ \(admin@example.com\): tighter\)/,
    );
    assertEquals((await getRule(t.api.db, "low-health")).version, 1);
    assert(!waiting.html.includes("Approve and publish"), "nobody approves their own change");
    const own = await admin.post("/console/rules/low-health/decision", { decision: "approve" });
    assertEquals(own.status, 403);

    // Someone else approves it, which publishes it.
    const ben = await t.signedIn("success-manager", "ben@example.com");
    const review = await ben.get("/console/rules/low-health");
    assertMatch(review.html, />Approve and publish</);
    const approved = await ben.post("/console/rules/low-health/decision", {
      _page: "/console/rules/low-health",
      decision: "approve",
      reason: "looks right",
    });
    assertEquals(approved.location, "/console/rules/low-health?done=approved");
    const after = await getRule(t.api.db, "low-health");
    assertEquals([after.version, after.description], [2, "Health under 35"]);
    const [last] = (await listAudit(t.api.db, { limit: 1, subjectId: "low-health" })).entries;
    assertEquals([last!.action, last!.reason], ["rule.publish_approved", "looks right"]);
  });
});

Deno.test("console rules: the simulation shows the engine's numbers and the customers, against what is live", async () => {
  await withConsole(async (t) => {
    await seedDemoData(t.api.db, {
      customers: 40,
      days: 60,
      seed: 4,
      asOf: NOW,
      historyWeeks: 0,
      scoring: scoringSettings(t.api.config),
    });
    const catalog = await loadFactCatalog(t.api.db);
    const live = {
      ...lowHealth(),
      conditions: { all: [{ fact: "plan", operator: "equal", value: "starter" }] },
    };
    await createRule(
      t.api.db,
      { id: "plan-rule", name: "Plan", definition: live },
      { catalog },
      change,
    );
    await publishRule(t.api.db, "plan-rule", 1, { catalog }, { ...change, reason: "live" });
    const admin = await t.signedIn("admin");
    const rule = await getRule(t.api.db, "plan-rule");
    await admin.get("/console/rules/plan-rule");
    const edited = {
      ...live,
      conditions: { any: [{ fact: "plan", operator: "in", value: ["professional", "scale"] }] },
    };
    const page = await admin.post("/console/rules/plan-rule", {
      _page: "/console/rules/plan-rule",
      revision: String(rule.revision),
      name: "Plan",
      description: "",
      owner: "",
      definition: JSON.stringify(edited),
      action: "simulate",
    });
    assertEquals(page.status, 200);
    const engine = await simulatePopulation(
      t.api.db,
      [{ id: "plan-rule", definition: validateRuleDefinition(edited, { catalog }) }],
      { asOf: NOW, batchSize: 1000 },
    );
    const impact = engine.rules.find((r) => r.ruleId === "plan-rule")!;
    assert(impact.withDrafts > 0 && impact.published > 0, "the demo has each plan");
    const text = page.html.replace(/<[^>]+>/g, "");
    assertMatch(
      text,
      new RegExp(`Would fire for ${impact.withDrafts} customers? of the ${engine.customers}`),
    );
    assertMatch(
      text,
      new RegExp(
        `fires for ${impact.published} customers?: ${impact.newlyFiring} would start firing and ${impact.noLongerFiring} would stop`,
      ),
    );
    assertMatch(text, new RegExp(`Would stop firing \\(${impact.noLongerFiring}\\)`));
    const links = [...page.html.matchAll(/<a href="\/console\/customers\/([^"]+)">/g)];
    assert(links.length > 0, "customers are listed with links");
    // Simulating saves nothing.
    assertEquals((await getRule(t.api.db, "plan-rule")).revision, rule.revision);
  });
});
