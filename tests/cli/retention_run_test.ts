/** `deno task retention:run`: a dry run that removes nothing, then the run, then a harmless rerun. */
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";
import {
  partitionNames,
  plantLogEvents,
  plantRetentionData,
  tableCounts,
} from "../engine/privacy/retention_fixtures.ts";

Deno.test("retention:run --dry-run lists what would go; retention:run removes it, once", async () => {
  const test = await createTestDbEnv();
  try {
    const planted = await withDbAt(test.env, async (db) => {
      await plantRetentionData(db);
      await plantLogEvents(db);
      return await tableCounts(db);
    });
    // The real clock: March and June 2024 both lie wholly before a 730-day window from now.
    const dry = await runScript("cli/retention_run.ts", ["--dry-run"], test.env);
    assertEquals(dry.code, 0, dry.stderr);
    assertMatch(dry.stdout, /^Dry run: counting data older than 730 days/);
    assertMatch(dry.stdout, /usage_events +2 rows \(usage_events_2024_03, usage_events_2024_06\)/);
    assertMatch(dry.stdout, /Would remove \d+ rows; nothing was removed/);
    await withDbAt(test.env, async (db) => assertEquals(await tableCounts(db), planted));

    const run = await runScript("cli/retention_run.ts", [], test.env);
    assertEquals(run.code, 0, run.stderr);
    assertMatch(run.stdout, /churn_prediction_logs +2 rows \(churn_prediction_logs_2024_03, /);
    assertMatch(run.stderr, /usage_events: 1 rows \(usage_events_2024_03\) so far/);
    await withDbAt(test.env, async (db) => {
      const names = await partitionNames(db, "usage_events");
      assertEquals(names.filter((n) => n < "usage_events_2024_07"), []);
      assertEquals((await tableCounts(db)).usage_events, 1);
    });

    const again = await runScript("cli/retention_run.ts", [], test.env);
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout, /Removed 0 rows/);

    const wrong = await runScript("cli/retention_run.ts", ["--force"], test.env);
    assertEquals(wrong.code, 1);
    assertMatch(wrong.stderr, /Unknown argument "--force": the only option is --dry-run/);
  } finally {
    await test.drop();
  }
});
