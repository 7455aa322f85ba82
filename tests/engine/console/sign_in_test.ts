/** Console sign-in over real HTTP: sessions, cookies, CSRF, lockout, expiry. */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { PASSWORD, withConsole } from "../../helpers/console.ts";

Deno.test("console sign-in: a right password opens a session in an HttpOnly SameSite cookie; sign-out ends it", async () => {
  await withConsole(async (t) => {
    await t.user("ana@example.com", "success-manager", "Ana");
    const browser = t.client();
    const signIn = await browser.get("/console/sign-in");
    assertEquals(signIn.status, 200);
    assertMatch(signIn.html, /<label for="f-email">Email<\/label>/);
    const answer = await browser.signIn("Ana@Example.com", PASSWORD);
    assertEquals([answer.status, answer.location], [303, "/console"]);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("cse_session="))!;
    assertMatch(cookie, /HttpOnly/);
    assertMatch(cookie, /SameSite=Lax/);
    // The whole site: console pages open the dashboard WebSocket with it (feed_session_test.ts).
    assertMatch(cookie, /Path=\/;/);
    assert(!/Secure/.test(cookie), "no Secure flag over plain http");
    const home = await browser.get("/console");
    assertEquals(home.status, 200);
    assertMatch(home.html, /<span>Ana <span class="role">\(success-manager\)<\/span><\/span>/);
    assertMatch(home.headers.get("content-security-policy")!, /script-src 'self'/);

    const out = await browser.post("/console/sign-out", {});
    assertEquals([out.status, out.location], [303, "/console/sign-in"]);
    const after = await browser.get("/console");
    assertEquals(after.status, 303);
    const rows = await t.api.db.query("select 1 from user_sessions");
    assertEquals(rows.length, 0);
  });
});

Deno.test("console sign-in: the cookie is Secure when PUBLIC_URL is https", async () => {
  await withConsole(async (t) => {
    await t.user("ana@example.com", "admin");
    const answer = await t.client().signIn("ana@example.com", PASSWORD);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("cse_session="))!;
    assertMatch(cookie, /; Secure/);
  }, { env: { PUBLIC_URL: "https://success.example.com" } });
});

Deno.test("console sign-in: a wrong password says so without telling whether the email exists; both are audited", async () => {
  await withConsole(async (t) => {
    await t.user("ana@example.com", "admin");
    const browser = t.client();
    const wrong = await browser.signIn("ana@example.com", "not the password");
    const unknown = await browser.signIn("nobody@example.com", PASSWORD);
    for (const page of [wrong, unknown]) {
      assertEquals(page.status, 401);
      assertMatch(page.html, /role="alert">The email or the password is wrong\./);
    }
    assertMatch(wrong.html, /value="ana@example.com"/);
    const entries = await t.api.db.query<{ action: string; subject_id: string; actor: string }>(
      "select action, subject_id, actor from audit_log where action like 'user.sign_in%' order by id",
    );
    assertEquals(entries.map((e) => [e.action, e.actor]), [
      ["user.sign_in_failed", "user:1 (ana@example.com)"],
      ["user.sign_in_failed", "anonymous"],
    ]);
  });
});

Deno.test("console sign-in: five failures lock the account for 15 minutes, saying until when; an admin unlocks it", async () => {
  await withConsole(async (t) => {
    const ana = await t.user("ana@example.com", "success-analyst");
    const browser = t.client();
    for (let i = 0; i < 4; i++) {
      assertEquals((await browser.signIn("ana@example.com", "guess number " + i)).status, 401);
    }
    const fifth = await browser.signIn("ana@example.com", "guess number 5");
    assertEquals(fifth.status, 403);
    assertMatch(
      fifth.html,
      /locked after 5 failed sign-ins until 2026-06-15 12:15 UTC\. Try again then, or ask an admin/,
    );
    // Locked: even the right password is refused, and the lock holds until its time.
    assertEquals((await browser.signIn("ana@example.com", PASSWORD)).status, 403);
    const locked = await t.api.db.query<{ action: string }>(
      "select action from audit_log where action = 'user.locked'",
    );
    assertEquals(locked.length, 1);

    const admin = await t.signedIn("admin");
    const users = await admin.get("/console/users");
    assertMatch(users.html, /locked until 2026-06-15 12:15 UTC/);
    const unlocked = await admin.post(`/console/users/${ana.id}`, {
      change: "unlock",
      _page: "/console/users",
    });
    assertEquals(unlocked.status, 303);
    assertMatch((await admin.get(unlocked.location!)).html, /Unlocked ana@example.com\./);
    assertEquals((await browser.signIn("ana@example.com", PASSWORD)).status, 303);
  });
});

