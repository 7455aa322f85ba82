import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withTestDb } from "../../helpers/db.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { EngineError } from "../../../engine/errors.ts";
import { unsubscribe } from "../../../engine/interventions/mod.ts";
import { startLoopbackPeer } from "../../../engine/plugins/testing/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import {
  addCustomers,
  atRisk,
  bodies,
  milestone,
  outbox,
  startMarketing,
} from "./marketing_run.ts";

Deno.test("marketing - never queues a churned customer or one who unsubscribed", async () => {
  await withTestDb(async (db) => {
    await addCustomers(
      db,
      customer("sup_gone", { churnedAt: "2026-06-01T00:00:00Z" }),
      customer("sup_quiet"),
      customer("sup_ok"),
    );
    await unsubscribe(db, { customerId: "sup_quiet", channel: "email" }, {
      now: NOW,
      source: "link",
    });
    const m = await startMarketing(db, { config: { maxWaitMs: 0 } });
    try {
      for (const id of ["sup_gone", "sup_quiet", "sup_ok"]) {
        await m.run.emit({ type: "milestone.achieved", customerId: id, payload: milestone() });
      }
      assertEquals(await outbox(db), [[3, "pending", null]]);
      await m.stream.flush();
      assertEquals(bodies(m.peer).flatMap((b) => b.events.map((e) => e.customerId)), ["sup_ok"]);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - drops queued events of customers who churned or unsubscribed before the flush", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db, customer("sup_a"), customer("sup_b"), customer("sup_c"));
    const m = await startMarketing(db, { config: { maxWaitMs: 0 } });
    try {
      for (const id of ["sup_a", "sup_b", "sup_c"]) {
        await m.run.emit({ type: "health.changed", customerId: id, payload: atRisk() });
      }
      // Between the queue and the flush: one churns, one follows an unsubscribe link.
      await upsertCustomers(db, [customer("sup_a", { churnedAt: NOW.toISOString() })], {
        now: NOW,
      });
      await unsubscribe(db, { customerId: "sup_b", channel: "marketing" }, {
        now: NOW,
        source: "link",
      });

      assertEquals(await m.stream.flush(), { batches: 1, events: 1, suppressed: 2, error: null });
      assertEquals(bodies(m.peer).flatMap((b) => b.events.map((e) => e.customerId)), ["sup_c"]);
      assertEquals(await outbox(db), [
        [1, "suppressed", "churned"],
        [2, "suppressed", "unsubscribed"],
        [3, "sent", null],
      ]);
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - a batch whose customers all left is not posted", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db, customer("sup_a"));
    const m = await startMarketing(db, { config: { maxWaitMs: 0 } });
    try {
      await m.run.emit({ type: "milestone.achieved", customerId: "sup_a", payload: milestone() });
      await upsertCustomers(db, [customer("sup_a", { churnedAt: NOW.toISOString() })], {
        now: NOW,
      });
      assertEquals(await m.stream.flush(), { batches: 0, events: 0, suppressed: 1, error: null });
      assertEquals(m.peer.received.length, 0);
      assertEquals(await outbox(db), [[1, "suppressed", "churned"]]);
      assertEquals((await m.run.plugin.health()).status, "healthy");
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - counts only the configured unsubscribed channels", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db, customer("sup_a"), customer("sup_b"));
    await unsubscribe(db, { customerId: "sup_a", channel: "slack" }, { now: NOW, source: "link" });
    await unsubscribe(db, { customerId: "sup_b", channel: "marketing" }, {
      now: NOW,
      source: "admin",
    });
    const m = await startMarketing(db, {
      config: { maxWaitMs: 0, unsubscribedChannels: ["marketing"] },
    });
    try {
      for (const id of ["sup_a", "sup_b"]) {
        await m.run.emit({ type: "milestone.achieved", customerId: id, payload: milestone() });
      }
      await m.stream.flush();
      assertEquals(bodies(m.peer).flatMap((b) => b.events.map((e) => e.customerId)), ["sup_a"]);
    } finally {
      await m.stop();
    }
  });
});

const ROSE = customer("sup_rose", {
  name: "Rose Petal Florists",
  attributes: {
    email: "rose@rosepetal.example",
    phone: "+44 7700 900123",
    notes: "Prefers calls after 3pm, husband is Tom",
    teamSize: 4,
  },
});
const PERSONAL = [
  "Rose Petal Florists",
  "rose@rosepetal.example",
  "+44 7700 900123",
  "Prefers calls",
  "usr_88",
];

Deno.test("marketing - sends only the configured fields: no name, email, phone or free text by default", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db, ROSE);
    const m = await startMarketing(db, { config: { maxWaitMs: 0 } });
    try {
      await m.run.emit({
        type: "milestone.achieved",
        customerId: "sup_rose",
        payload: milestone(),
      });
      await m.run.emit({ type: "health.changed", customerId: "sup_rose", payload: atRisk() });
      await m.stream.flush();
      const [request] = await m.peer.waitFor(1);
      for (const text of PERSONAL) {
        assert(!request!.body.includes(text), `the body carries "${text}"`);
        for (const [name, value] of request!.headers) {
          assert(!value.includes(text), `the header ${name} carries "${text}"`);
        }
      }
      // Not stored in the outbox either: what is queued is what is sent.
      const [row] = await db.query<{ fields: string }>(
        "select fields::text as fields from marketing_outbox order by id limit 1",
      );
      for (const text of PERSONAL) {
        assert(!row!.fields.includes(text), `the outbox holds "${text}"`);
      }
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - sends personal fields an admin listed, and no others", async () => {
  await withTestDb(async (db) => {
    await addCustomers(db, ROSE);
    const m = await startMarketing(db, {
      config: {
        maxWaitMs: 0,
        fields: ["customerId", "name", "attributes.email", "attributes.teamSize", "mrr"],
      },
    });
    try {
      await m.run.emit({
        type: "milestone.achieved",
        customerId: "sup_rose",
        payload: milestone(),
        occurredAt: NOW,
      });
      await m.stream.flush();
      assertEquals(bodies(m.peer)[0]!.events, [{
        id: 1,
        kind: "milestone",
        eventType: "milestone.achieved",
        occurredAt: NOW.toISOString(),
        customerId: "sup_rose",
        name: "Rose Petal Florists",
        mrr: 79,
        attributes: { email: "rose@rosepetal.example", teamSize: 4 },
      }]);
      const body = m.peer.received[0]!.body;
      assert(!body.includes("+44 7700 900123") && !body.includes("Prefers calls"));
    } finally {
      await m.stop();
    }
  });
});

Deno.test("marketing - refuses a field that is not on its list", async () => {
  await withTestDb(async (db) => {
    const peer = startLoopbackPeer();
    try {
      const error = await assertRejects(
        () => startMarketing(db, { peer, config: { fields: ["customerId", "notes"] } }),
        EngineError,
      );
      assertEquals(error.code, "PLUGIN_CONFIG_INVALID");
      assert(error.issues.some((i) => i.path === "config.fields.1"), JSON.stringify(error.issues));
    } finally {
      await peer.close();
    }
  });
});
