/**
 * The deletion's promise: after it, no personal value of the customer is left
 * in any text, json or array column of any table (partitions included), the
 * aggregates still count it, and what others hold stays.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { pluginPersonalData } from "../../../engine/plugins/mod.ts";
import { processPrivacyRequests } from "../../../engine/privacy/mod.ts";
import { firstPartyPlugin } from "../../../plugins/mod.ts";
import { findValues, NOW, REFERRER, seedZelda, tablesNaming, ZELDA } from "./privacy_seed.ts";

const PLUGINS = ["in-app", "viral", "marketing", "offline"].map(firstPartyPlugin);

Deno.test("a deletion leaves no personal value of the customer in any table", async () => {
  await withApi(async (api) => {
    await seedZelda(api);
    const seeded = await tablesNaming(api.db, ZELDA.id);
    // The seed reaches every table that names a customer (or the scan proves little).
    for (
      const table of [
        "customers",
        "usage_events_2026_06",
        "usage_event_ids",
        "usage_daily",
        "success_milestones",
        "customer_health",
        "customer_health_latest",
        "churn_prediction_logs_2026_06",
        "churn_predictions_latest",
        "rule_firings",
        "success_interventions",
        "in_app_messages",
        "channel_unsubscribes",
        "template_test_sends",
        "health_boosts",
        "event_log",
        "viral_referrals",
        "viral_asks",
        "offline_assignments",
        "offline_push_receipts",
        "marketing_outbox",
      ]
    ) assert(seeded.includes(table), `the seed put nothing about Zelda in ${table}`);
    const before = await aggregates(api);

    const asked = await api.call("POST", "/api/privacy/request", {
      supplierId: ZELDA.id,
      type: "deletion",
    });
    assertEquals(asked.status, 202, JSON.stringify(asked.body));
    const [done] = await processPrivacyRequests(api.db, {
      holders: pluginPersonalData(api.plugins!),
      now: () => NOW,
    });
    assertEquals(done?.status, "completed", done?.note ?? "");

    const left = await findValues(api.db, Object.values(ZELDA));
    assertEquals(left, [], `personal values left behind: ${left.join("; ")}`);
    assertEquals(await aggregates(api), before);

    // What the referrer holds stays; its referral of Zelda now names the pseudonym.
    const [referral] = await api.db.query<{ converted_customer_id: string }>(
      "select converted_customer_id from viral_referrals where id = 'ref-zelda-in'",
    );
    assertMatch(referral!.converted_customer_id, /^erased_[0-9a-f-]{36}$/);
    const referrer = await api.call("GET", `/api/v1/customers/${REFERRER}`);
    assertEquals(referrer.status, 200);

    // The request keeps only the digest; the audit entry holds counts, not values.
    const request = await api.call("GET", `/api/privacy/requests/${asked.body.id}`);
    assertEquals(request.body.customerId, null);
    assertEquals(request.body.result.tables.usage_events, { action: "delete", rows: 3 });
    const audit = await api.call("GET", "/api/v1/audit?action=privacy.deletion.completed");
    assertEquals(audit.body.items.length, 1);
    assertEquals(audit.body.items[0].subjectId, String(asked.body.id));
    const erased = await api.db.query<{ payload: { customerDigest: string } }>(
      "select payload from event_log where type = 'customer.erased'",
    );
    assertEquals(erased[0]?.payload.customerDigest, asked.body.customerDigest);
  }, { plugins: PLUGINS });
});

/** What the reports count: signups, scores, interventions and their effects. */
async function aggregates(api: { db: import("../../../engine/db/mod.ts").Db }) {
  const [row] = await api.db.query<Record<string, number>>(
    `select (select count(*)::int from customers) as customers,
       (select count(*)::int from customers where signup_date = '2026-01-10') as signups,
       (select count(*)::int from customer_health) as scores,
       (select count(*)::int from usage_daily) as usage_days,
       (select count(*)::int from churn_prediction_logs) as predictions,
       (select count(*)::int from success_interventions) as interventions,
       (select count(*)::int from intervention_effects) as effects,
       (select count(*)::int from intervention_outcomes) as outcomes`,
  );
  return row;
}
