/**
 * `deno task cycle` killed (SIGKILL) in the middle of its rules stage, then
 * run again: the second run resumes the first one's cycle from its
 * unfinished shards. PostgreSQL only: that is where several engine processes
 * share a database; the embedded database belongs to one process, and the
 * resume logic itself is tested on both backends (tests/engine/schedule).
 */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { backend, createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test({
  name: "a cycle whose process was killed mid-shard is resumed by the next run, nothing doubled",
  ignore: backend !== "postgres",
  fn: async () => {
    const test = await createTestDbEnv();
    try {
      const seeded = await runScript(
        "cli/seed.ts",
        ["--customers", "300", "--days", "10"],
        test.env,
      );
      assertEquals(seeded.code, 0, seeded.stderr);
      const rules = await runScript("cli/rules_import.ts", ["--publish"], test.env);
      assertEquals(rules.code, 0, rules.stderr);
      const env = { ...test.env, SCORING_BATCH_SIZE: "5", CYCLE_LEASE_SECONDS: "1" };
      await killWhenRulesStageRuns(env);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // Let its lease expire.

      const resumed = await runScript("cli/score.ts", [], env);
      assertEquals(resumed.code, 0, resumed.stderr);
      assertMatch(resumed.stdout, /Resuming cycle \d+: its engine stopped before finishing it/);
      assertMatch(resumed.stdout, /Cycle \d+ succeeded/);
      await withDbAt(test.env, async (db) => {
        const cycles = await db.query<{ id: number; status: string; resumes: number }>(
          "select id, status, resumes from cycles",
        );
        assertEquals(cycles.map((c) => [c.status, c.resumes]), [["succeeded", 1]]);
        const id = cycles[0]!.id;
        const [health] = await db.query<{ rows: number; customers: number }>(
          `select count(*)::int as rows, count(distinct customer_id)::int as customers
           from customer_health where cycle_id = $1`,
          [id],
        );
        assertEquals(health?.rows, health?.customers, "a customer was scored twice");
        const [firings] = await db.query<{ rows: number; pairs: number }>(
          `select count(*)::int as rows, count(distinct (customer_id, rule_id))::int as pairs
           from rule_firings where cycle_id = $1`,
          [id],
        );
        assert((firings?.rows ?? 0) > 0);
        assertEquals(firings?.rows, firings?.pairs, "a rule fired twice for a customer");
        const workers = await db.query<{ worker: string }>(
          "select distinct worker from cycle_shards where cycle_id = $1 and stage = 'rules'",
          [id],
        );
        assertEquals(workers.length, 2, "the killed run did some shards, the second the rest");
      });
    } finally {
      await test.drop();
    }
  },
});

/** Runs `deno task cycle` and kills it with SIGKILL once its rules stage shows progress. */
async function killWhenRulesStageRuns(env: Record<string, string>): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/score.ts"],
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let seen = "";
  for await (const chunk of child.stderr) {
    seen += decoder.decode(chunk);
    if (/Evaluating rules \[#+-+\] [1-8]\d%/.test(seen)) {
      child.kill("SIGKILL");
      break;
    }
  }
  const status = await child.status;
  assertEquals(status.signal, "SIGKILL", `the cycle ended before it could be killed:\n${seen}`);
}
