import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { DeliveryError } from "../../../engine/plugins/mod.ts";
import { type LoopbackPeer, startLoopbackPeer } from "../../../engine/plugins/testing/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { verifyWebhookSignature } from "../../../plugins/webhook/mod.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, daysAgo, NOW } from "../../helpers/fixtures.ts";
import { postReferrals, startViral, withCustomers } from "./viral_helpers.ts";

const SECRET = "viral-signing-0123456789";
const DAY_MS = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

/** A health.changed of `customerId` from `previousScore` to `score`, scored `days` after NOW. */
function healthChanged(customerId: string, previousScore: number | null, score: number, days = 0) {
  return {
    type: "health.changed" as const,
    customerId,
    payload: {
      score,
      previousScore,
      atRiskScore: 10,
      previousAtRiskScore: null,
      modelVersion: "1.0.0",
    },
    occurredAt: at(days),
  };
}

async function withPeer(fn: (peer: LoopbackPeer) => Promise<void>): Promise<void> {
  const peer = startLoopbackPeer("/viral/asks");
  try {
    await fn(peer);
  } finally {
    await peer.close();
  }
}

Deno.test("viral asks VIRAL_API_ENDPOINT once per crossing, not again for a duplicate or within the cooldown", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a", "sup_b", "sup_new"]);
    await upsertCustomers(db, [customer("sup_gone", { churnedAt: daysAgo(1).toISOString() })], {
      now: NOW,
    });
    await withPeer(async (peer) => {
      const run = await startViral(db, {
        env: { VIRAL_API_ENDPOINT: peer.url },
        config: { signingSecret: SECRET },
      });
      try {
        await postReferrals(run, [{
          id: "ref_1",
          referrerId: "sup_a",
          kind: "supplier_invited",
          occurredAt: daysAgo(12).toISOString(),
          outcome: { status: "converted", customerId: "sup_new", at: daysAgo(3).toISOString() },
        }]);
        const crossing = healthChanged("sup_a", 72, 84.5);
        await run.emit(crossing);
        const [ask] = await peer.waitFor(1);
        assert(ask);
        assertEquals(ask.method, "POST");
        assertEquals(ask.path, "/viral/asks");
        assertEquals(ask.headers.get("content-type"), "application/json");
        const askId = `viral-ask:sup_a:${NOW.toISOString()}`;
        assertEquals(ask.headers.get("idempotency-key"), askId);
        assertEquals(JSON.parse(ask.body), {
          type: "referral_ask",
          askId,
          customer: { id: "sup_a", name: "Supplier sup_a", vendorType: "photographer" },
          health: { score: 84.5, previousScore: 72, scoredAt: NOW.toISOString(), minScore: 80 },
          referrals: { sent30d: 1, viralCoefficient: 1 },
          sentAt: NOW.toISOString(),
        });
        const signed = await verifyWebhookSignature(
          SECRET,
          ask.headers.get("x-cs-timestamp") ?? "",
          ask.body,
          ask.headers.get("x-cs-signature") ?? "",
          { now: NOW },
        );
        assertEquals(signed, true);

        // The hub delivers at least once: the same event again asks nothing.
        await run.emit(crossing);
        // Ten days later it crosses again (after a dip): within the 30-day cooldown.
        await run.emit(healthChanged("sup_a", 75, 82, 10));
        // Not a crossing: it was above the threshold already.
        await run.emit(healthChanged("sup_a", 84.5, 90, 12));
        // Below the threshold, churned, or a customer the engine does not know: no ask.
        await run.emit(healthChanged("sup_b", 40, 79.99));
        await run.emit(healthChanged("sup_gone", 50, 95));
        await run.emit(healthChanged("sup_ghost", 50, 95));
        assertEquals(peer.received.length, 1);

        // A first scoring at or above the threshold counts as crossing it.
        await run.emit(healthChanged("sup_b", null, 80));
        // 31 days after the first ask, sup_a may be asked again.
        await run.emit(healthChanged("sup_a", 70, 88, 31));
        assertEquals(peer.received.length, 3);
        assertEquals(
          peer.received.map((r) => r.headers.get("idempotency-key")),
          [
            askId,
            `viral-ask:sup_b:${NOW.toISOString()}`,
            `viral-ask:sup_a:${at(31).toISOString()}`,
          ],
        );
        assertEquals(await run.plugin.health(), {
          status: "healthy",
          detail: `Referral asks go to 127.0.0.1:${peer.port} for customers reaching 80 points, ` +
            `at most one per customer in 30 days; the last sent at ${NOW.toISOString()}`,
        });
      } finally {
        await run.stop();
      }
    });
  });
});

