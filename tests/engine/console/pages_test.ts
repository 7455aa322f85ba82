/** What each role sees in the console, the audit viewer, the users page, and a lost database. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { PASSWORD, withConsole } from "../../helpers/console.ts";
import { appendAudit } from "../../../engine/audit/mod.ts";

Deno.test("console: an analyst sees neither Audit nor Users in the navigation and is refused both pages", async () => {
  await withConsole(async (t) => {
    const analyst = await t.signedIn("success-analyst");
    const home = await analyst.get("/console");
    const nav = home.html.match(/<nav aria-label="Console">(.*?)<\/nav>/s)![1]!;
    assertMatch(nav, />Overview</);
    assertMatch(nav, />Customers</);
    for (const hidden of ["Audit", "Users", "Rules", "Templates"]) {
      assert(!nav.includes(`>${hidden}<`), `${hidden} is not offered to an analyst`);
    }
    for (const path of ["/console/audit", "/console/users"]) {
      const refused = await analyst.get(path);
      assertEquals(refused.status, 403, path);
      assertMatch(refused.html, /<h1>Your role does not allow this page<\/h1>/);
    }
    const post = await analyst.post("/console/users", { email: "x@example.com" });
    assertEquals(post.status, 403);

    const manager = await t.signedIn("success-manager");
    const managerNav = (await manager.get("/console")).html;
    assertMatch(managerNav, />Audit</);
    assert(!managerNav.includes(">Users<"), "only admins manage users");
    const admin = await t.signedIn("admin");
    assertMatch((await admin.get("/console")).html, />Users</);
  });
});

Deno.test("console users: the create form is checked on the server, with each error beside its field", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await admin.get("/console/users");
    const bad = await admin.post("/console/users", {
      _page: "/console/users",
      email: "not an email",
      displayName: " ",
      role: "owner",
      password: "short",
    });
    assertEquals(bad.status, 422);
    assertMatch(bad.html, /The user was not created: correct the fields marked below\./);
    assertMatch(
      bad.html,
      /aria-invalid="true" aria-describedby="f-email-error"\/><p class="error" id="f-email-error">must be an email address/,
    );
    assertMatch(bad.html, /id="f-displayName-error">must not be empty/);
    assertMatch(
      bad.html,
      /id="f-role-error">must be one of success-analyst, success-manager, admin/,
    );
    assertMatch(bad.html, /id="f-password-error">must be at least 12 characters/);
    assertMatch(bad.html, /value="not an email"/);

    const created = await admin.post("/console/users", {
      _page: "/console/users",
      email: "Ben@Example.com",
      displayName: "Ben Okafor",
      role: "success-manager",
      password: "a long enough password",
    });
    assertEquals(created.status, 303);
    const list = await admin.get(created.location!);
    assertMatch(list.html, /Created the user ben@example.com\./);
    assertMatch(list.html, /Ben Okafor<br\/><span class="muted">ben@example.com<\/span>/);
    const again = await admin.post("/console/users", {
      _page: "/console/users",
      email: "BEN@example.com",
      displayName: "Ben again",
      role: "admin",
      password: "a long enough password",
    });
    assertEquals(again.status, 422);
    assertMatch(again.html, /id="f-email-error">another user has this email/);
    assertEquals(
      (await t.client().signIn("ben@example.com", "a long enough password")).status,
      303,
    );
  });
});

Deno.test("console users: a role change applies at once and is audited with before and after", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    const ben = await t.signedIn("success-manager", "ben@example.com");
    assertEquals((await ben.get("/console/audit")).status, 200);
    const id = (await t.api.db.query<{ id: number }>(
      "select id from users where email = 'ben@example.com'",
    ))[0]!.id;
    await admin.get("/console/users");
    const changed = await admin.post(`/console/users/${id}`, {
      _page: "/console/users",
      change: "role",
      role: "success-analyst",
    });
    assertEquals(changed.status, 303);
    assertEquals((await ben.get("/console/audit")).status, 403);
    const [entry] = await t.api.db.query<{ actor: string; before: unknown; after: unknown }>(
      "select actor, before, after from audit_log where action = 'user.role_changed'",
    );
    assertEquals(entry!.actor, "user:1 (admin@example.com)");
    assertEquals((entry!.before as { role: string }).role, "success-manager");
    assertEquals((entry!.after as { role: string }).role, "success-analyst");
    // Nor can an admin demote themselves by a slip.
    const self = await admin.post("/console/users/1", {
      _page: "/console/users",
      change: "role",
      role: "success-analyst",
    });
    assertEquals(self.status, 409);
    assertMatch(self.html, /You cannot change your own role or disable yourself/);
  });
});

Deno.test("console audit: filters by actor, entity, action and time; diffs field by field; shows the chain is intact", async () => {
  await withConsole(async (t) => {
    await t.api.db.transaction(async (tx) => {
      await appendAudit(tx, {
        at: new Date("2026-06-10T09:00:00Z"),
        actor: "user:7 (cho@example.com)",
        action: "rule.edited",
        subjectType: "rule",
        subjectId: "trial-ending",
        reason: "Nudge earlier",
        before: { name: "Trial ending", priority: 5, conditions: { all: [{ value: 7 }] } },
        after: {
          name: "Trial ending",
          priority: 8,
          conditions: { all: [{ value: 10 }] },
          owner: "cs",
        },
      });
      await appendAudit(tx, {
        at: new Date("2026-06-12T09:00:00Z"),
        actor: "user:7 (cho@example.com)",
        action: "rule.published",
        subjectType: "rule",
        subjectId: "trial-ending",
        before: { status: "draft", legacy: true },
        after: { status: "published" },
      });
    });
    const manager = await t.signedIn("success-manager");
    const all = await manager.get("/console/audit");
    assertMatch(all.html, /Hash chain verified: all \d+ entries are intact\./);
    assertMatch(all.html, /<option value="user:7 \(cho@example.com\)">/);

    const edited = await manager.get(
      "/console/audit?actor=" + encodeURIComponent("user:7 (cho@example.com)") +
        "&subjectType=rule&subjectId=trial-ending&action=rule.edited",
    );
    assertEquals(edited.status, 200);
    const entries = edited.html.match(/<li class="entry">/g) ?? [];
    assertEquals(entries.length, 1);
    assertMatch(edited.html, /<strong>rule.edited<\/strong> on rule <code>trial-ending<\/code>/);
    assertMatch(edited.html, /reason: Nudge earlier/);
    assertMatch(edited.html, /3 fields changed/);
    assertMatch(
      edited.html,
      /<tr class="changed"><th scope="row"><code>conditions.all\[0\].value<\/code><\/th><td>changed<\/td><td><code>7<\/code><\/td><td><code>10<\/code><\/td><\/tr>/,
    );
    assertMatch(
      edited.html,
      /<tr class="added"><th scope="row"><code>owner<\/code><\/th><td>added<\/td><td><\/td><td><code>&quot;cs&quot;<\/code>/,
    );
    assert(!edited.html.includes("<code>name</code>"), "unchanged fields are not listed");

    const published = await manager.get("/console/audit?action=rule.published");
    assertMatch(
      published.html,
      /<tr class="removed"><th scope="row"><code>legacy<\/code><\/th><td>removed<\/td><td><code>true<\/code>/,
    );

    const window = await manager.get(
      "/console/audit?since=2026-06-11T00:00&until=2026-06-13T00:00",
    );
    assertMatch(window.html, /rule.published/);
    assert(!window.html.includes("rule.edited</strong>"), "entries before `since` are left out");

    const badTime = await manager.get("/console/audit?since=yesterday");
    assertMatch(badTime.html, /id="f-since-error">must be a date and time/);
    const none = await manager.get("/console/audit?action=nothing.happened");
    assertMatch(none.html, /No entry matches these filters\./);
  });
});

Deno.test("console audit: a broken chain is shown, naming the first broken entry", async () => {
  await withConsole(async (t) => {
    const manager = await t.signedIn("success-manager");
    // What someone with the database owner's rights could do around the trigger.
    await t.api.db.exec(`alter table audit_log disable trigger user;
      update audit_log set actor = 'someone else' where id = 1;
      alter table audit_log enable trigger user;`);
    const page = await manager.get("/console/audit");
    assertMatch(page.html, /class="status bad" role="status">Hash chain broken at entry #1/);
  });
});

Deno.test("console: an unreachable database gives a 503 page that says so", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await t.api.db.close();
    for (const path of ["/console/audit", "/console/sign-in?return=/console"]) {
      const page = path.startsWith("/console/sign-in")
        ? await t.client().signIn("admin@example.com", PASSWORD)
        : await admin.get(path);
      assertEquals(page.status, 503, path);
      assertMatch(page.html, /<h1>The database is unreachable<\/h1>/);
      assertMatch(page.html, /Try again in a minute/);
      assertEquals(page.headers.get("retry-after"), "5");
    }
  });
});
