import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import { movableClock } from "../../helpers/fixtures.ts";
import { ReportCache, reportKey, toCsv } from "../../../engine/reports/mod.ts";

Deno.test("toCsv() quotes fields as RFC 4180 says, with a header row and CRLF", () => {
  const rows = [
    { name: 'Smith, "The" Florist', note: "two\nlines", rate: 0.5, ok: true, none: null },
    { name: "plain", note: "", rate: 0, ok: false, none: null },
  ];
  assertEquals(
    toCsv(["name", "note", "rate", "ok", "none"], rows),
    'name,note,rate,ok,none\r\n"Smith, ""The"" Florist","two\nlines",0.5,true,\r\n' +
      "plain,,0,false,\r\n",
  );
  assertEquals(toCsv(["a"], []), "a\r\n");
});

Deno.test("ReportCache shares one computation, serves it for its TTL, and never keeps a failure", async () => {
  const clock = movableClock();
  const cache = new ReportCache({ clock, maxEntries: 2 });
  let computed = 0;
  const compute = () => Promise.resolve(++computed);
  const ttl = { ttlSeconds: 60 };
  const [a, b] = await Promise.all([cache.get("k", ttl, compute), cache.get("k", ttl, compute)]);
  assertEquals([a.status, b.status, a.value, b.value], ["MISS", "HIT", 1, 1]);
  clock.advance(59_999);
  assertEquals(await cache.get("k", ttl, compute), {
    value: 1,
    status: "HIT",
    ageSeconds: 59,
    ttlSeconds: 60,
  });
  clock.advance(1);
  assertEquals((await cache.get("k", ttl, compute)).value, 2);
  assertEquals((await cache.get("k", { ...ttl, fresh: true }, compute)).status, "BYPASS");

  await assertRejects(() => cache.get("bad", ttl, () => Promise.reject(new Error("down"))), Error);
  assertEquals((await cache.get("bad", ttl, compute)).status, "MISS");

  // Two entries at most: the oldest goes.
  await cache.get("other", ttl, compute);
  assertEquals((await cache.get("k", ttl, compute)).status, "MISS");
});

Deno.test("reportKey() does not depend on the order of parameters or undefined ones", () => {
  assertEquals(
    reportKey("roi", { to: "b", from: "a", x: undefined }),
    reportKey("roi", { from: "a", to: "b" }),
  );
});
