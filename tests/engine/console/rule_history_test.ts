/**
 * The console's rule history and concurrent edits over HTTP: each version's
 * diff, rollback with a reason, two editors in conflict (both versions
 * shown, nothing overwritten), and a rule kept through an expired session.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { type ConsoleClient, PASSWORD, withConsole } from "../../helpers/console.ts";
import { getRule } from "../../../engine/rules/mod.ts";
import { decoded, lowHealth, ruleExists } from "./rules_fixtures.ts";

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
