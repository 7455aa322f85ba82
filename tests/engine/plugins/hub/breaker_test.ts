import { assertEquals } from "../../../helpers/assert.ts";
import {
  type BreakerState,
  CircuitBreaker,
  retryDelayMs,
} from "../../../../engine/plugins/hub/breaker.ts";

function breakerAt(
  clock: { ms: number },
  stored: { state: BreakerState; failures: number } = { state: "closed", failures: 0 },
) {
  return new CircuitBreaker({ failures: 3, cooldownMs: 1_000, now: () => clock.ms }, stored);
}

Deno.test("CircuitBreaker - opens on the Nth failure in a row, lets one probe through after the cooldown", () => {
  const clock = { ms: 0 };
  const breaker = breakerAt(clock);
  assertEquals([breaker.failed(), breaker.failed()], [null, null]);
  assertEquals(breaker.succeeded(), null); // A success in between starts the count again.
  assertEquals([breaker.failed(), breaker.failed(), breaker.failed()], [null, null, "opened"]);
  assertEquals([breaker.state, breaker.waitMs()], ["open", 1_000]);
  clock.ms = 999.5;
  breaker.beforeAttempt();
  assertEquals([breaker.state, breaker.waitMs()], ["open", 0.5]);
  clock.ms = 1_000;
  breaker.beforeAttempt();
  assertEquals(breaker.state, "half-open");
  assertEquals(breaker.failed(), "opened"); // The probe failed: another whole cooldown.
  assertEquals(breaker.waitMs(), 1_000);
  clock.ms = 2_000;
  breaker.beforeAttempt();
  assertEquals([breaker.succeeded(), breaker.state, breaker.failures], ["closed", "closed", 0]);
});

Deno.test("CircuitBreaker - one stored open waits a whole cooldown; a failure while open opens it anew", () => {
  const clock = { ms: 5_000 };
  const breaker = breakerAt(clock, { state: "open", failures: 4 });
  assertEquals(breaker.waitMs(), 1_000);
  clock.ms = 5_600;
  assertEquals(breaker.failed(), "opened");
  assertEquals(breaker.waitMs(), 1_000);
});

Deno.test("retryDelayMs() doubles from the base, with jitter, up to a minute", () => {
  assertEquals([1, 2, 3].map((n) => retryDelayMs(n, 100, () => 0)), [50, 100, 200]);
  assertEquals(retryDelayMs(3, 100, () => 0.999999) < 400, true);
  assertEquals(retryDelayMs(30, 1_000, () => 0), 30_000);
});
