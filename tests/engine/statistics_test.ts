import { assertAlmostEquals, assertEquals } from "../helpers/assert.ts";
import {
  confidenceLevels,
  meanDifference,
  proportionDifference,
  wilsonInterval,
} from "../../engine/statistics.ts";

const z95 = confidenceLevels["0.95"];

Deno.test("wilsonInterval() gives the published score interval", () => {
  // Newcombe (1998a), Table I: 81/263 → 0.2553 to 0.3662.
  const { low, high } = wilsonInterval(81, 263, z95);
  assertAlmostEquals(low, 0.2553, 1e-4);
  assertAlmostEquals(high, 0.3662, 1e-4);
  // It stays inside [0, 1] where the textbook interval does not.
  assertAlmostEquals(wilsonInterval(0, 10, z95).low, 0, 1e-12);
  assertAlmostEquals(wilsonInterval(10, 10, z95).high, 1, 1e-12);
  assertAlmostEquals(wilsonInterval(0, 10, z95).high, 0.2775, 1e-4);
});

Deno.test("proportionDifference() gives Newcombe's hybrid score interval (method 10)", () => {
  // Newcombe (1998b), Table II, examples (a), (b) and (g).
  const cases: Array<[number, number, number, number, number, number]> = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.8090],
    [5, 56, 0, 29, -0.0381, 0.1926],
  ];
  for (const [s1, n1, s2, n2, low, high] of cases) {
    const result = proportionDifference(
      { successes: s1, trials: n1 },
      { successes: s2, trials: n2 },
      z95,
    )!;
    assertAlmostEquals(result.difference, s1 / n1 - s2 / n2, 1e-12);
    assertAlmostEquals(result.interval.low, low, 1e-4);
    assertAlmostEquals(result.interval.high, high, 1e-4);
  }
  // No comparison without both groups.
  assertEquals(
    proportionDifference({ successes: 1, trials: 2 }, { successes: 0, trials: 0 }, z95),
    null,
  );
});

Deno.test("meanDifference() is the Welch interval of two means", () => {
  const result = meanDifference(
    { n: 10, mean: 15, variance: 25 },
    { n: 40, mean: 5, variance: 100 },
    z95,
  )!;
  // se = sqrt(25/10 + 100/40) = sqrt(5)
  assertEquals(result.difference, 10);
  assertAlmostEquals(result.interval.low, 10 - z95 * Math.sqrt(5), 1e-9);
  assertAlmostEquals(result.interval.high, 10 + z95 * Math.sqrt(5), 1e-9);
  assertEquals(
    meanDifference({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 1, variance: 1 }, z95),
    null,
  );
});
