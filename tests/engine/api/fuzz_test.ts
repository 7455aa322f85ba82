/**
 * Thousands of random and mutated bodies to every write route of the OpenAPI
 * document: never a 5xx, and a refused request leaves the database exactly
 * as it was. A new write route fails this test until it gets a sample body.
 */
import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, daysAgo } from "../../helpers/fixtures.ts";
import { mutatedBody } from "../../helpers/mutate.ts";
import { seededRandom } from "../../../engine/demo/mod.ts";
import { testPlugin } from "../plugins/test_plugins.ts";

const REQUESTS = 2_000;
const SEED = 20261125;

const customerFields = (() => {
  const { id: _id, ...rest } = customer("sup_f1");
  return rest;
})();

const rule = {
  conditions: {
    all: [
      { fact: "healthScore", operator: "lessThan", value: 40 },
      { any: [{ fact: "vendorType", operator: "in", value: ["venue", "florist"] }] },
    ],
  },
  event: { type: "intervention", params: { template: "onboarding_nudge", channel: "email" } },
  priority: 3,
};
const ruleIds = ["fuzz-rule", "no-such-rule", "UPPER", "x".repeat(100), "%00"];
const templateDefinition = {
  channel: "email",
  subject: "Hi {{customer.name}}",
  html: "<p>{{#if health}}{{health.score}}{{/if}}</p>",
  text: "Hi {{customer.name}}",
  locales: { de: { subject: "Hallo", text: "Hallo {{owner.name}}" } },
};
const alertRule = {
  name: "Fuzz alert",
  metric: "churn_rate",
  comparison: ">",
  threshold: 0.05,
  severity: "critical",
  channels: ["slack", "email"],
  recipients: ["fuzz@example.com"],
  groupBy: "plan",
};
const alertRuleIds = ["fuzz-alert", "no-such-alert", "UPPER", "x".repeat(100), "%00"];
const templateIds = ["fuzz_template", "no_such_template", "UPPER", "x".repeat(100), "%00"];

/**
 * A valid request for each write route: path parameter values and a body;
 * `etag`: send If-Match with the ETag of the resource the path names.
 */
const samples: Record<
  string,
  { ids: string[]; body?: unknown; query?: string; etag?: boolean }
