import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { copyField, CopyText } from "../../../engine/db/mod.ts";

// Text that COPY would misread unescaped: a tab, a line break, a backslash.
const AWKWARD = ["plain", "tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rlf"];

Deno.test("COPY loads lines encoded by copyField exactly as the values were", async () => {
  await withTestDb(async (db) => {
    await db.exec("create table copied (position int, value text, note text)");
    const lines = AWKWARD.map((value, i) => `${i}\t${copyField(value)}\t\\N\n`).join("");
    await db.copyRows("copied", ["position", "value", "note"], new CopyText(lines));
    const rows = await db.query<{ value: string; note: string | null }>(
      "select value, note from copied order by position",
    );
    assertEquals(rows.map((r) => r.value), AWKWARD);
    assertEquals(rows.map((r) => r.note), AWKWARD.map(() => null));
  });
});

Deno.test("COPY of rows and of the same rows as text load the same table", async () => {
  await withTestDb(async (db) => {
    await db.exec("create table copied (id text, score float8, tags text[], at timestamptz)");
    const at = new Date("2026-11-01T01:00:00Z");
    const rows = AWKWARD.map((id, i) => [id, i / 3, `{a,b${i}}`, at]);
    await db.copyRows("copied", ["id", "score", "tags", "at"], rows);
    const text = rows.map(([id, score, tags]) =>
      `${copyField(String(id))}\t${score}\t${tags}\t${at.toISOString()}\n`
    ).join("");
    await db.copyRows("copied", ["id", "score", "tags", "at"], new CopyText(text));
    const [both] = await db.query<{ rows: number; distinct: number }>(
      `select count(*)::int as rows,
         (select count(*)::int from (select distinct id, score, tags, at from copied) d) as distinct
       from copied`,
    );
    assertEquals([both?.rows, both?.distinct], [AWKWARD.length * 2, AWKWARD.length]);
    // An empty text loads nothing.
    await db.copyRows("copied", ["id"], new CopyText(""));
    assertEquals((await db.query("select 1 from copied")).length, AWKWARD.length * 2);
  });
});

Deno.test("a COPY the server refuses rejects with its reason, and loads nothing", async () => {
  await withTestDb(async (db) => {
    await db.exec("create table copied (id text primary key)");
    await db.copyRows("copied", ["id"], [["sup_1"]]);
    // A duplicate key, found after the last row was sent: the load must still settle.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      db.copyRows("copied", ["id"], [["sup_2"], ["sup_1"]]).then(() => "loaded", (e) => e),
      new Promise((resolve) => timer = setTimeout(() => resolve("never settled"), 20_000)),
    ]);
    clearTimeout(timer);
    assert(outcome instanceof Error, `the load was refused, not ${outcome}`);
    assertMatch(outcome.message, /duplicate key/);
    const ids = await db.query<{ id: string }>("select id from copied order by id");
    assertEquals(ids.map((r) => r.id), ["sup_1"]);
  });
});
