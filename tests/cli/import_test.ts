/** `deno task import` as a user runs it, on files in both formats. */
import { getCustomer } from "../../engine/signals/mod.ts";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";

const customersCsv =
  `id,externalId,name,vendorType,plan,mrr,currency,country,timeZone,signupDate,attributes
imp_1,crm-1,Bloom & Co,florist,starter,29,GBP,GB,Europe/London,2026-01-02,"{""teamSize"":2}"
imp_2,,"Snap, Studio",photographer,scale,199,USD,US,America/New_York,2025-06-01,
`;

function eventLine(id: string, customerId: string, type: string, properties: object = {}): string {
  const occurredAt = new Date(Date.now() - 86_400_000).toISOString();
  return JSON.stringify({ id, customerId, type, occurredAt, properties });
}

async function counts(env: Record<string, string>) {
  return await withDbAt(env, async (db) => {
    const [row] = await db.query<{ customers: number; events: number }>(
      `select (select count(*)::int from customers) as customers,
              (select count(*)::int from usage_events) as events`,
    );
    return row!;
  });
}

Deno.test("import loads customers from CSV and events from NDJSON, and a re-run changes nothing", async () => {
  const test = await createTestDbEnv();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/customers.csv`, customersCsv);
    const imported = await runScript("cli/import.ts", [`${dir}/customers.csv`], test.env);
    assertEquals(imported.code, 0, imported.stderr);
    assertMatch(imported.stderr, /Importing customers: 2 customers in/);
    await Deno.writeTextFile(
      `${dir}/events.ndjson`,
      [
        eventLine("e1", "imp_1", "login"),
        eventLine("e2", "imp_2", "feature_used", { feature: "gallery" }),
        eventLine("e3", "imp_2", "client_added"),
      ].join("\n") + "\n",
    );
    const events = await runScript("cli/import.ts", [`${dir}/events.ndjson`], test.env);
    assertEquals(events.code, 0, events.stderr);
    const again = await runScript("cli/import.ts", [`${dir}/events.ndjson`], test.env);
    assertMatch(again.stderr, /3 events, 3 already there/);
    assertEquals(await counts(test.env), { customers: 2, events: 3 });
    // Stored encrypted; read back through the engine with the test keys.
    const stored = await withDbAt(test.env, async (db) => ({
      raw: (await db.query<{ name: string }>("select name from customers where id = 'imp_2'"))[0],
      customer: await getCustomer(db, "imp_2"),
    }));
    assertEquals(stored.customer.name, "Snap, Studio");
    assertMatch(stored.raw!.name, /^enc:v1:name-[0-9a-f]{12}:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await test.drop();
  }
});

Deno.test("import writes nothing from a file with bad records, and says which lines", async () => {
  const test = await createTestDbEnv();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/customers.csv`, customersCsv);
    await runScript("cli/import.ts", [`${dir}/customers.csv`], test.env);
    await Deno.writeTextFile(
      `${dir}/events.ndjson`,
      [
        eventLine("ok-1", "imp_1", "login"),
        eventLine("bad-1", "imp_1", "feature_used"),
        "{not json",
        JSON.stringify({
          id: "bad-3",
          customerId: "imp_1",
          type: "login",
          occurredAt: "2099-01-01T00:00:00Z",
        }),
      ].join("\n"),
    );
    const result = await runScript("cli/import.ts", [`${dir}/events.ndjson`], test.env);
    assertEquals(result.code, 1);
    assertMatch(result.stderr, /error: 3 of 4 records in .* are invalid; nothing was imported/);
    assertMatch(result.stderr, /line 2, properties\.feature: /);
    assertMatch(result.stderr, /line 3: not valid JSON/);
    assertMatch(result.stderr, /line 4, occurredAt: 2099-01-01T00:00:00\.000Z is in the future/);

    await Deno.writeTextFile(`${dir}/orphans.ndjson`, eventLine("o-1", "nobody", "login"));
    const orphans = await runScript("cli/import.ts", [`${dir}/orphans.ndjson`], test.env);
    assertEquals(orphans.code, 1);
    assertMatch(
      orphans.stderr,
      /events of 1 customers that do not exist \(nobody\); import the customers first/,
    );
    assertEquals(await counts(test.env), { customers: 2, events: 0 });

    const unknownFormat = await runScript("cli/import.ts", [`${dir}/events.txt`], test.env);
    assert(unknownFormat.stderr.includes("name it .ndjson/.jsonl"));

    await Deno.writeTextFile(`${dir}/array.json`, `[${eventLine("a-1", "imp_1", "login")}]`);
    const array = await runScript("cli/import.ts", [`${dir}/array.json`], test.env);
    assertEquals(array.code, 1);
    assertMatch(array.stderr, /array\.json is a JSON array; the importer reads NDJSON/);
    assertMatch(array.stderr, /jq -c '\.\[\]'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await test.drop();
  }
});

Deno.test("migrate applies migrations to an empty database and reports an up-to-date one", async () => {
  const test = await createTestDbEnv({ migrated: false });
  try {
    const first = await runScript("cli/migrate.ts", [], test.env);
    assertEquals(first.code, 0, first.stderr);
    assertMatch(first.stdout, /applied 0001_foundation\.sql/);
    const second = await runScript("cli/migrate.ts", [], test.env);
    assertMatch(second.stdout, /is up to date \(schema version \d+\)/);
  } finally {
    await test.drop();
  }
});
