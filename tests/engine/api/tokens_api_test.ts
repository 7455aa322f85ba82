import { assert, assertEquals, assertMatch, assertNotEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { sha256Hex } from "../../../engine/hash.ts";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

Deno.test("an admin creates a token: the secret is shown once, stored hashed, and works", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/tokens", {
      role: "success-analyst",
      name: "weekly report",
    });
    assertEquals(created.status, 201);
    assertEquals(created.headers.get("cache-control"), "no-store");
    assertMatch(created.body.token, /^cse_[A-Za-z0-9_-]{43}$/);
    assertEquals(created.body.prefix, created.body.token.slice(0, 12));
    assertEquals([created.body.role, created.body.status], ["success-analyst", "active"]);
    assertMatch(created.body.createdBy, /^token:\d+ \(test-admin\)$/);

    const [stored] = await api.db.query<{ token_hash: string }>(
      "select token_hash from api_tokens where id = $1",
      [created.body.id],
    );
    assertEquals(stored!.token_hash, await sha256Hex(created.body.token));

    const read = await api.call("GET", `/api/v1/tokens/${created.body.id}`);
    assertEquals(read.body.token, undefined, "the secret is never shown again");
    const me = await api.call("GET", "/api/v1/me", undefined, bearer(created.body.token));
    assertEquals(me.body.role, "success-analyst");
    assertEquals(me.body.permissions, ["read:metrics", "read:reports"]);

    const listed = await api.call("GET", "/api/v1/tokens?role=success-analyst&limit=1");
    assertEquals(listed.body.items.map((t: { name: string }) => t.name), ["weekly report"]);
    assertEquals(listed.body.nextCursor, String(created.body.id));
    assertEquals(JSON.stringify(listed.body).includes(created.body.token), false);
  });
});

Deno.test("missing, malformed, expired and revoked tokens all get the same 401", async () => {
  let now = NOW;
  await withApi(async (api) => {
    const expiring = await api.call("POST", "/api/v1/tokens", {
      role: "success-manager",
      name: "contractor",
      expiresAt: new Date(NOW.getTime() + 3_600_000).toISOString(),
    });
    const revoked = await api.call("POST", "/api/v1/tokens", { role: "admin", name: "old" });
    assertEquals(
      (await api.call("GET", "/api/v1/me", undefined, bearer(revoked.body.token))).status,
      200,
    );
    const revocation = await api.call("DELETE", `/api/v1/tokens/${revoked.body.id}`);
    assertEquals(revocation.body.status, "revoked");
    assertMatch(revocation.body.revokedBy, /^token:\d+ \(test-admin\)$/);
    now = new Date(NOW.getTime() + 2 * 3_600_000);

    const answers = await Promise.all([
      api.call("GET", "/api/v1/customers", undefined, { authorization: "" }),
      api.call("GET", "/api/v1/customers", undefined, { authorization: "Bearer nope" }),
      api.call("GET", "/api/v1/customers", undefined, { authorization: "Basic abc" }),
      api.call("GET", "/api/v1/customers", undefined, bearer(expiring.body.token)),
      api.call("GET", "/api/v1/customers", undefined, bearer(revoked.body.token)),
      api.call("GET", "/api/v1/customers", undefined, bearer(`cse_${"A".repeat(43)}`)),
    ]);
    for (const answer of answers) {
      assertEquals(answer.status, 401);
      assertEquals(
        answer.headers.get("www-authenticate"),
        'Bearer realm="customer-success-engine"',
      );
      assertEquals(answer.body.code, "UNAUTHENTICATED");
      assertEquals(answer.body.detail, answers[0]!.body.detail, "401s do not say what was wrong");
    }
    const expired = await api.call("GET", `/api/v1/tokens/${expiring.body.id}`);
    assertEquals(expired.body.status, "expired");
  }, { clock: { now: () => now } });
});

