/**
 * The console's rule builder over HTTP: the list and builder by role, the
 * validation endpoint's path-mapped errors, saving with errors beside their
 * fields, publishing with a reason (and its audit entry), simulation against
 * the engine's own numbers, history with diffs, rollback, and two editors in
 * conflict.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { type ConsoleClient, PASSWORD, withConsole } from "../../helpers/console.ts";
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

const change = { actor: "test", now: NOW, requestId: null };

/** A valid definition: an email nudge for low health. */
function lowHealth(threshold = 40) {
  return {
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: threshold }] },
    event: {
      type: "intervention",
      params: {
        template: "onboarding_nudge",
        channel: "email",
        priority: 50,
        cooldownDays: 14,
        holdout: 0,
      },
    },
    priority: 5,
  };
}

/** Text as the page's HTML shows it, decoded. */
function decoded(html: string): string {
  return html.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** The JSON the validation endpoint answers for `definition`. */
async function validate(client: ConsoleClient, origin: string, definition: string) {
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const response = await fetch(`${origin}/console/rules/validate`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: client.csrf, _page: "/console/rules/new", definition }),
  });
  return { status: response.status, body: await response.text() };
}

async function ruleExists(t: Parameters<Parameters<typeof withConsole>[0]>[0], id = "low-health") {
  const context = { catalog: await loadFactCatalog(t.api.db) };
  return await createRule(
    t.api.db,
    {
      id,
      name: "Low health",
      description: "Health under 40",
      owner: "ana@example.com",
      definition: lowHealth(),
    },
    context,
    change,
  );
}

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
    assertMatch(page.html, /<option value="greaterThanInclusive">greaterThanInclusive<\/option>/);
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

Deno.test("console rules: the history shows each version's diff, and rolls back with a reason", async () => {
  await withConsole(async (t) => {
    await ruleExists(t);
    const admin = await t.signedIn("admin");
    for (const [threshold, reason] of [[40, "first"], [30, "too many"]] as const) {
      const rule = await getRule(t.api.db, "low-health");
      await admin.get("/console/rules/low-health");
      const sent = await admin.post("/console/rules/low-health", {
        _page: "/console/rules/low-health",
        revision: String(rule.revision),
        name: "Low health",
        description: "",
        owner: "",
        definition: JSON.stringify(lowHealth(threshold)),
        action: "publish",
        reason,
      });
      assertEquals(sent.status, 303);
    }
    const history = await admin.get("/console/rules/low-health/history");
    assertEquals(history.status, 200);
    assertMatch(history.html, /<strong>Version 2<\/strong> \(runs now\)/);
    assertMatch(history.html, /reason: too many/);
    assertMatch(
      history.html,
      /<code>definition.conditions.all\[0\].value<\/code><\/th><td>changed<\/td><td><code>40<\/code><\/td><td><code>30<\/code>/,
    );
    assertMatch(history.html, /Roll back to version 1/);
    assert(!history.html.includes("Roll back to version 2"), "the running version is not offered");

    const revision = (await getRule(t.api.db, "low-health")).revision;
    const noReason = await admin.post("/console/rules/low-health/rollback", {
      _page: "/console/rules/low-health/history",
      version: "1",
      revision: String(revision),
      reason: "",
    });
    assertEquals(noReason.status, 422);
    assertMatch(noReason.html, /id="v1-reason-error">is required to roll back/);
    const stale = await admin.post("/console/rules/low-health/rollback", {
      version: "1",
      revision: String(revision - 1),
      reason: "back",
    });
    assertEquals(stale.status, 409);
    assertMatch(stale.html, /Someone changed the rule since you opened this page/);
    const rolled = await admin.post("/console/rules/low-health/rollback", {
      version: "1",
      revision: String(revision),
      reason: "30 was too strict",
    });
    assertEquals(rolled.location, "/console/rules/low-health/history?rolledBack=1");
    const after = await admin.get(rolled.location!);
    assertMatch(after.html, /Version 1 is published again as the newest version/);
    assertMatch(after.html, /<strong>Version 3<\/strong> \(runs now\) · restores version 1/);
    const rule = await getRule(t.api.db, "low-health");
    assertEquals(rule.published?.conditions, lowHealth(40).conditions);
  });
});

