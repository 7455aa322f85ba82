import { assertEquals } from "../../../helpers/assert.ts";
import {
  afterCrash,
  defaultRestartPolicy,
} from "../../../../engine/plugins/sandbox/restart_policy.ts";

Deno.test("afterCrash() doubles the wait with each crash in the window, up to the cap", () => {
  const policy = { ...defaultRestartPolicy, maxCrashes: 10, maxDelayMs: 3_000 };
  assertEquals([1, 2, 3, 4, 5].map((n) => afterCrash(n, policy)), [
    { kind: "restart", delayMs: 500 },
    { kind: "restart", delayMs: 1_000 },
    { kind: "restart", delayMs: 2_000 },
    { kind: "restart", delayMs: 3_000 },
    { kind: "restart", delayMs: 3_000 },
  ]);
});

Deno.test("afterCrash() keeps a plugin down for the cool-down after maxCrashes in the window", () => {
  assertEquals(afterCrash(4, defaultRestartPolicy), { kind: "restart", delayMs: 4_000 });
  assertEquals(afterCrash(5, defaultRestartPolicy), { kind: "down", delayMs: 300_000 });
});