Deno.test("a wrong role is a 403 that names the permission and the roles that have it", async () => {
  await withApi(async (api) => {
    const answer = await api.call("POST", "/api/v1/events", { events: [] }, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals([answer.status, answer.body.code], [403, "FORBIDDEN"]);
    assertEquals(
      answer.body.detail,
      "POST /api/v1/events needs the permission write:signals; your token's role " +
        "success-analyst has read:metrics, read:reports. Use a token with the role admin",
    );
    const tokens = await api.call("GET", "/api/v1/tokens", undefined, {
      authorization: `Bearer ${api.tokens["success-manager"]}`,
    });
    assertEquals(tokens.status, 403, "managers read everything but cannot manage tokens");
  });
});

Deno.test("token input is validated, and a past expiry is refused", async () => {
  await withApi(async (api) => {
    const bad = await api.call("POST", "/api/v1/tokens", { role: "owner", name: "", extra: 1 });
    assertEquals(bad.status, 400);
    assertEquals(bad.body.errors.map((e: { path: string }) => e.path).sort(), [
      "(body)",
      "name",
      "role",
    ]);
    const past = await api.call("POST", "/api/v1/tokens", {
      role: "admin",
      name: "late",
      expiresAt: "2020-01-01T00:00:00Z",
    });
    assertEquals([past.status, past.body.errors[0].path], [400, "expiresAt"]);
    const missing = await api.call("DELETE", "/api/v1/tokens/424242");
    assertEquals([missing.status, missing.body.code], [404, "TOKEN_NOT_FOUND"]);
  });
});

Deno.test("token changes are audit entries with their actor, in a chain that shows tampering", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/tokens", { role: "admin", name: "ops" }, {
      authorization: `Bearer ${api.tokens.admin}`,
      "x-request-id": "req-create-ops",
    });
    await api.call("DELETE", `/api/v1/tokens/${created.body.id}`);
    const audit = await api.call(
      "GET",
      `/api/v1/audit?subjectType=token&subjectId=${created.body.id}`,
    );
    assertEquals(audit.body.items.map((e: { action: string }) => e.action), [
      "token.revoked",
      "token.created",
    ]);
    const [revokedEntry, createdEntry] = audit.body.items;
    assertMatch(createdEntry.actor, /^token:\d+ \(test-admin\)$/);
    assertEquals(createdEntry.requestId, "req-create-ops");
    assertEquals(createdEntry.after.name, "ops");
    assertEquals(JSON.stringify(audit.body).includes(created.body.token), false);
    assertEquals(revokedEntry.before.revokedAt, null);
    assertNotEquals(revokedEntry.after.revokedAt, null);
    assertEquals(revokedEntry.prevHash, createdEntry.hash);

    const intact = await api.call("GET", "/api/v1/audit/verify");
    assertEquals(intact.body.valid, true);
    assert(intact.body.entries >= 5); // the test tokens, then these two

    let refused = "";
    await api.db.query("update audit_log set actor = 'someone else' where id = $1", [
      createdEntry.id,
    ]).catch((error) => (refused = String(error)));
    assertMatch(refused, /audit_log is append-only/);
    // What only the database owner can do: switch the guard off and edit history.
    await api.db.exec("alter table audit_log disable trigger audit_log_append_only");
    await api.db.query("update audit_log set actor = 'someone else' where id = $1", [
      createdEntry.id,
    ]);
    const broken = await api.call("GET", "/api/v1/audit/verify");
    assertEquals([broken.body.valid, broken.body.firstBrokenId], [false, createdEntry.id]);
  });
});

Deno.test("each token has its own rate limit: 429 with Retry-After when it is spent", async () => {
  await withApi(async (api) => {
    const analyst = { authorization: `Bearer ${api.tokens["success-analyst"]}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await api.call("GET", "/api/v1/me", undefined, analyst)).status);
    }
    assertEquals(statuses, [200, 200, 200, 429]);
    const limited = await api.call("GET", "/api/v1/me", undefined, analyst);
    assertEquals(limited.body.code, "RATE_LIMITED");
    assertEquals(limited.headers.get("retry-after"), "1");
    assertEquals(limited.headers.get("ratelimit-remaining"), "0");
    const other = await api.call("GET", "/api/v1/me");
    assertEquals(other.status, 200, "another token is not limited");
    assertEquals(other.headers.get("ratelimit-limit"), "3");
  }, { env: { RATE_LIMIT_BURST: "3", RATE_LIMIT_PER_MINUTE: "60" } });
});
