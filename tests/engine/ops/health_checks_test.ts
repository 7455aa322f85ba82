import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { nextCronTick } from "../../../engine/cron_expression.ts";
import { EngineError } from "../../../engine/errors.ts";
import { createLogger } from "../../../engine/log.ts";
import {
  type CheckOutcome,
  type HealthCheck,
  HealthCheckRegistry,
  HealthMonitor,
  worstStatus,
} from "../../../engine/ops/mod.ts";
import { describeAge } from "../../../engine/ops/health_checks.ts";

const clock = { now: () => NOW };

function fixed(name: string, outcome: CheckOutcome, component: HealthCheck["component"] = "ml") {
  let runs = 0;
  const check: HealthCheck & { runs(): number } = {
    name,
    component,
    run: () => {
      runs++;
      return Promise.resolve(outcome);
    },
    runs: () => runs,
  };
  return check;
}

function monitorOf(checks: HealthCheck[], options: { intervalMs?: number; lines?: string[] } = {}) {
  const registry = new HealthCheckRegistry();
  for (const check of checks) registry.register(check);
  const log = createLogger({
    level: "info",
    write: (line) => options.lines?.push(line),
    now: () => NOW,
  });
  return new HealthMonitor({
    registry,
    clock,
    log,
    intervalMs: options.intervalMs ?? 60_000,
    timeoutMs: 50,
  });
}

Deno.test("HealthCheckRegistry - refuses duplicate names, bad names and unknown components", () => {
  const registry = new HealthCheckRegistry().register(
    fixed("churn-model", { status: "healthy", message: "ok" }),
  );
  const duplicate = assertThrows(
    () => registry.register(fixed("churn-model", { status: "healthy", message: "ok" })),
    EngineError,
  );
  assertEquals(duplicate.code, "HEALTH_CHECK_INVALID");
  assertEquals(
    duplicate.message,
    'Cannot register health check "ml.churn-model": a check with that name is already registered',
  );
  // The same name in another component is another check.
  registry.register(fixed("churn-model", { status: "healthy", message: "ok" }, "privacy"));
  assertThrows(
    () => registry.register(fixed("Churn Model", { status: "healthy", message: "ok" })),
    EngineError,
  );
  const unknown = assertThrows(
    () =>
      registry.register({
        ...fixed("x", { status: "healthy", message: "ok" }),
        component: "billing" as HealthCheck["component"],
      }),
    EngineError,
  );
  assertEquals(
    unknown.message,
    'Cannot register health check "x": unknown component "billing" ' +
      "(use one of engine, ml, interventions, integrations, privacy)",
  );
  assertEquals(registry.checks().length, 2);
});

Deno.test("HealthMonitor - a component is as bad as its worst check, with the others' messages as reasons", async () => {
  const monitor = monitorOf([
    fixed("a", { status: "healthy", message: "fine" }),
    fixed("b", { status: "degraded", message: "half there" }),
    fixed("database", { status: "healthy", message: "answers" }, "engine"),
  ]);
  const report = await monitor.report();
  assertEquals(report.status, "degraded");
  assertEquals(report.checkedAt, NOW.toISOString());
  assertEquals(report.components.ml.status, "degraded");
  assertEquals(report.components.ml.reasons, ["b: half there"]);
  assertEquals(report.components.engine.status, "healthy");
  assertEquals(report.components.privacy, {
    component: "privacy",
    status: "healthy",
    reasons: [],
    checkedAt: NOW.toISOString(),
    checks: [],
  });
});

Deno.test("HealthMonitor - a check that throws or outlives its timeout is unhealthy, and the round still ends", async () => {
  const never: HealthCheck = {
    name: "slow",
    component: "integrations",
    run: ({ signal }) =>
      new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  };
  const failing: HealthCheck = {
    name: "failing",
    component: "integrations",
    run: () => Promise.reject(new Error("connection refused")),
  };
  const report = await monitorOf([never, failing]).report();
  const [slow, failed] = report.components.integrations.checks;
  assertEquals([slow!.status, slow!.message], [
    "unhealthy",
    "The check did not answer within 50 ms",
  ]);
  assertEquals([failed!.status, failed!.message], [
    "unhealthy",
    "The check failed: connection refused",
  ]);
  assertEquals(report.status, "unhealthy");
});

Deno.test("HealthMonitor - serves the cached report within the interval and joins a round in progress", async () => {
  const check = fixed("a", { status: "healthy", message: "fine" });
  const monitor = monitorOf([check]);
  const [first, second] = await Promise.all([monitor.refresh(), monitor.refresh()]);
  assertEquals(first, second);
  assertEquals(check.runs(), 1);
  await monitor.report();
  await monitor.report();
  assertEquals(check.runs(), 1);
  await monitor.refresh();
  assertEquals(check.runs(), 2);
});

Deno.test("HealthMonitor - once started, runs the checks every interval until stopped", async () => {
  const check = fixed("a", { status: "healthy", message: "fine" });
  const monitor = monitorOf([check], { intervalMs: 20 });
  monitor.start();
  await new Promise((resolve) => setTimeout(resolve, 110));
  await monitor.stop();
  const runs = check.runs();
  assert(runs >= 3 && runs <= 7, `ran ${runs} times in 110 ms at a 20 ms interval`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(check.runs(), runs);
});

Deno.test("HealthMonitor - logs when a component's status changes, as a warning when it gets worse", async () => {
  let outcome: CheckOutcome = { status: "degraded", message: "not built yet" };
  const lines: string[] = [];
  const monitor = monitorOf([{
    name: "a",
    component: "ml",
    run: () => Promise.resolve(outcome),
  }], { lines });
  await monitor.refresh();
  await monitor.refresh();
  outcome = { status: "unhealthy", message: "broken" };
  await monitor.refresh();
  outcome = { status: "healthy", message: "fixed" };
  await monitor.refresh();
  const changes = lines.map((line) => JSON.parse(line)).filter((l) => l.component === "ml");
  assertEquals(
    changes.map((l) => [l.level, l.from, l.to, l.reasons]),
    [
      ["info", null, "degraded", ["a: not built yet"]],
      ["warn", "degraded", "unhealthy", ["a: broken"]],
      ["info", "unhealthy", "healthy", []],
    ],
  );
});

Deno.test("worstStatus() and describeAge() read as a person would", () => {
  assertEquals(worstStatus([]), "healthy");
  assertEquals(worstStatus(["healthy", "unhealthy", "degraded"]), "unhealthy");
  assertEquals(
    [45_000, 600_000, 7_200_000, 11_100_000, 4 * 86_400_000].map(describeAge),
    ["45 s", "10 min", "2 h", "3 h 5 min", "4 days"],
  );
});

Deno.test("nextCronTick() counts days of the week 1–7 from Sunday, as Deno.cron does", () => {
  const monday = new Date("2026-06-15T12:00:00Z");
  const next = (expression: string) => nextCronTick(expression, monday)?.toISOString();
  assertEquals(next("0 * * * *"), "2026-06-15T13:00:00.000Z");
  assertEquals(next("*/15 * * * *"), "2026-06-15T12:15:00.000Z");
  assertEquals(next("0 9 * * 1"), "2026-06-21T09:00:00.000Z"); // Sunday
  assertEquals(next("0 9 * * 7"), "2026-06-20T09:00:00.000Z"); // Saturday
  assertEquals(next("0 9 * * 2-6"), "2026-06-16T09:00:00.000Z"); // Monday to Friday
});