> = {
  "POST /api/v1/events": {
    ids: [],
    body: {
      events: [
        {
          id: "evt-fuzz-1",
          customerId: "sup_f1",
          type: "feature_used",
          occurredAt: daysAgo(1).toISOString(),
          properties: { feature: "contracts" },
        },
        { id: "evt-fuzz-2", customerId: "sup_f1", type: "login", occurredAt: daysAgo(2) },
      ],
    },
  },
  "PUT /api/v1/customers/{id}": {
    ids: ["sup_f1", "sup_f3", "x".repeat(300), "%00", "..%2F..", "ñandú", "a b"],
    body: customerFields,
  },
  "POST /api/v1/customers/batch": {
    ids: [],
    body: { customers: [{ id: "sup_f2", ...customerFields, externalId: "crm-f2" }] },
  },
  "POST /api/v1/tokens": { ids: [], body: { role: "success-analyst", name: "fuzz" } },
  "DELETE /api/v1/tokens/{id}": { ids: ["999999", "0", "-1", "1e3", "abc", "9".repeat(30)] },
  // Both path parameters are drawn from `ids`: customers and message ids, valid or not.
  "POST /api/v1/customers/{id}/inbox/{messageId}/read": {
    ids: ["sup_f1", "1", "no-such", "%00", "0", "9".repeat(30)],
  },
  // Waits, so no cycle is still writing when the next request's state is compared.
  "POST /api/v1/cycles": { ids: [], query: "?wait=true" },
  "POST /api/v1/rules": { ids: [], body: { id: "fuzz-new", name: "Fuzz", definition: rule } },
  "POST /api/v1/rules/simulate": {
    ids: [],
    body: { rules: [{ id: "fuzz-rule", definition: rule }], customerId: "sup_f1" },
  },
  "PUT /api/v1/rules/{id}": {
    ids: ruleIds,
    body: { name: "Fuzz", tags: ["a"], definition: rule },
    etag: true,
  },
  "POST /api/v1/rules/{id}/publish": { ids: ruleIds, body: { reason: "fuzz" }, etag: true },
  "POST /api/v1/rules/{id}/archive": { ids: ["no-such-rule", "%00"], body: {}, etag: true },
  "POST /api/v1/rules/{id}/approve": { ids: ruleIds, body: { reason: "fuzz" } },
  "POST /api/v1/rules/{id}/reject": { ids: ruleIds, body: { reason: "fuzz" } },
  "PUT /api/v1/settings/rule-approvals": { ids: [], body: { required: false } },
  "POST /api/v1/rules/{id}/rollback": {
    ids: ruleIds,
    body: { version: 1, reason: "fuzz" },
    etag: true,
  },
  "POST /api/v1/templates": {
    ids: [],
    body: { id: "fuzz_new", name: "Fuzz", definition: templateDefinition },
  },
  "PUT /api/v1/templates/{id}": {
    ids: templateIds,
    body: { name: "Fuzz", definition: templateDefinition },
    etag: true,
  },
  "POST /api/v1/templates/{id}/publish": { ids: templateIds, body: { reason: "fuzz" }, etag: true },
  "POST /api/v1/templates/{id}/archive": { ids: ["no_such_template", "%00"], body: {}, etag: true },
  "POST /api/v1/templates/{id}/rollback": {
    ids: templateIds,
    body: { version: 1, reason: "fuzz" },
    etag: true,
  },
  "POST /api/v1/interventions/{id}/retry": {
    ids: ["1", "999999", "0", "-1", "abc", "9".repeat(30)],
    body: { reason: "fuzz" },
  },
  "POST /api/v1/interventions/{id}/outcome": {
    ids: ["1", "999999", "0", "abc"],
    body: { kind: "replied", detail: { via: "email" } },
  },
  "POST /api/v1/interventions/replay": {
    ids: [],
    body: { channel: "email", since: daysAgo(1).toISOString(), reason: "fuzz" },
  },
  // No model is registered in the fuzzed database: refusals (404/409), never a 5xx.
  "POST /api/v1/models/{version}/activate": {
    ids: ["1.0.0", "x", "9".repeat(70)],
    body: { reason: "fuzz" },
  },
  "POST /api/v1/models/rollback": { ids: [], body: { reason: "fuzz" } },
  "POST /api/v1/ml/verify": { ids: [], body: { model: "churn_prediction", version: "1.0.0" } },
  "POST /api/v1/templates/{id}/test": {
    ids: templateIds,
    body: { customerId: "sup_f1", to: "me@example.com" },
  },
  "POST /api/v1/templates/{id}/preview": {
    ids: templateIds,
    body: { customerId: "sup_f1", locale: "de" },
  },
  "PUT /api/v1/plugins/{name}": {
    ids: ["fuzz", "no-such", "%00", "Fuzz"],
    body: { enabled: true, config: { level: 2 }, reason: "fuzz" },
    etag: true,
  },
  "POST /api/v1/plugins/{name}/replay": {
    ids: ["fuzz", "no-such", "%00"],
    query: "?from=1",
    body: { reason: "fuzz" },
  },
  "POST /api/v1/plugins/{name}/dead-letters/replay": {
    ids: ["fuzz", "no-such"],
    body: { reason: "fuzz" },
  },
  "POST /api/v1/alert-rules": { ids: [], body: { id: "fuzz-new-alert", ...alertRule } },
  "POST /api/privacy/request": { ids: [], body: { supplierId: "sup_f1", type: "access" } },
  "PUT /api/v1/alert-rules/{id}": { ids: alertRuleIds, body: alertRule },
  "POST /api/v1/alert-rules/{id}/silence": {
    ids: alertRuleIds,
    body: { until: "2026-06-15T13:00:00Z", reason: "fuzz" },
  },
  "POST /api/v1/alerts/{id}/acknowledge": {
    ids: ["1", "999999", "0", "-1", "abc", "9".repeat(30)],
    body: { reason: "fuzz" },
  },
};

// A plugin to change and replay: it takes customer events and has a configuration schema.
const fuzzPlugin = testPlugin("fuzz", {
  setup: () => ({ on: { "customer.updated": () => Promise.resolve() } }),
}, {
  capabilities: { subscriptions: ["customer.updated"] },
  config: {
    type: "object",
    properties: { level: { type: "integer", minimum: 0, maximum: 5, default: 1 } },
    additionalProperties: false,
  },
});

