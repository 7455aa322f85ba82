/**
 * One customer, Zelda, seeded into every table that can hold data about a
 * customer, with distinctive personal values: through the engine's own paths
 * where they are cheap (the customers API, event ingestion, a cycle), and by
 * SQL for the rest (predictions, interventions and their children, inbox,
 * unsubscribes, test sends, boosts, dead letters and the plugins' tables).
 */
import type { Db } from "../../../engine/db/mod.ts";
import { openRows, ROTATION_TARGETS } from "../../../engine/privacy/mod.ts";
import { refreshDailyUsage } from "../../../engine/signals/mod.ts";
import type { ApiTest } from "../../helpers/api.ts";
import { customer, daysAgo, NOW } from "../../helpers/fixtures.ts";
import { assert, assertEquals } from "../../helpers/assert.ts";

/** The values that must not survive a deletion anywhere. */
export const ZELDA = {
  id: "sup_zelda_7q9",
  externalId: "crm-zelda-4242",
  name: "Zelda Quuxworth Photography",
  email: "zelda.quuxworth@pii.example",
  phone: "+44 7700 900123",
  note: "Zelda's secret venue: Glimmerholt Barn",
  userId: "user-zelda-quux",
} as const;

/** A second customer, who referred Zelda: what it holds must stay. */
export const REFERRER = "sup_referrer_1";

/** Seeds Zelda (and the referrer) everywhere. */
export async function seedZelda(api: ApiTest): Promise<void> {
  const { db, call } = api;
  for (
    const [id, body] of [
      [REFERRER, { name: "Referrer Ltd", attributes: {} }],
      [ZELDA.id, {
        externalId: ZELDA.externalId,
        name: ZELDA.name,
        attributes: { email: ZELDA.email, phone: ZELDA.phone, note: ZELDA.note },
      }],
    ] as const
  ) {
    const { id: _id, ...fields } = customer(id, body);
    const put = await call("PUT", `/api/v1/customers/${id}`, fields);
    assertEquals(put.status, 201, JSON.stringify(put.body));
  }
  const events = await call("POST", "/api/v1/events", {
    events: [0, 1, 2].map((i) => ({
      id: `zelda-evt-${i}`,
      customerId: ZELDA.id,
      type: "login",
      userId: ZELDA.userId,
      occurredAt: daysAgo(i + 1).toISOString(),
      properties: { note: ZELDA.note },
    })),
  });
  assertEquals(events.status, 200, JSON.stringify(events.body));
  await refreshDailyUsage(db);
  await api.cycles.run("api");
  await seedBySql(db);
}

async function seedBySql(db: Db): Promise<void> {
  const at = daysAgo(2);
  await db.query("select ensure_monthly_partition('churn_prediction_logs', $1::date)", [at]);
  await db.query(
    `insert into churn_prediction_logs (customer_id, model_version, probability, confidence,
       confident, top_features, top_values, top_contributions, predicted_at)
     values ($1, 'v1', 0.4, 0.9, true, '{logins}', '{3}', '{0.1}', $2)`,
    [ZELDA.id, at],
  );
  await db.query(
    `insert into churn_predictions_latest (customer_id, model_version, probability, confidence,
       confident, predicted_at) values ($1, 'v1', 0.4, 0.9, true, $2)
     on conflict (customer_id) do nothing`,
    [ZELDA.id, at],
  );
  await db.query(
    `insert into rules (id, name, status, created_at, created_by, updated_at, updated_by)
     values ('privacy-r1', 'R1', 'draft', $1, 'test', $1, 'test')`,
    [at],
  );
  await db.query(
    `insert into rule_versions (rule_id, version, definition, name, description, tags,
       published_at, published_by) values ('privacy-r1', 1, '{}', 'R1', '', '{}', $1, 'test')`,
    [at],
  );
  const [cycle] = await db.query<{ id: string }>("select max(id) as id from cycles");
  await db.query(
    `insert into rule_firings (cycle_id, customer_id, rule_id, rule_version, priority, event,
       facts, conditions, fired_at) values ($1, $2, 'privacy-r1', 1, 1, '{}', $3, '[]', $4)`,
    [cycle!.id, ZELDA.id, { name: ZELDA.name, email: ZELDA.email }, at],
  );
  const [template] = await db.query<{ id: string }>("select id from templates order by id limit 1");
  const ids: string[] = [];
  for (const status of ["delivered", "planned"]) {
    const [i] = await db.query<{ id: string }>(
      `insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
         template_id, channel, priority, decision, status, planned_at, scheduled_for,
         provider_message_id, last_error)
       values ($1, $2, 'privacy-r1', 1, $3, 'email', 1, 'send', $4, $5, $5, $6, $7) returning id`,
      [
        `${ZELDA.id}:privacy-r1:${status}`,
        ZELDA.id,
        template!.id,
        status,
        at,
        `<msg-${ZELDA.email}>`,
        `550 mailbox ${ZELDA.email} full`,
      ],
    );
    ids.push(i!.id);
  }
  await db.query("insert into intervention_outbox (intervention_id, due_at) values ($1, $2)", [
    ids[1],
    at,
  ]);
  await db.query(
    `insert into intervention_outcomes (intervention_id, kind, detail, occurred_at, source)
     values ($1, 'clicked', $2, $3, 'link')`,
    [ids[0], { url: `https://example.com/?who=${ZELDA.email}` }, at],
  );
  await db.query(
    `insert into intervention_effects (intervention_id, baseline_at, retained_30d)
     values ($1, $2, true)`,
    [ids[0], at],
  );
  await db.query(
    `insert into in_app_messages (customer_id, user_id, intervention_id, dedup_key, subject, body)
     values ($1, $2, $3, $4, 'Hello', $5)`,
    [ZELDA.id, ZELDA.userId, ids[0], `dedup-${ZELDA.id}`, `Dear ${ZELDA.name}, ${ZELDA.note}`],
  );
  await db.query(
    `insert into channel_unsubscribes (customer_id, channel, unsubscribed_at, source)
     values ($1, 'email', $2, 'link')`,
    [ZELDA.id, at],
  );
  await db.query(
    `insert into template_test_sends (template_id, customer_id, channel, recipient, requested_by,
       status, sent_at) values ($1, $2, 'email', $3, 'token:1 (admin)', 'sent', $4)`,
    [template!.id, ZELDA.id, ZELDA.email, at],
  );
  await seedPluginTables(db, at);
  const [event] = await db.query<{ id: string }>(
    "select min(id) as id from event_log where customer_id = $1",
    [ZELDA.id],
  );
  await db.query(
    `insert into event_hub_plugins (plugin, types, cursor_tx, cursor_event_id)
     select 'privacy-test', '{customer.updated}', tx_id, id from event_log where id = $1`,
    [event!.id],
  );
  await db.query(
    `insert into event_hub_dead_letters (plugin, event_id, attempts, last_error, failed_at)
     values ('privacy-test', $1, 10, $2, $3)`,
    [event!.id, `refused ${ZELDA.email}`, at],
  );
}

