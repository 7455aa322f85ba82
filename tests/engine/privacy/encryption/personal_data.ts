/**
 * Personal data planted for the encryption tests: customers with names,
 * emails, phones and a success manager, events with free text, inbox
 * messages, and one customer written as an engine before encryption did
 * (plaintext, no blind index). PERSONAL_VALUES lists every personal value,
 * so a test can look for each in the database.
 */
import type { Db } from "../../../../engine/db/mod.ts";
import { deliverToInbox, listInbox } from "../../../../engine/interventions/mod.ts";
import {
  findCustomersByEmail,
  getCustomer,
  ingestEvents,
  openEventProperties,
  upsertCustomers,
} from "../../../../engine/signals/mod.ts";
import { assertEquals } from "../../../helpers/assert.ts";
import { customer, daysAgo, installDefaults, NOW, usageEvent } from "../../../helpers/fixtures.ts";

/** Every personal value planted, as a dump must not show it. */
export const PERSONAL_VALUES = [
  "Rosalind Fairweather Floristry",
  "rosalind@fairweather-flowers.example",
  "+44 7700 900123",
  "Bartholomew Quince",
  "bart.quince@success.example",
  "Guinevere Oakhampton Photography",
  "guinevere@oakhampton.example",
  "The bride asked for peonies in November",
  "Card ending 4242 declined at Barclays",
  "Rosalind, your profile is nearly there",
  "Hi Rosalind, couples are looking for you",
  "Legacy Lavender Catering",
  "legacy@lavender.example",
];

/** Plants the data above; returns the customer ids. */
export async function plantPersonalData(db: Db): Promise<string[]> {
  await installDefaults(db);
  await upsertCustomers(db, [
    customer("sup_rose", {
      name: "Rosalind Fairweather Floristry",
      attributes: {
        email: "rosalind@fairweather-flowers.example",
        phone: "+44 7700 900123",
        successManager: { name: "Bartholomew Quince", email: "bart.quince@success.example" },
        locale: "en-GB",
        segment: "premium",
      },
    }),
    customer("sup_guin", {
      name: "Guinevere Oakhampton Photography",
      attributes: { email: "guinevere@oakhampton.example" },
    }),
  ], { now: NOW });
  await ingestEvents(db, [
    usageEvent("sup_rose", "feature_used", daysAgo(2), {
      feature: "contracts",
      note: "The bride asked for peonies in November",
    }),
    usageEvent("sup_guin", "payment_failed", daysAgo(1), {
      amount: 49,
      currency: "GBP",
      reason: "Card ending 4242 declined at Barclays",
    }),
  ], { now: NOW, limits: { futureToleranceSeconds: 300, retentionDays: 730 } });
  await deliverToInbox(db, {
    interventionId: "int-1",
    dedupKey: "int-1:in_app",
    customer: { id: "sup_rose" },
    subject: "Rosalind, your profile is nearly there",
    text: "Hi Rosalind, couples are looking for you",
    test: false,
  });
  // As an engine before encryption wrote it: plaintext, no blind index.
  await db.query(
    `insert into customers (id, name, vendor_type, plan, country, time_zone, signup_date, attributes)
     values ('sup_legacy', 'Legacy Lavender Catering', 'caterer', 'starter', 'GB',
       'Europe/London', '2025-01-01', $1::jsonb)`,
    [{ email: "legacy@lavender.example" }],
  );
  return ["sup_rose", "sup_guin", "sup_legacy"];
}

/** Reads everything planted back through the engine's readers and checks each value. */
export async function assertPersonalDataReadable(db: Db): Promise<void> {
  const rose = await getCustomer(db, "sup_rose");
  assertEquals(rose.name, "Rosalind Fairweather Floristry");
  assertEquals(rose.attributes, {
    email: "rosalind@fairweather-flowers.example",
    phone: "+44 7700 900123",
    successManager: { name: "Bartholomew Quince", email: "bart.quince@success.example" },
    locale: "en-GB",
    segment: "premium",
  });
  assertEquals((await getCustomer(db, "sup_legacy")).name, "Legacy Lavender Catering");
  const found = await findCustomersByEmail(db, "Guinevere@Oakhampton.example");
  assertEquals(found.map((c) => [c.id, c.name]), [
    ["sup_guin", "Guinevere Oakhampton Photography"],
  ]);
  const inbox = await listInbox(db, "sup_rose", { limit: 10 });
  assertEquals(inbox.items.map((m) => [m.subject, m.body]), [
    ["Rosalind, your profile is nearly there", "Hi Rosalind, couples are looking for you"],
  ]);
  const events = await db.query<{ properties: Record<string, unknown> }>(
    "select properties from usage_events order by occurred_at",
  );
  assertEquals(await Promise.all(events.map((e) => openEventProperties(e.properties))), [
    { feature: "contracts", note: "The bride asked for peonies in November" },
    { amount: 49, currency: "GBP", reason: "Card ending 4242 declined at Barclays" },
  ]);
}

/** Every text and jsonb value in the public schema, as one string per row and column. */
export async function allStoredText(db: Db): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name from information_schema.columns c
     join information_schema.tables t using (table_schema, table_name)
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
       and c.data_type in ('text', 'jsonb', 'json', 'character varying', 'character')`,
  );
  const out: string[] = [];
  for (const c of columns) {
    const rows = await db.query<{ v: string | null }>(
      `select "${c.column_name}"::text as v from "${c.table_name}"`,
    );
    for (const r of rows) if (r.v !== null) out.push(`${c.table_name}.${c.column_name}: ${r.v}`);
  }
  return out;
}
