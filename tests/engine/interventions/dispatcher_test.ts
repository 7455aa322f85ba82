import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { movableClock } from "../../helpers/fixtures.ts";
import type { Clock } from "../../../engine/clock.ts";
import type { Db } from "../../../engine/db/mod.ts";
import {
  claimDueSends,
  Dispatcher,
  type MessageBuilder,
  recordSendResults,
} from "../../../engine/interventions/mod.ts";
import { withoutPersonalData } from "../../../engine/interventions/outbox.ts";
import { readDomainEvents, type StoredDomainEvent } from "../../../engine/events/mod.ts";
import { silentLogger } from "../../../engine/log.ts";
import {
  type Channel,
  DeliveryError,
  type OutgoingMessage,
} from "../../../engine/plugins/channel.ts";
import { dueSends } from "../../helpers/interventions.ts";

const build: MessageBuilder = (sends) =>
  Promise.resolve(sends.map((send): OutgoingMessage => ({
    interventionId: String(send.id),
    dedupKey: send.idempotencyKey,
    channel: "email",
    customer: {
      id: send.customerId,
      name: send.customer.name,
      email: String(send.customer.attributes.email),
      timeZone: send.customer.timeZone,
      locale: "en",
    },
    subject: "Your payment did not go through",
    html: "<p>Hi</p>",
    text: "Hi",
    links: { unsubscribe: null },
    test: false,
    source: { ruleId: send.ruleId, templateId: send.templateId, templateVersion: 1 },
  })));

/** A channel that keeps what it was given and fails as told. */
class RecordingChannel implements Channel {
  readonly id = "email";
  readonly kind = "email" as const;
  readonly received: OutgoingMessage[] = [];
  fail: ((message: OutgoingMessage) => DeliveryError | null) | null = null;

  send(message: OutgoingMessage): Promise<{ status: "sent"; providerMessageId: string }> {
    const failure = this.fail?.(message);
    if (failure) return Promise.reject(failure);
    this.received.push(message);
    return Promise.resolve({ status: "sent", providerMessageId: `<${message.dedupKey}@test>` });
  }
}

function dispatcher(db: Db, clock: Clock, channel: Channel, worker: string, maxAttempts = 3) {
  return new Dispatcher({
    db,
    clock,
    log: silentLogger,
    channel: (kind) => (kind === channel.kind ? channel : undefined),
    build,
    worker,
    batchSize: 25,
    concurrency: 8,
    maxAttempts,
    leaseSeconds: 60,
    random: () => 0.5,
  });
}

const DELIVERY_EVENTS = ["intervention.sent", "intervention.failed"];

/** The delivery events in log order, as [type, customer, payload]. */
async function deliveryEvents(db: Db): Promise<Array<[string, string | null, unknown]>> {
  const { events } = await readDomainEvents(db, { types: DELIVERY_EVENTS, limit: 1000 });
  return events.map((e: StoredDomainEvent) => [e.type, e.customerId, e.payload]);
}

/** Runs passes until one claims nothing. */
async function drain(d: Dispatcher): Promise<number> {
  let sent = 0;
  for (;;) {
    const pass = await d.runOnce();
    sent += pass.sent;
    if (pass.claimed === 0) return sent;
  }
}

Deno.test("two workers deliver 200 due interventions: each is sent once and recorded", async () => {
  await withApi(async (api) => {
    await dueSends(api.db, 200);
    const channel = new RecordingChannel();
    const clock = movableClock();
    const [a, b] = await Promise.all([
      drain(dispatcher(api.db, clock, channel, "worker-a")),
      drain(dispatcher(api.db, clock, channel, "worker-b")),
    ]);
    assertEquals(a + b, 200);
    assertEquals(new Set(channel.received.map((m) => m.dedupKey)).size, 200);
    assertEquals(channel.received.length, 200);
    const [row] = await api.db.query<{ sent: number; outbox: number; ids: number }>(
      `select count(*) filter (where status = 'sent' and sent_at is not null)::int as sent,
         (select count(*)::int from intervention_outbox) as outbox,
         count(distinct provider_message_id)::int as ids
       from success_interventions`,
    );
    assertEquals([row?.sent, row?.outbox, row?.ids], [200, 0, 200]);
    // One intervention.sent per intervention, with what the channel answered.
    const stored = await api.db.query<
      { id: number; customer_id: string; provider_message_id: string }
    >("select id, customer_id, provider_message_id from success_interventions order by id");
    const events = await deliveryEvents(api.db);
    assertEquals(
      events.sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      stored.map((i) => [
        "intervention.sent",
        i.customer_id,
        {
          interventionId: i.id,
          channel: "email",
          status: "sent",
          providerMessageId: i.provider_message_id,
          attempt: 1,
        },
      ]),
    );
  });
});