async function seedPluginTables(db: Db, at: Date): Promise<void> {
  // Zelda was referred by REFERRER (who got a boost naming her) and referred someone herself.
  await db.query(
    `insert into viral_referrals (id, referrer_id, kind, occurred_at, status,
       converted_customer_id, converted_at, recorded_by)
     values ('ref-zelda-in', $1, 'supplier_invited', $3, 'converted', $2, $4, 'token:1'),
            ('ref-zelda-out', $2, 'form_shared', $3, 'pending', null, null, 'token:1')`,
    [REFERRER, ZELDA.id, daysAgo(20), at],
  );
  await db.query(
    `insert into health_boosts (source, boost_key, customer_id, points, reason, valid_from,
       valid_until) values
       ('viral', 'ref-zelda-in', $1, 5, $3, $4, $5),
       ('viral', 'zelda-own', $2, 5, $6, $4, $5)`,
    [REFERRER, ZELDA.id, `Referred "${ZELDA.id}" (supplier_invited)`, at, daysAgo(-60), ZELDA.note],
  );
  await db.query(
    `insert into viral_asks (customer_id, asked_at, event_id, score) values ($1, $2, 1, 85)`,
    [ZELDA.id, at],
  );
  await db.query(
    `insert into offline_callers (caller, revision, updated_at, updated_by)
     values ('token:7', 1, $1, 'token:1')`,
    [at],
  );
  await db.query(
    `insert into offline_assignments (caller, customer_id, added_revision)
     values ('token:7', $1, 1)`,
    [ZELDA.id],
  );
  await db.query(
    `insert into offline_push_receipts (key, caller, client_id, fingerprint, customer_id, answer,
       received_at) values ('push-zelda-1', 'token:7', 'laptop', 'f1', $1, $2, $3)`,
    [ZELDA.id, { current: { name: ZELDA.name, phone: ZELDA.phone } }, at],
  );
  await db.query(
    `insert into marketing_outbox (event_id, customer_id, kind, event_type, occurred_at, fields,
       queued_at) values (999999, $1, 'at_risk', 'health.changed', $2, $3, $2)`,
    [ZELDA.id, at, { email: ZELDA.email, name: ZELDA.name }],
  );
}

/** Every text-like column (text, varchar, char, json, jsonb, arrays) of every public table. */
export async function textColumns(db: Db): Promise<{ table: string; column: string }[]> {
  return await db.query<{ table: string; column: string }>(
    `select c.table_name as table, c.column_name as column
     from information_schema.columns c
     join information_schema.tables t
       on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
       and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY'))
     order by 1, 2`,
  );
}

/** Where any of `values` appears, as "table.column: n rows". */
export async function findValues(db: Db, values: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const patterns = values.map((v) => `%${v.replaceAll("%", "\\%").replaceAll("_", "\\_")}%`);
  for (const { table, column } of await textColumns(db)) {
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from "${table}" where "${column}"::text like any($1::text[])`,
      [patterns],
    );
    if (row!.n > 0) found.push(`${table}.${column}: ${row!.n} rows`);
  }
  // Encrypted values hide their plaintext from the scan above: read every encrypted column
  // (the rotation targets are their complete map) decrypted, and look again.
  for (const target of ROTATION_TARGETS) {
    const rows = await openRows(
      target.table,
      await db.query<Record<string, unknown>>(`select * from "${target.table}"`),
    );
    const n = rows.filter((r) => {
      const text = JSON.stringify(r);
      return values.some((v) => text.includes(v));
    }).length;
    if (n > 0) found.push(`${target.table} (decrypted): ${n} rows`);
  }
  return found;
}

/** Tables with a customer id column whose rows name `customerId`, for the seed's coverage. */
export async function tablesNaming(db: Db, customerId: string): Promise<string[]> {
  const found = await findValues(db, [customerId]);
  assert(found.length > 0);
  return [...new Set(found.map((f) => f.split(".")[0]!))];
}

export { NOW };