Deno.test("viral: an endpoint that is down makes the handler fail retriably, and the retry asks once", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    await withPeer(async (peer) => {
      const run = await startViral(db, {
        env: { VIRAL_API_ENDPOINT: peer.url },
        config: { minScore: 70, cooldownDays: 7 },
      });
      try {
        peer.answer(503);
        const event = healthChanged("sup_a", 60, 75);
        const failed = await assertRejects(() => run.emit(event), DeliveryError);
        assertEquals(failed.retriable, true);
        assertMatch(failed.message, /The viral API \(VIRAL_API_ENDPOINT\) answered 503/);
        const health = await run.plugin.health();
        assertEquals(health.status, "degraded");
        assertMatch(
          health.detail,
          /The last referral ask to 127\.0\.0\.1:\d+ failed at .*503.*the event hub retries it/,
        );

        // The hub retries the same event once the endpoint is back: the same ask, sent once.
        peer.answer(200);
        await run.emit(event);
        await run.emit(event);
        assertEquals(peer.received.length, 2);
        assertEquals(
          peer.received[1]!.headers.get("idempotency-key"),
          peer.received[0]!.headers.get("idempotency-key"),
        );
        assertEquals(peer.received[1]!.headers.get("x-cs-signature"), null, "no secret: unsigned");
        assertEquals((await run.plugin.health()).status, "healthy");
      } finally {
        await run.stop();
      }
    });

    // Nothing listening at all: as retriable as a 503.
    const gone = startLoopbackPeer("/viral/asks");
    await gone.close();
    const run = await startViral(db, { env: { VIRAL_API_ENDPOINT: gone.url } });
    try {
      const unreachable = await assertRejects(
        () => run.emit(healthChanged("sup_a", 10, 95, 40)),
        DeliveryError,
      );
      assertEquals(unreachable.retriable, true);
      assertMatch(unreachable.message, /Cannot reach the viral API/);
    } finally {
      await run.stop();
    }
  });
});

Deno.test("viral: a 400 from the endpoint, or an event it cannot read, is not retriable", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    await withPeer(async (peer) => {
      const run = await startViral(db, { env: { VIRAL_API_ENDPOINT: peer.url } });
      try {
        peer.answer(400);
        const refused = await assertRejects(
          () => run.emit(healthChanged("sup_a", 50, 90)),
          DeliveryError,
        );
        assertEquals(refused.retriable, false);
        assertMatch(refused.message, /answered 400/);

        const unreadable = await assertRejects(
          () =>
            run.emit({ type: "health.changed", customerId: "sup_a", payload: { score: "high" } }),
          DeliveryError,
        );
        assertEquals(unreadable.retriable, false);
        assertMatch(unreadable.message, /has no numeric score and previousScore/);
        assertEquals(peer.received.length, 1);
      } finally {
        await run.stop();
      }
    });
  });
});

Deno.test("viral without VIRAL_API_ENDPOINT: no asks, says so in its health, still takes referrals and gives facts", async () => {
  await withTestDb(async (db) => {
    await withCustomers(db, ["sup_a"]);
    const run = await startViral(db);
    try {
      assertEquals(await run.plugin.health(), {
        status: "healthy",
        detail: "Referral asks are off: VIRAL_API_ENDPOINT is not set. Referrals " +
          "(POST /plugins/viral/referrals), facts and health boosts work",
      });
      await run.emit(healthChanged("sup_a", 50, 95));
      const response = await postReferrals(run, [{
        id: "ref_1",
        referrerId: "sup_a",
        kind: "form_shared",
        occurredAt: daysAgo(2).toISOString(),
      }]);
      assertEquals((await response.json()).accepted, 1);
      assertEquals(await run.plugin.facts(["sup_a"], NOW), {
        sup_a: { referrals_sent_30d: 1, viral_coefficient: 0 },
      });
    } finally {
      await run.stop();
    }
  });
});
