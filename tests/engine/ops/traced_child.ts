/**
 * Run by otel_test.ts with Deno's OpenTelemetry on: makes the spans the test
 * then finds at its collector, and prints whether telemetry is enabled.
 */
import { telemetryEnabled, traced } from "../../../engine/ops/mod.ts";

console.log(JSON.stringify({ enabled: telemetryEnabled() }));
await traced("outer", { "cs.step": 1 }, async () => {
  await traced("inner", { "cs.step": 2 }, () => "done");
  await traced("detached", {}, () => "done", { root: true });
  await traced("fails", {}, () => {
    throw new Error("no luck");
  }).catch(() => {});
});