Deno.test("a retriable failure is retried with backoff, then dead-lettered; a permanent one at once; an operator retries", async () => {
  await withApi(async (api) => {
    await dueSends(api.db, 2);
    const channel = new RecordingChannel();
    channel.fail = (message) =>
      message.customer.id === "sup_0000"
        ? new DeliveryError("451 4.3.0 mailbox busy, try later", { retriable: true })
        : new DeliveryError(`550 5.1.1 <${message.customer.email}>: no such user`, {
          retriable: false,
        });
    const clock = movableClock();
    const worker = dispatcher(api.db, clock, channel, "worker-a");
    const state = async () =>
      await api.db.query<
        {
          customer_id: string;
          status: string;
          attempts: number;
          due_in: number | null;
          state: string | null;
        }
      >(
        `select i.customer_id, i.status, i.attempts, o.state,
           extract(epoch from o.due_at - $1::timestamptz)::int as due_in
         from success_interventions i left join intervention_outbox o on o.intervention_id = i.id
         order by i.customer_id`,
        [clock.now()],
      );
    await worker.runOnce();
    // Backoff 30 s × 2^0 with jitter 0.75: due again in 22.5 s (rounded to 23 by extract).
    assertEquals((await state()).map((r) => [r.customer_id, r.status, r.attempts, r.state]), [
      ["sup_0000", "failed", 1, "pending"],
      ["sup_0001", "dead", 1, "dead"],
    ]);
    const dueIn = (await state())[0]!.due_in!;
    assert(dueIn >= 22 && dueIn <= 23, `due again in ${dueIn} s`);
    const [first, second] = (await api.db.query<{ id: number }>(
      "select id from success_interventions order by customer_id",
    )).map((r) => r.id);
    // Failed for good: told at once, without the address the server's reply quoted.
    const permanent = [
      "intervention.failed",
      "sup_0001",
      {
        interventionId: second,
        channel: "email",
        error: "550 5.1.1 <email>: no such user",
        attempts: 1,
      },
    ];
    // The retriable failure is no event: it may still go.
    assertEquals(await deliveryEvents(api.db), [permanent]);
    assertEquals((await worker.runOnce()).claimed, 0); // not due yet
    clock.advance(30_000);
    await worker.runOnce(); // attempt 2: backoff 60 s × 0.75
    assertEquals(await deliveryEvents(api.db), [permanent]);
    clock.advance(50_000);
    await worker.runOnce(); // attempt 3 of 3: dead
    const after = await state();
    assertEquals(after.map((r) => [r.status, r.attempts, r.state]), [
      ["dead", 3, "dead"],
      ["dead", 1, "dead"],
    ]);
    const [dead] = await api.db.query<{ last_error: string; id: number }>(
      "select id, last_error from success_interventions where customer_id = 'sup_0000'",
    );
    // Kept whole, encrypted (SMTP replies can quote the address); the API shows it decrypted.
    assertEquals(
      (await api.call("GET", `/api/v1/interventions/${dead!.id}`)).body.lastError,
      "451 4.3.0 mailbox busy, try later (gave up after 3 attempts)",
    );
    assert(dead!.last_error.startsWith("enc:v1:text-"), dead!.last_error);
    const exhausted = [
      "intervention.failed",
      "sup_0000",
      {
        interventionId: first,
        channel: "email",
        error: "451 4.3.0 mailbox busy, try later (gave up after 3 attempts)",
        attempts: 3,
      },
    ];
    assertEquals(await deliveryEvents(api.db), [permanent, exhausted]);

    // The mailbox recovered: an operator retries it, and it goes.
    channel.fail = null;
    const retried = await api.call("POST", `/api/v1/interventions/${dead!.id}/retry`, {
      reason: "mail server fixed",
    });
    assertEquals([retried.status, retried.body.status, retried.body.attempts], [200, "planned", 0]);
    const again = await api.call("POST", `/api/v1/interventions/${dead!.id}/retry`);
    assertEquals([again.status, again.body.code], [409, "INTERVENTION_NOT_RETRIABLE"]);
    await worker.runOnce();
    assertEquals(channel.received.map((m) => m.customer.id), ["sup_0000"]);
    // The rest of the dead letters in bulk.
    const replay = await api.call("POST", "/api/v1/interventions/replay", { channel: "email" });
    assertEquals(replay.body.requeued, 1);
    await worker.runOnce();
    assertEquals(channel.received.map((m) => m.customer.id), ["sup_0000", "sup_0001"]);
    const audit = await api.call("GET", "/api/v1/audit?subjectType=intervention");
    assertEquals(audit.body.items.map((e: { action: string }) => e.action), [
      "intervention.replayed",
      "intervention.retried",
    ]);
    // Retried by an operator, each went on its first attempt of the new round.
    const sent = (id: number | undefined, customerId: string) => [
      "intervention.sent",
      customerId,
      {
        interventionId: id,
        channel: "email",
        status: "sent",
        providerMessageId: `<${customerId}:payment-failed:v1:w1@test>`,
        attempt: 1,
      },
    ];
    assertEquals(await deliveryEvents(api.db), [
      permanent,
      exhausted,
      sent(first, "sup_0000"),
      sent(second, "sup_0001"),
    ]);
  });
});

