/**
 * The alert routes: rules created and changed by admins with bad input named
 * by its path, alerts acknowledged and rules silenced by managers, each
 * change an audit entry, and the roles that may not.
 */
import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { evaluateAlerts } from "../../../engine/alerts/mod.ts";
import type { Db } from "../../../engine/db/mod.ts";

const rule = {
  id: "at-risk",
  name: "Many customers at risk",
  metric: "at_risk_share",
  comparison: ">=",
  threshold: 0.5,
  severity: "high",
  channels: ["slack", "email"],
  recipients: ["success-team@example.com"],
};

/** One active customer whose latest at-risk score is 80: at_risk_share 1. */
async function atRiskCustomer(db: Db): Promise<void> {
  await db.query(
    `insert into customers (id, name, vendor_type, plan, country, time_zone, signup_date)
     values ('sup_1', 'Supplier', 'venue', 'starter', 'GB', 'Europe/London', '2026-01-10')`,
  );
  await db.query(
    `with h as (insert into customer_health (customer_id, score, at_risk_score, components,
         at_risk_factors, model_version, scored_at)
       values ('sup_1', 20, 80, '{}', '{}', '1', $1) returning id)
     insert into customer_health_latest (customer_id, health_id, score, at_risk_score,
       components, at_risk_factors, model_version, scored_at)
     select 'sup_1', id, 20, 80, '{}', '{}', '1', $1 from h`,
    [NOW],
  );
}

Deno.test("alert rules: bad input answers 400 naming each field", async () => {
  await withApi(async (api) => {
    const bad = await api.call("POST", "/api/v1/alert-rules", {
      ...rule,
      metric: "nps",
      threshold: "high",
      channels: ["fax"],
    });
    assertEquals(bad.status, 400);
    assertEquals(
      bad.body.errors.map((e: { path: string }) => e.path).sort(),
      ["channels[0]", "metric", "threshold"],
    );
    const noRecipients = await api.call("POST", "/api/v1/alert-rules", {
      ...rule,
      recipients: [],
    });
    assertEquals(noRecipients.status, 400);
    assertEquals(noRecipients.body.errors[0].path, "recipients");
    const ungroupable = await api.call("POST", "/api/v1/alert-rules", {
      ...rule,
      metric: "ml_accuracy",
      groupBy: "plan",
    });
    assertEquals(ungroupable.status, 400);
    assertEquals(ungroupable.body.errors[0].path, "groupBy");
    assertMatch(ungroupable.body.errors[0].message, /cannot be grouped/);
    const unknownField = await api.call("POST", "/api/v1/alert-rules", { ...rule, colour: 1 });
    assertEquals(unknownField.status, 400);
  });
});

Deno.test("alert rules: admins create and change them; managers and analysts may not", async () => {
  await withApi(async (api) => {
    const as = (role: "success-analyst" | "success-manager") => ({
      authorization: `Bearer ${api.tokens[role]}`,
    });
    assertEquals(
      (await api.call("POST", "/api/v1/alert-rules", rule, as("success-manager"))).status,
      403,
    );
    const created = await api.call("POST", "/api/v1/alert-rules", rule);
    assertEquals(created.status, 201);
    assertEquals(created.body.version, 1);
    assertEquals((await api.call("POST", "/api/v1/alert-rules", rule)).status, 409);
    const { id: _id, ...fields } = rule;
    const changed = await api.call("PUT", "/api/v1/alert-rules/at-risk", {
      ...fields,
      threshold: 0.6,
    });
    assertEquals([changed.status, changed.body.threshold, changed.body.version], [200, 0.6, 2]);
    assertEquals(
      (await api.call("PUT", "/api/v1/alert-rules/at-risk", fields, as("success-manager"))).status,
      403,
    );
    assertEquals((await api.call("PUT", "/api/v1/alert-rules/nope", fields)).status, 404);
    const listed = await api.call("GET", "/api/v1/alert-rules", undefined, as("success-analyst"));
    assertEquals(listed.body.items.map((r: { id: string }) => r.id), ["at-risk"]);
    const metrics = await api.call("GET", "/api/v1/alert-metrics");
    assertEquals(
      metrics.body.items.map((m: { name: string }) => m.name).sort(),
      [
        "at_risk_share",
        "churn_rate",
        "error_rate",
        "integration_health",
        "intervention_success",
        "ml_accuracy",
      ],
    );
    const audit = await api.call("GET", "/api/v1/audit?subjectType=alert_rule");
    assertEquals(
      audit.body.items.map((e: { action: string }) => e.action),
      ["alert_rule.updated", "alert_rule.created"],
    );
  });
});

