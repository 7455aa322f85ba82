/**
 * "A database dump alone reveals no personal value": every personal value
 * planted is looked for in every text and jsonb column, and on PostgreSQL in
 * a pg_dump of the database too.
 */
import { rotateKeys } from "../../../../engine/privacy/mod.ts";
import { assert, assertEquals } from "../../../helpers/assert.ts";
import { backend, createTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { allStoredText, PERSONAL_VALUES, plantPersonalData } from "./personal_data.ts";

const PG_DUMP = ["/usr/lib/postgresql/15/bin/pg_dump", "/usr/bin/pg_dump"];

Deno.test("no personal value appears in the stored data or in a dump", async () => {
  const test = await createTestDb();
  try {
    await plantPersonalData(test.db);
    // The row written before encryption shows, until keys:rotate encrypts it.
    const before = (await allStoredText(test.db)).join("\n");
    assert(before.includes("Legacy Lavender Catering"));
    await rotateKeys(test.db, { batchSize: 100, now: NOW });

    const stored = await allStoredText(test.db);
    assert(stored.length > 50, "the scan read the database");
    const seen = (text: string) => PERSONAL_VALUES.filter((v) => text.includes(v));
    assertEquals(seen(stored.join("\n")), []);
    // Not even case-folded, or a part of an email address.
    assertEquals(stored.filter((s) => /fairweather|oakhampton|peonies/i.test(s)), []);

    if (backend === "postgres") {
      const dump = await new Deno.Command(await firstExisting(PG_DUMP), {
        args: ["--data-only", test.env.DATABASE_URL!],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(dump.code, 0, new TextDecoder().decode(dump.stderr));
      const text = new TextDecoder().decode(dump.stdout);
      assert(text.includes("enc:v1:"), "the dump holds the encrypted values");
      assertEquals(seen(text), []);
    }
  } finally {
    await test.drop();
  }
});

async function firstExisting(paths: string[]): Promise<string> {
  for (const path of paths) {
    try {
      await Deno.stat(path);
      return path;
    } catch {
      // try the next
    }
  }
  return "pg_dump";
}