const STATE = `select
  (select count(*) from customers) as customers,
  (select coalesce(sum(hashtext(id || name || mrr::text || coalesce(external_id, ''))), 0)
     from customers) as customer_digest,
  (select count(*) from usage_events) as events,
  (select count(*) from usage_event_ids) as event_ids,
  (select count(*) from success_milestones where achieved) as milestones,
  (select count(*) from event_log) as event_log,
  (select count(*) from customer_health) as scorings,
  (select count(*) from api_tokens where revoked_at is null) as active_tokens,
  (select count(*) from audit_log) as audit,
  (select count(*) from cycles) as cycles,
  (select coalesce(sum(revision), 0) from rules) as rule_revisions,
  (select count(*) from rule_versions) as rule_versions,
  (select coalesce(sum(revision), 0) from templates) as template_revisions,
  (select count(*) from template_versions) as template_versions,
  (select count(*) from engine_settings) as settings,
  (select count(*) from rule_change_requests) as change_requests,
  (select count(*) from intervention_outbox where state = 'pending') as pending_sends,
  (select coalesce(sum(version), 0) from plugin_settings) as plugin_settings,
  (select coalesce(sum(version), 0) from alert_rules) as alert_rule_versions,
  (select count(*) from alert_rules where silenced_until is not null) as silenced_alert_rules,
  (select count(*) from alerts where acknowledged_at is not null) as acknowledged_alerts,
  (select count(*) from privacy_requests) as privacy_requests`;

Deno.test("fuzzed bodies on every write route: no 5xx, nothing stored from a refused request", async () => {
  await withApi(async (api) => {
    await api.call("PUT", "/api/v1/customers/sup_f1", customerFields);
    await api.call("POST", "/api/v1/rules", { id: "fuzz-rule", name: "Fuzz", definition: rule });
    await api.call("POST", "/api/v1/templates", {
      id: "fuzz_template",
      name: "Fuzz",
      definition: templateDefinition,
    });
    await api.call("POST", "/api/v1/alert-rules", { id: "fuzz-alert", ...alertRule });
    const doc = (await api.call("GET", "/api/v1/openapi.json")).body;
    const writes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((key) => !key.startsWith("GET "));
    assertEquals(writes.filter((key) => !(key in samples)), [], "every write route has a sample");

    const random = seededRandom(SEED);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let state = JSON.stringify(await api.db.query(STATE));
    for (let n = 0; n < REQUESTS; n++) {
      const route = writes[n % writes.length]!;
      const sample = samples[route]!;
      const [method, template] = route.split(" ") as [string, string];
      const path = template.replace(/\{\w+\}/g, () => encodeURIComponent(random.pick(sample.ids)))
        .replace("%25", "%");
      const body = sample.body === undefined
        ? (random.chance(0.2) ? mutatedBody({}, random) : undefined)
        : mutatedBody(sample.body, random);
      const contentType = random.chance(0.03) ? "text/plain" : "application/json";
      const headers: Record<string, string> = {
        authorization: `Bearer ${api.tokens.admin}`,
        "content-type": contentType,
      };
      if (sample.etag) {
        const resource = path.replace(/\/(publish|archive|rollback)$/, "");
        const etag = (await api.call("GET", resource)).headers.get("etag");
        if (etag && !random.chance(0.1)) headers["if-match"] = etag;
      }
      const answer = await api.call(method, path + (sample.query ?? ""), body, headers);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const after = JSON.stringify(await api.db.query(STATE));
      const replay = `#${n} ${method} ${path} ${String(body).slice(0, 200)}`;
      if (answer.status >= 500) {
        failures.push(`${answer.status} for ${replay}: ${answer.body?.detail}`);
      }
      if (answer.status >= 400 && after !== state) {
        failures.push(`state changed by refused ${replay}`);
      }
      if (
        answer.status >= 400 && answer.headers.get("content-type") !== "application/problem+json"
      ) {
        failures.push(`${answer.status} without a problem body for ${replay}`);
      }
      state = after;
    }
    assertEquals(failures.slice(0, 10), []);
    // The fuzz must reach both outcomes, or it tests nothing.
    const accepted = [...statuses].filter(([s]) => s < 300).reduce((sum, [, c]) => sum + c, 0);
    assert(accepted > 50, `only ${accepted} accepted: ${JSON.stringify([...statuses])}`);
    assert(accepted < REQUESTS - 500, `too few refused: ${JSON.stringify([...statuses])}`);
  }, { env: { RATE_LIMIT_BURST: "100000" }, plugins: [fuzzPlugin] });
});
