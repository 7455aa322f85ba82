import type { Meter } from "@opentelemetry/api";
import { assert, assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import {
  createEngineMetrics,
  MetricsRegistry,
  traceChannelSend,
  tracePluginDelivery,
} from "../../../engine/ops/mod.ts";

Deno.test("MetricsRegistry renders counters and gauges in the Prometheus text format", async () => {
  const registry = new MetricsRegistry();
  const sends = registry.counter({
    name: "cs_sends_total",
    help: "Messages sent",
    labels: ["channel", "outcome"],
  });
  const lag = registry.gauge({ name: "cs_lag_seconds", help: "Lag", labels: ["plugin"] });
  sends.inc({ channel: "email", outcome: "ok" });
  sends.inc({ channel: "email", outcome: "ok" }, 2);
  sends.inc({ channel: "slack", outcome: "error" });
  lag.set({ plugin: "viral" }, 12.5);
  lag.set({ plugin: "viral" }, 3);
  assertEquals(
    await registry.render(),
    [
      "# HELP cs_lag_seconds Lag",
      "# TYPE cs_lag_seconds gauge",
      'cs_lag_seconds{plugin="viral"} 3',
      "# HELP cs_sends_total Messages sent",
      "# TYPE cs_sends_total counter",
      'cs_sends_total{channel="email",outcome="ok"} 3',
      'cs_sends_total{channel="slack",outcome="error"} 1',
      "",
    ].join("\n"),
  );
  assertEquals(sends.value({ channel: "email", outcome: "ok" }), 3);
  assertEquals(sends.value({ channel: "webhook", outcome: "ok" }), 0);
  assertEquals(lag.value({ plugin: "viral" }), 3);
});

Deno.test("MetricsRegistry renders histograms with cumulative buckets, +Inf, sum and count", async () => {
  const registry = new MetricsRegistry();
  const latency = registry.histogram({
    name: "cs_latency_seconds",
    help: "Latency",
    labels: ["route"],
    buckets: [0.1, 0.5, 1],
  });
  for (const value of [0.05, 0.1, 0.3, 2]) latency.observe({ route: "/a/{id}" }, value);
  assertEquals(
    await registry.render(),
    [
      "# HELP cs_latency_seconds Latency",
      "# TYPE cs_latency_seconds histogram",
      'cs_latency_seconds_bucket{route="/a/{id}",le="0.1"} 2',
      'cs_latency_seconds_bucket{route="/a/{id}",le="0.5"} 3',
      'cs_latency_seconds_bucket{route="/a/{id}",le="1"} 3',
      'cs_latency_seconds_bucket{route="/a/{id}",le="+Inf"} 4',
      'cs_latency_seconds_sum{route="/a/{id}"} 2.45',
      'cs_latency_seconds_count{route="/a/{id}"} 4',
      "",
    ].join("\n"),
  );
  assertEquals(latency.stats({ route: "/a/{id}" }), { count: 4, sum: 2.45 });
});

Deno.test("MetricsRegistry escapes label values and help text; metrics without labels have no braces", async () => {
  const registry = new MetricsRegistry();
  registry.counter({ name: "cs_odd_total", help: 'Back\\slash and\nnewline "kept"', labels: ["v"] })
    .inc({ v: 'a "quoted"\\path\nnext' });
  registry.gauge({ name: "cs_up", help: "Up", labels: [] }).set({}, 1);
  const text = await registry.render();
  assert(text.includes('# HELP cs_odd_total Back\\\\slash and\\nnewline "kept"\n'), text);
  assert(text.includes('cs_odd_total{v="a \\"quoted\\"\\\\path\\nnext"} 1\n'), text);
  assert(text.includes("\ncs_up 1\n"), text);
});

Deno.test("MetricsRegistry refuses duplicate and invalid names, unsorted buckets and negative increments", () => {
  const registry = new MetricsRegistry();
  const counter = registry.counter({ name: "cs_a_total", help: "A", labels: ["x"] });
  const duplicate = assertThrows(
    () => registry.gauge({ name: "cs_a_total", help: "A", labels: [] }),
    EngineError,
  );
  assertEquals(duplicate.message, "Metric cs_a_total is already registered");
  assertThrows(() => registry.counter({ name: "cs-a", help: "A", labels: [] }), EngineError);
  const refused = [
    () => registry.counter({ name: "cs_b", help: "B", labels: ["bad-label"] }),
    () => registry.counter({ name: "cs_c", help: "C", labels: ["__reserved"] }),
    () => registry.histogram({ name: "cs_h", help: "H", labels: [], buckets: [1, 0.5] }),
    () => registry.histogram({ name: "cs_h", help: "H", labels: ["le"], buckets: [1] }),
  ];
  for (const register of refused) assertThrows(register, EngineError);
  const negative = assertThrows(() => counter.inc({ x: "1" }, -1), EngineError);
  assertMatch(negative.message, /cannot go down/);
});

Deno.test("MetricsRegistry runs collectors before rendering, for values read at scrape time", async () => {
  const registry = new MetricsRegistry();
  const lag = registry.gauge({ name: "cs_lag_seconds", help: "Lag", labels: ["plugin"] });
  let scrapes = 0;
  registry.onCollect(() => {
    scrapes++;
    lag.set({ plugin: "offline" }, scrapes * 10);
  });
  assertMatch(await registry.render(), /cs_lag_seconds\{plugin="offline"\} 10\n/);
  assertMatch(await registry.render(), /cs_lag_seconds\{plugin="offline"\} 20\n/);
});

Deno.test("MetricsRegistry records every measurement on the OpenTelemetry meter too", () => {
  const recorded: Array<[string, string, number, unknown]> = [];
  const instrument = (kind: string) => (name: string, options?: unknown) => {
    recorded.push(["create", `${kind} ${name}`, 0, options]);
    const record = (value: number, attributes?: unknown) =>
      recorded.push(["record", name, value, attributes]);
    return { add: record, record };
  };
  const meter = {
    createCounter: instrument("counter"),
    createGauge: instrument("gauge"),
    createHistogram: instrument("histogram"),
  } as unknown as Meter;
  const registry = new MetricsRegistry({ meter });
  registry.counter({ name: "cs_firings_total", help: "F", labels: ["rule"] }).inc({ rule: "r1" });
  registry.histogram({
    name: "cs_stage_seconds",
    help: "S",
    labels: [],
    unit: "s",
    buckets: [1, 5],
  }).observe({}, 2);
  assertEquals(recorded, [
    ["create", "counter cs_firings", 0, { description: "F" }],
    ["record", "cs_firings", 1, { rule: "r1" }],
    ["create", "histogram cs_stage_seconds", 0, {
      description: "S",
      unit: "s",
      advice: { explicitBucketBoundaries: [1, 5] },
    }],
    ["record", "cs_stage_seconds", 2, {}],
  ]);
});

Deno.test("createEngineMetrics declares the engine's metrics, which render once recorded", async () => {
  const metrics = createEngineMetrics();
  metrics.ruleFirings.inc({ rule: "low-engagement" });
  metrics.interventions.inc({ status: "sent", channel: "email" });
  metrics.pluginLag.set({ plugin: "viral" }, 4);
  const text = await metrics.registry.render();
  for (
    const name of [
      "cs_http_requests_total",
      "cs_http_request_duration_seconds",
      "cs_cycle_duration_seconds",
      "cs_cycle_stage_duration_seconds",
      "cs_rule_firings_total",
      "cs_interventions_total",
      "cs_plugin_lag_seconds",
      "cs_plugin_deliveries_total",
      "cs_plugin_delivery_duration_seconds",
      "cs_channel_sends_total",
      "cs_channel_send_duration_seconds",
    ]
  ) {
    assert(text.includes(`# TYPE ${name} `), `${name} is declared`);
  }
  assert(text.includes('cs_rule_firings_total{rule="low-engagement"} 1\n'));
  assert(text.includes('cs_interventions_total{status="sent",channel="email"} 1\n'));
  assert(text.includes('cs_plugin_lag_seconds{plugin="viral"} 4\n'));
});

Deno.test("tracePluginDelivery and traceChannelSend count each outcome and rethrow failures", async () => {
  const metrics = createEngineMetrics();
  const delivered = await tracePluginDelivery(
    metrics,
    { plugin: "viral", eventType: "health.changed", eventId: 7 },
    () => Promise.resolve("ok"),
  );
  assertEquals(delivered, "ok");
  let thrown: unknown;
  try {
    await traceChannelSend(
      metrics,
      { channel: "email", interventionId: 3 },
      () => Promise.reject(new Error("SMTP 451")),
    );
  } catch (error) {
    thrown = error;
  }
  assertEquals((thrown as Error).message, "SMTP 451");
  assertEquals(metrics.pluginDeliveries.value({ plugin: "viral", outcome: "ok" }), 1);
  assertEquals(metrics.pluginDeliveryDuration.stats({ plugin: "viral", outcome: "ok" }).count, 1);
  assertEquals(metrics.channelSends.value({ channel: "email", outcome: "error" }), 1);
  assertEquals(metrics.channelSends.value({ channel: "email", outcome: "ok" }), 0);
});