Deno.test("results recorded in a transaction that rolls back leave no event", async () => {
  await withApi(async (api) => {
    await dueSends(api.db, 2);
    const claimed = await claimDueSends(api.db, {
      worker: "worker-a",
      now: movableClock().now(),
      limit: 10,
      leaseSeconds: 60,
    });
    const [sent, dead] = claimed.map((send) => send.id);
    const failed = await assertRejects(() =>
      api.db.transaction(async (tx) => {
        await recordSendResults(tx, [
          { id: sent!, outcome: "sent", providerMessageId: "<a@test>" },
          { id: dead!, outcome: "dead", error: "550 no such user" },
        ], { now: movableClock().now() });
        const [inside] = await tx.query<{ n: number }>(
          "select count(*)::int as n from event_log where type = any($1::text[])",
          [DELIVERY_EVENTS],
        );
        assertEquals(inside?.n, 2);
        throw new Error("the worker's transaction failed");
      }), Error);
    assertEquals(failed.message, "the worker's transaction failed");
    assertEquals(await deliveryEvents(api.db), []);
    const statuses = await api.db.query<{ status: string }>(
      "select status from success_interventions order by id",
    );
    assertEquals(statuses.map((r) => r.status), ["sending", "sending"]);
  });
});

Deno.test("withoutPersonalData() masks addresses and URLs and keeps the rest of a failure", () => {
  assertEquals(
    withoutPersonalData("550 5.1.1 <jane.doe+x@studio.example.co.uk>: Recipient address rejected"),
    "550 5.1.1 <email>: Recipient address rejected",
  );
  assertEquals(
    withoutPersonalData("Cannot reach https://hooks.example.com/T0/secret?c=sup_1: refused"),
    "Cannot reach <url>: refused",
  );
  assertEquals(withoutPersonalData("x".repeat(400)), `${"x".repeat(300)}…`);
  // Cut between characters, never inside one.
  assertEquals(withoutPersonalData(`${"x".repeat(299)}😀😀`), `${"x".repeat(299)}😀…`);
});
