/** `deno task audit:verify` on an intact and on a tampered audit log; the log's time filters. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";
import { appendAudit, listAudit } from "../../engine/audit/mod.ts";

Deno.test("audit:verify says the log is intact, and names the first entry someone edited", async () => {
  const test = await createTestDbEnv();
  try {
    await withDbAt(test.env, async (db) => {
      for (const [i, day] of ["2026-06-01", "2026-06-02", "2026-06-03"].entries()) {
        await appendAudit(db, {
          at: new Date(`${day}T10:00:00Z`),
          actor: "token:1 (test)",
          action: "rule.published",
          subjectType: "rule",
          subjectId: `rule-${i}`,
          after: { version: i + 1 },
        });
      }
      const between = await listAudit(db, {
        limit: 10,
        since: new Date("2026-06-02T00:00:00Z"),
        until: new Date("2026-06-03T00:00:00Z"),
      });
      assertEquals(between.entries.map((e) => e.subjectId), ["rule-1"]);
    });
    const intact = await runScript("cli/audit_verify.ts", [], test.env);
    assertEquals(intact.code, 0, intact.stderr);
    assertMatch(intact.stdout, /The audit log is intact: 3 entries, last hash [0-9a-f]{64}/);

    // Someone with the database's owner rights switches the guard off and rewrites history.
    await withDbAt(test.env, async (db) => {
      await db.exec(`alter table audit_log disable trigger audit_log_append_only;
        update audit_log set actor = 'someone else' where subject_id = 'rule-1';
        alter table audit_log enable trigger audit_log_append_only;`);
    });
    const broken = await runScript("cli/audit_verify.ts", [], test.env);
    assertEquals(broken.code, 1);
    const [row] = await withDbAt(
      test.env,
      (db) => db.query<{ id: number }>("select id from audit_log where subject_id = 'rule-1'"),
    );
    assert(
      broken.stderr.includes(`entry ${row!.id} does not follow from the one before`),
      broken.stderr,
    );
  } finally {
    await test.drop();
  }
});