Deno.test("console sign-in: the lock ends by itself after its time", async () => {
  await withConsole(async (t) => {
    await t.user("ana@example.com", "success-analyst");
    const browser = t.client();
    for (let i = 0; i < 5; i++) await browser.signIn("ana@example.com", "wrong password " + i);
    t.clock.advance(15 * 60_000);
    assertEquals((await browser.signIn("ana@example.com", PASSWORD)).status, 303);
  });
});

Deno.test("console forms: a POST without its session's CSRF token is refused with 403 and changes nothing", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    const forged = await admin.post("/console/users", {
      _csrf: "forged",
      email: "eve@example.com",
      displayName: "Eve",
      role: "admin",
      password: "a long enough password",
    });
    assertEquals(forged.status, 403);
    assertMatch(forged.html, /<h1>This form cannot be accepted<\/h1>/);
    assertMatch(forged.html, /nothing was changed/);
    assertEquals(
      (await t.api.db.query("select 1 from users where email = 'eve@example.com'")).length,
      0,
    );

    // The sign-in form too: without the cookie's double-submit token, no sign-in.
    const stranger = t.client();
    const loginCsrf = await stranger.post("/console/sign-in", {
      email: "admin@example.com",
      password: PASSWORD,
    });
    assertEquals(loginCsrf.status, 403);
  });
});

Deno.test("console sessions: an idle or too old session returns to sign-in and then to the page it was on", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    t.clock.advance(29 * 60_000);
    assertEquals(
      (await admin.get("/console/audit")).status,
      200,
      "29 idle minutes: still signed in",
    );
    t.clock.advance(31 * 60_000);
    const expired = await admin.get("/console/audit?action=user.created");
    assertEquals(expired.status, 303);
    assertEquals(
      expired.location,
      `/console/sign-in?return=${encodeURIComponent("/console/audit?action=user.created")}`,
    );
    const signIn = await admin.get(expired.location!);
    assertMatch(signIn.html, /name="return" value="\/console\/audit\?action=user.created"/);
    const back = await admin.signIn(
      "admin@example.com",
      PASSWORD,
      "/console/audit?action=user.created",
    );
    assertEquals(back.location, "/console/audit?action=user.created");

    // Active all along, the session still ends 12 hours after sign-in.
    for (let hour = 0; hour < 12; hour++) {
      t.clock.advance(20 * 60_000);
      await admin.get("/console");
      t.clock.advance(40 * 60_000);
    }
    assertEquals((await admin.get("/console")).status, 303);
  });
});

Deno.test("console sessions: a form sent after the session ended keeps what was typed through sign-in", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    await admin.get("/console/users");
    t.clock.advance(31 * 60_000);
    const sent = await admin.post("/console/users", {
      _page: "/console/users",
      email: "ben@example.com",
      displayName: "Ben Okafor",
      role: "success-manager",
      password: "a long enough password",
    });
    assertEquals(sent.status, 401);
    assertMatch(sent.html, /Your session ended before the form was sent/);
    assert(!sent.html.includes("a long enough password"), "the password is never kept");
    const draft = sent.html.match(/name="draft" value="([^"]+)"/)![1]!;
    const back = await admin.post("/console/sign-in", {
      _sign_in: admin.signInToken,
      return: "/console/users",
      draft: draft.replaceAll("&quot;", '"'),
      email: "admin@example.com",
      password: PASSWORD,
    });
    assertEquals(back.location, "/console/users");
    const form = await admin.get("/console/users");
    assertMatch(form.html, /This is what you had typed before your session ended/);
    assertMatch(form.html, /name="email" type="email" value="ben@example.com"/);
    assertMatch(form.html, /value="Ben Okafor"/);
    assertMatch(form.html, /<option value="success-manager" selected="">/);
    // Offered once: the next visit shows an empty form.
    assert(!(await admin.get("/console/users")).html.includes("Ben Okafor"));
  });
});

Deno.test("console: a disabled user cannot sign in, and disabling ends their sessions", async () => {
  await withConsole(async (t) => {
    const admin = await t.signedIn("admin");
    const ben = await t.signedIn("success-manager", "ben@example.com");
    const benId = (await t.api.db.query<{ id: number }>(
      "select id from users where email = 'ben@example.com'",
    ))[0]!.id;
    await admin.get("/console/users");
    const disabled = await admin.post(`/console/users/${benId}`, {
      change: "disable",
      _page: "/console/users",
    });
    assertEquals(disabled.status, 303);
    assertEquals((await ben.get("/console")).status, 303);
    const again = await t.client().signIn("ben@example.com", PASSWORD);
    assertEquals(again.status, 403);
    assertMatch(again.html, /This account is disabled\. Ask an admin to enable it\./);
  });
});
