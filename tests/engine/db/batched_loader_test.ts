import { assertEquals } from "../../helpers/assert.ts";
import { BatchedLoader } from "../../../engine/db/mod.ts";

/** A loader over squares whose batches stay out until `release` is called. */
function squares(options: { maxInFlight: number; maxBatch: number }) {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const loader = new BatchedLoader<number, number>(async (keys) => {
    batches.push(keys);
    await new Promise<void>((resolve) => gates.push(resolve));
    return new Map(keys.filter((k) => k >= 0).map((k) => [k, k * k]));
  }, options);
  const release = async () => {
    gates.shift()?.();
    // Let the answered batch settle and the next one leave.
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { loader, batches, release };
}

Deno.test("BatchedLoader sends the first key at once and coalesces the keys that wait", async () => {
  const { loader, batches, release } = squares({ maxInFlight: 1, maxBatch: 100 });
  const first = loader.load(2);
  const waiting = [3, 4, 3, -1].map((k) => loader.load(k));
  assertEquals(batches, [[2]]);
  await release();
  assertEquals(await first, 4);
  // The waiting keys left together, the repeated one once.
  assertEquals(batches, [[2], [3, 4, -1]]);
  await release();
  assertEquals(await Promise.all(waiting), [9, 16, 9, undefined]);
});

Deno.test("BatchedLoader keeps batches within maxBatch and maxInFlight", async () => {
  const { loader, batches, release } = squares({ maxInFlight: 2, maxBatch: 2 });
  const all = [1, 2, 3, 4, 5, 6].map((k) => loader.load(k));
  assertEquals(batches, [[1], [2]]);
  await release();
  assertEquals(batches, [[1], [2], [3, 4]]);
  await release();
  await release();
  await release();
  assertEquals(batches, [[1], [2], [3, 4], [5, 6]]);
  assertEquals(await Promise.all(all), [1, 4, 9, 16, 25, 36]);
});

Deno.test("BatchedLoader fails every caller of a failed batch, and later batches still run", async () => {
  let calls = 0;
  const loader = new BatchedLoader<string, string>(async (keys) => {
    calls++;
    await Promise.resolve();
    if (calls === 2) throw new Error("the database went away");
    return new Map(keys.map((k) => [k, k.toUpperCase()]));
  }, { maxInFlight: 1, maxBatch: 10 });
  const first = loader.load("x");
  // These wait for the first batch and leave together in the second, which fails.
  const failed = [loader.load("a"), loader.load("b")].map((call) =>
    call.then(() => "answered", (error: Error) => error.message)
  );
  assertEquals(await first, "X");
  assertEquals(await Promise.all(failed), ["the database went away", "the database went away"]);
  assertEquals(await loader.load("c"), "C");
  assertEquals(calls, 3);
});
