import { assert, assertEquals } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { BinaryCopyWriter, BinaryField } from "../../../engine/db/mod.ts";

const COLUMNS = ["name", "score", "sure", "cycle", "tags", "values", "at"];
const AT = new Date("2026-11-01T01:02:03.456Z");

interface Copied {
  name: string;
  score: number;
  sure: boolean;
  cycle: number | null;
  tags: string[];
  /** As PostgreSQL prints it: the drivers differ on a NULL element of float8[]. */
  values: string;
  at: Date;
}

Deno.test("rows in binary COPY format load every kind of field as written", async () => {
  await withTestDb(async (db) => {
    await db.exec(`create table copied (position serial, name text, score float8, sure boolean,
      cycle bigint, tags text[], "values" float8[], at timestamptz)`);
    const at = BinaryField.timestamp(AT);
    const tags = ["logins_7d", "mrr", "café ☕ 婚礼"].map((t) => BinaryField.text(t));
    const writer = new BinaryCopyWriter();
    writer.row(7).text("sup_0000001").float8(0.123456789012345).bool(true).int8(42)
      .textArray(tags).float8Array([3, NaN, -1.5e-7], 3).field(at);
    // Nothing to explain, no cycle: empty arrays and a NULL.
    writer.row(7).text("Dupont & Fils, Lyon\t\\").float8(-0.5).bool(false).int8(null)
      .textArray([]).float8Array([], 0).field(at);
    // Enough rows to outgrow the writer's first buffer.
    for (let i = 0; i < 3_000; i++) {
      writer.row(7).text(`sup_${i}`).float8(i / 7).bool(i % 2 === 0).int8(2 ** 40 + i)
        .textArray(tags).float8Array([i, i + 0.25, i + 0.5], 3).field(at);
    }
    const copy = writer.finish();
    assertEquals(copy.rows, 3_002);
    await db.copyRows("copied", COLUMNS, copy);
    const rows = await db.query<Copied>(
      `select name, score, sure, cycle, tags, "values"::text as values, at
       from copied order by position`,
    );
    assertEquals(rows.length, 3_002);
    assertEquals(rows[0], {
      name: "sup_0000001",
      score: 0.123456789012345,
      sure: true,
      cycle: 42,
      tags: ["logins_7d", "mrr", "café ☕ 婚礼"],
      values: "{3,NULL,-1.5e-07}",
      at: AT,
    });
    assertEquals(rows[1], {
      name: "Dupont & Fils, Lyon\t\\",
      score: -0.5,
      sure: false,
      cycle: null,
      tags: [],
      values: "{}",
      at: AT,
    });
    assertEquals(rows[2_999 + 2]?.cycle, 2 ** 40 + 2_999);
    assertEquals(rows[1_002]?.values, "{1000,1000.25,1000.5}");
    assertEquals(rows[1_002]?.score, 1_000 / 7);
  });
});

Deno.test("a binary COPY of no rows loads nothing, and a bad row loads none", async () => {
  await withTestDb(async (db) => {
    await db.exec("create table copied (name text, score float8)");
    await db.copyRows("copied", ["name", "score"], new BinaryCopyWriter().finish());
    const writer = new BinaryCopyWriter();
    writer.row(2).text("fine").float8(1);
    // One field short: PostgreSQL refuses the whole load.
    writer.row(1).text("short");
    // A COPY that never settles would hang the suite: fail after a while instead.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      db.copyRows("copied", ["name", "score"], writer.finish()).then(() => "loaded", (e) => e),
      new Promise((resolve) => timer = setTimeout(() => resolve("never settled"), 20_000)),
    ]);
    clearTimeout(timer);
    assert(outcome instanceof Error, `the load was refused, not ${outcome}`);
    assertEquals((await db.query("select 1 from copied")).length, 0);
  });
});