Deno.test("console rules: two people saving the same rule get a conflict showing both versions, never an overwrite", async () => {
  await withConsole(async (t) => {
    await ruleExists(t);
    const ana = await t.signedIn("admin", "ana@example.com");
    const ben = await t.signedIn("success-manager", "ben@example.com");
    const form = (client: ConsoleClient, threshold: number, description: string) => {
      const html = client === ana ? anaPage : benPage;
      return {
        _page: "/console/rules/low-health",
        revision: html.match(/name="revision" value="(\d+)"/)![1]!,
        name: "Low health",
        description,
        owner: "",
        definition: JSON.stringify(lowHealth(threshold)),
        action: "save",
      };
    };
    const anaPage = (await ana.get("/console/rules/low-health")).html;
    const benPage = (await ben.get("/console/rules/low-health")).html;
    const first = await ana.post("/console/rules/low-health", form(ana, 35, "Ana's"));
    assertEquals(first.status, 303);
    const second = await ben.post("/console/rules/low-health", form(ben, 25, "Ben's"));
    assertEquals(second.status, 409);
    assertMatch(second.html, /Someone else changed this rule while you edited it/);
    assertMatch(second.html, /user:\d+ \(ana@example.com\) saved it/);
    const panel = decoded(second.html);
    assertMatch(
      panel,
      /Theirs, as stored now<\/h3><pre class="json" tabindex="0">[^<]*"value": 35/,
    );
    assertMatch(panel, /Yours, as typed<\/h3><pre class="json" tabindex="0">[^<]*"value": 25/);
    assertMatch(
      panel,
      /<code>definition.conditions.all\[0\].value<\/code><\/th><td>changed<\/td><td><code>35<\/code><\/td><td><code>25<\/code>/,
    );
    // Ben's typing stays in the form, now based on Ana's revision; nothing of his was saved.
    const stored = await getRule(t.api.db, "low-health");
    assertEquals(stored.description, "Ana's");
    assertMatch(second.html, new RegExp(`name="revision" value="${stored.revision}"`));
    assertMatch(second.html, /value="Ben&#39;s"|value="Ben's"/);
    // Sending it again is a choice made knowingly: it now saves.
    const again = await ben.post("/console/rules/low-health", {
      ...form(ben, 25, "Ben's"),
      revision: String(stored.revision),
    });
    assertEquals(again.status, 303);
    assertEquals((await getRule(t.api.db, "low-health")).description, "Ben's");
  });
});

Deno.test("console rules: a rule sent after the session ended is kept through sign-in", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await admin.get("/console/rules/new");
    t.clock.advance(31 * 60_000);
    const definition = JSON.stringify(lowHealth(33));
    const sent = await admin.post("/console/rules/new", {
      _page: "/console/rules/new",
      id: "kept-rule",
      name: "Kept",
      description: "",
      owner: "",
      definition,
      action: "save",
    });
    assertEquals(sent.status, 401);
    const draft = sent.html.match(/name="draft" value="([^"]+)"/)![1]!;
    const back = await admin.post("/console/sign-in", {
      _sign_in: admin.signInToken,
      return: "/console/rules/new",
      draft: decoded(draft),
      email: "admin@example.com",
      password: PASSWORD,
    });
    assertEquals(back.location, "/console/rules/new");
    const page = await admin.get("/console/rules/new");
    assertMatch(page.html, /This is what you had typed before your session ended/);
    assertMatch(page.html, /value="kept-rule"/);
    const json = decoded(
      page.html.match(/<textarea id="f-definition"[^>]*>(.*?)<\/textarea>/s)![1]!,
    );
    assertEquals(json, definition);
    const saved = await admin.post("/console/rules/new", {
      _page: "/console/rules/new",
      id: "kept-rule",
      name: "Kept",
      definition: json,
      action: "save",
    });
    assertEquals(saved.location, "/console/rules/kept-rule?done=created");
  });
});