Deno.test("alert rules: a change made with a stale ETag is refused, not overwritten", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/alert-rules", rule);
    const { id: _id, ...fields } = rule;
    const read = await api.call("GET", "/api/v1/alert-rules/at-risk");
    assertEquals(read.headers.get("etag"), created.headers.get("etag"));
    const first = await api.call(
      "PUT",
      "/api/v1/alert-rules/at-risk",
      { ...fields, threshold: 0.6 },
      { "if-match": read.headers.get("etag")! },
    );
    assertEquals(first.status, 200);
    const second = await api.call(
      "PUT",
      "/api/v1/alert-rules/at-risk",
      { ...fields, threshold: 0.9 },
      { "if-match": read.headers.get("etag")! },
    );
    assertEquals([second.status, second.body.code], [412, "ETAG_MISMATCH"]);
    assertEquals(second.headers.get("etag"), first.headers.get("etag"));
    const now = await api.call("GET", "/api/v1/alert-rules/at-risk");
    assertEquals([now.body.threshold, now.body.version], [0.6, 2]);
  });
});

Deno.test("alerts: managers acknowledge and silence; analysts only read", async () => {
  await withApi(async (api) => {
    const manager = { authorization: `Bearer ${api.tokens["success-manager"]}` };
    const analyst = { authorization: `Bearer ${api.tokens["success-analyst"]}` };
    await api.call("POST", "/api/v1/alert-rules", rule);
    await atRiskCustomer(api.db);
    const evaluation = await evaluateAlerts(api.db, { now: NOW, configured: new Set() });
    const id = evaluation.opened[0]!;

    const open = await api.call("GET", "/api/v1/alerts?status=open", undefined, analyst);
    assertEquals(open.status, 200);
    assertEquals(open.body.items.length, 1);
    assertEquals(open.body.items[0].notifications.map((n: { status: string }) => n.status), [
      "skipped",
      "skipped",
    ]);
    const path = `/api/v1/alerts/${id}/acknowledge`;
    assertEquals((await api.call("POST", path, {}, analyst)).status, 403);
    const acked = await api.call("POST", path, { reason: "looking into it" }, manager);
    assertEquals(acked.status, 200);
    assertMatch(acked.body.acknowledgedBy, /success-manager/);
    const again = await api.call("POST", path, undefined, manager);
    assertEquals(again.body.acknowledgedAt, acked.body.acknowledgedAt);
    assertEquals((await api.call("POST", "/api/v1/alerts/424242/acknowledge", {})).status, 404);

    const until = new Date(NOW.getTime() + 3_600_000).toISOString();
    const silence = "/api/v1/alert-rules/at-risk/silence";
    assertEquals((await api.call("POST", silence, { until, reason: "x" }, analyst)).status, 403);
    const silenced = await api.call("POST", silence, { until, reason: "deploy" }, manager);
    assertEquals([silenced.status, silenced.body.silencedUntil], [200, until]);
    const badSilence = await api.call("POST", silence, { until: "tomorrow", reason: "" }, manager);
    assertEquals(badSilence.status, 400);
    assertEquals(
      badSilence.body.errors.map((e: { path: string }) => e.path).sort(),
      ["reason", "until"],
    );

    const audit = await api.call("GET", "/api/v1/audit");
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    assertEquals(actions.slice(0, 2), ["alert_rule.silenced", "alert.acknowledged"]);

    // Resolved: nothing left to acknowledge.
    await api.db.query("update customer_health_latest set at_risk_score = 10");
    const later = new Date(NOW.getTime() + 60_000);
    assertEquals((await evaluateAlerts(api.db, { now: later, configured: new Set() })).resolved, [
      id,
    ]);
    await api.db.query("update customer_health_latest set at_risk_score = 90");
    const reopened = await evaluateAlerts(api.db, {
      now: new Date(later.getTime() + 60_000),
      configured: new Set(),
    });
    const resolvedAck = await api.call("POST", path, {}, manager);
    assertEquals(resolvedAck.status, 200, "acknowledged before it resolved: unchanged");
    const fresh = `/api/v1/alerts/${reopened.opened[0]}/acknowledge`;
    await api.db.query("update customer_health_latest set at_risk_score = 10");
    await evaluateAlerts(api.db, {
      now: new Date(later.getTime() + 120_000),
      configured: new Set(),
    });
    const conflict = await api.call("POST", fresh, {}, manager);
    assertEquals([conflict.status, conflict.body.code], [409, "ALERT_RESOLVED"]);
  });
});
