/** `deno task user:create` as an admin runs it: the password from the environment or stdin. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("user:create makes a console user from flags and a password never given as a flag", async () => {
  const test = await createTestDbEnv();
  try {
    const fromEnv = await runScript(
      "cli/user_create.ts",
      ["--email", "Ana@Example.com", "--name", "Ana Lima", "--role", "admin"],
      { ...test.env, USER_PASSWORD: "a long enough password" },
    );
    assertEquals(fromEnv.code, 0, fromEnv.stderr);
    assertMatch(
      fromEnv.stdout,
      /Created user 1 ana@example.com \("Ana Lima"\) with the role admin/,
    );

    // From standard input, as a script pipes it.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "cli/user_create.ts",
        "--email",
        "ben@example.com",
        "--name",
        "Ben",
        "--role",
        "success-analyst",
      ],
      cwd: ROOT,
      env: { ...test.env, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("another long password\n"));
    await writer.close();
    const piped = await child.output();
    assertEquals(piped.code, 0, new TextDecoder().decode(piped.stderr));

    const rows = await withDbAt(
      test.env,
      (db) =>
        db.query<{ email: string; role: string; password_hash: string; created_by: string }>(
          "select email, role, password_hash, created_by from users order by id",
        ),
    );
    assertEquals(rows.map((r) => [r.email, r.role]), [
      ["ana@example.com", "admin"],
      ["ben@example.com", "success-analyst"],
    ]);
    assertMatch(
      rows[0]!.password_hash,
      /^pbkdf2-sha256\$600000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/,
    );
    assert(!rows[0]!.password_hash.includes("a long enough password"));
    assertMatch(rows[0]!.created_by, /^local:cli \(/);
    const audited = await withDbAt(
      test.env,
      (db) =>
        db.query<{ action: string; after: Record<string, unknown> }>(
          "select action, after from audit_log where subject_type = 'user' order by id",
        ),
    );
    assertEquals(audited.map((a) => a.action), ["user.created", "user.created"]);
    assert(!JSON.stringify(audited).includes("pbkdf2"), "no password hash in the audit log");

    const short = await runScript(
      "cli/user_create.ts",
      ["--email", "cho@example.com", "--name", "Cho", "--role", "admin"],
      { ...test.env, USER_PASSWORD: "short" },
    );
    assertEquals(short.code, 1);
    assertMatch(short.stderr, /password: must be at least 12 characters/);
    const taken = await runScript(
      "cli/user_create.ts",
      ["--email", "ANA@example.com", "--name", "Ana again", "--role", "admin"],
      { ...test.env, USER_PASSWORD: "a long enough password" },
    );
    assertEquals(taken.code, 1);
    assertMatch(taken.stderr, /A user with the email ana@example.com exists already/);
    const badRole = await runScript(
      "cli/user_create.ts",
      ["--email", "dan@example.com", "--name", "Dan", "--role", "owner"],
      { ...test.env, USER_PASSWORD: "a long enough password" },
    );
    assertMatch(badRole.stderr, /role: must be one of success-analyst, success-manager, admin/);
  } finally {
    await test.drop();
  }
});
