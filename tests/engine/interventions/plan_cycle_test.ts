import { assert, assertEquals, assertRejects } from "../../helpers/assert.ts";
import { type ApiTest, withApi } from "../../helpers/api.ts";
import { customer, CYCLE_STAGES, daysAgo, NOW } from "../../helpers/fixtures.ts";
import { cycleRunnerWithChannels, publishTemplates } from "../../helpers/interventions.ts";
import {
  installDefaultRules,
  loadFactCatalog,
  loadPublishedRules,
  ruleBatchEvaluator,
} from "../../../engine/rules/mod.ts";
import { readDomainEvents } from "../../../engine/events/mod.ts";
import type { Db } from "../../../engine/db/mod.ts";
import {
  capabilitiesOf,
  interventionPolicy,
  planBatch,
  planParams,
} from "../../../engine/interventions/mod.ts";

// NOW is 2026-06-15T12:00Z: 13:00 in London, 21:00 in Tokyo (quiet hours 21:00–08:00).
// sup_ok falls in onboarding-profile-overdue's 10% holdout group; sup_a does not.
const suppliers: Array<[string, Record<string, unknown>, string]> = [
  ["sup_a", { email: "studio@example.com" }, "Europe/London"],
  ["sup_ok", { email: "held@example.com" }, "Europe/London"],
  ["sup_bad", { email: "not-an-address" }, "Europe/London"],
  ["sup_tokyo", { email: "tokyo@example.jp" }, "Asia/Tokyo"],
];

Deno.test("a cycle plans the interventions its firings propose and records every decision", async () => {
  await withApi(async (api) => {
    for (const [id, attributes, timeZone] of suppliers) {
      const { id: _id, ...fields } = customer(id, {
        signupDate: "2026-06-07",
        attributes,
        timeZone,
      });
      assertEquals((await api.call("PUT", `/api/v1/customers/${id}`, fields)).status, 201);
    }
    // A week in, a failed payment: payment-failed (priority 90) and the onboarding rules fire.
    const events = suppliers.map(([id]) => ({
      id: `${id}-payment`,
      customerId: id,
      type: "payment_failed",
      occurredAt: daysAgo(2).toISOString(),
      properties: { reason: "card declined" },
    }));
    assertEquals((await api.call("POST", "/api/v1/events", { events })).status, 200);
    await installDefaultRules(api.db, {
      context: { catalog: await loadFactCatalog(api.db) },
      now: NOW,
    });
    await publishTemplates(api.db);

    const cycle = await cycleRunnerWithChannels(api.db, api.config, ["email", "in-app"]).run("api");
    assertEquals(cycle.status, "succeeded", cycle.error ?? "");
    assertEquals(cycle.stages.map((s) => s.name), CYCLE_STAGES);
    const stage = cycle.stages.find((s) => s.name === "interventions")!;

    const decisions = async (id: string) =>
      (await api.call("GET", `/api/v1/customers/${id}/interventions?limit=50`)).body.items as Array<
        {
          ruleId: string;
          decision: string;
          reason: string | null;
          status: string;
          scheduledFor: string;
          priority: number;
        }
      >;
    // The cap (1 in 7 days here) goes to the highest priority: payment-failed (90).
    assertEquals((await decisions("sup_a")).map((d) => [d.ruleId, d.decision, d.reason]).sort(), [
      ["onboarding-profile-overdue", "suppressed", "frequency_cap"],
      ["payment-failed", "send", null],
    ]);
    const sent = (await decisions("sup_a")).find((d) => d.decision === "send")!;
    assertEquals([sent.status, sent.scheduledFor], ["planned", NOW.toISOString()]);
    // sup_ok is in onboarding-profile-overdue's control group, but at the cap it would not
    // have been sent it either: the cap comes first, so the control group stays comparable.
    assertEquals((await decisions("sup_ok")).map((d) => [d.ruleId, d.decision, d.reason]).sort(), [
      ["onboarding-profile-overdue", "suppressed", "frequency_cap"],
      ["payment-failed", "send", null],
    ]);

    // Email to an address that cannot work is suppressed with its reason; in-app still goes.
    const bad = await decisions("sup_bad");
    const badPayment = bad.find((d) => d.ruleId === "payment-failed")!;
    assertEquals([badPayment.decision, badPayment.reason], ["suppressed", "invalid_email_address"]);

    // Quiet hours in Tokyo: deferred to 08:00 there, not dropped.
    const tokyo = (await decisions("sup_tokyo")).find((d) => d.ruleId === "payment-failed")!;
    assertEquals([tokyo.decision, tokyo.scheduledFor], ["send", "2026-06-15T23:00:00.000Z"]);

    const [outbox] = await api.db.query<{ n: number }>(
      "select count(*)::int as n from intervention_outbox",
    );
    assertEquals(outbox?.n, stage.counts.toSend);
    assertEquals(
      stage.counts.proposals,
      stage.counts.toSend! + stage.counts.heldOut! + stage.counts.suppressed!,
    );
    // The outcomes stage measures sends and the control group from now on, not the suppressed.
    const outcomes = cycle.stages.find((s) => s.name === "outcomes")!;
    assertEquals(
      [outcomes.counts.enrolled, outcomes.counts.measured],
      [stage.counts.toSend! + stage.counts.heldOut!, 0],
    );

    // Planning the same cycle again (a resumed one) adds nothing: the idempotency keys hold.
    const params = await planParams(api.db, ["email", "in-app"]);
    await api.db.transaction((tx) =>
      planBatch(tx, { after: "", last: "sup_zzz" }, {
        cycleId: cycle.id,
        asOf: NOW,
        policy: interventionPolicy(api.config),
        capabilities: capabilitiesOf(params),
      })
    );
    const [again] = await api.db.query<{ n: number; outbox: number }>(
      `select count(*)::int as n, (select count(*)::int from intervention_outbox) as outbox
       from success_interventions`,
    );
    assertEquals([again?.n, again?.outbox], [stage.counts.proposals, stage.counts.toSend]);
  }, { env: { INTERVENTION_FREQUENCY_CAP: "1" }, clock: { now: () => NOW } });
});

Deno.test("with INTERVENTION_SYSTEM_ENABLED=false the stage plans nothing", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_a", {
      signupDate: "2026-06-07",
      attributes: { email: "a@example.com" },
    });
    await api.call("PUT", "/api/v1/customers/sup_a", fields);
    await installDefaultRules(api.db, {
      context: { catalog: await loadFactCatalog(api.db) },
      now: NOW,
    });
    await publishTemplates(api.db);
    const cycle = await cycleRunnerWithChannels(api.db, api.config, ["email", "in-app"]).run("api");
    const stage = cycle.stages.find((s) => s.name === "interventions")!;
    assertEquals([stage.counts.proposals, stage.counts.shards], [0, 0]);
  }, { env: { INTERVENTION_SYSTEM_ENABLED: "false" }, clock: { now: () => NOW } });
});

/**
 * sup_a, sup_bad and sup_ok, a week in with their profile overdue: only
 * onboarding-profile-overdue fires, for each. sup_ok is in its 10% holdout
 * group; sup_bad's address cannot work.
 */
async function onboardingCustomers(api: ApiTest): Promise<void> {
  const addresses = { sup_a: "a@example.com", sup_bad: "nope", sup_ok: "ok@example.com" };
  for (const [id, email] of Object.entries(addresses)) {
    const { id: _id, ...fields } = customer(id, {
      signupDate: "2026-06-07",
      attributes: { email },
    });
    await api.call("PUT", `/api/v1/customers/${id}`, fields);
  }
  await installDefaultRules(api.db, {
    context: { catalog: await loadFactCatalog(api.db) },
    now: NOW,
  });
  await publishTemplates(api.db);
}

const INTERVENTION_EVENTS = ["rule.fired", "intervention.planned"];
const EMAIL_NUDGES = capabilitiesOf({
  templates: [["onboarding_nudge", "email"]],
  channels: ["email"],
});

Deno.test("a cycle's events: rule.fired for each firing, intervention.planned for each send and held-out non-send", async () => {
  await withApi(async (api) => {
    await onboardingCustomers(api);
    const cycle = await cycleRunnerWithChannels(api.db, api.config, ["email", "in-app"]).run("api");
    assertEquals(cycle.status, "succeeded", cycle.error ?? "");
    const idOf = async (table: string, customerId: string) =>
      (await api.db.query<{ id: number }>(`select id from ${table} where customer_id = $1`, [
        customerId,
      ]))[0]!.id;
    const rule = { cycleId: cycle.id, ruleId: "onboarding-profile-overdue", ruleVersion: 1 };
    const nudge = { templateId: "onboarding_nudge", channel: "email", priority: 70 };
    const fired = async (customerId: string, holdout: boolean) => [
      "rule.fired",
      customerId,
      {
        ...rule,
        firingId: await idOf("rule_firings", customerId),
        intervention: { ...nudge, holdout },
      },
    ];
    const planned = async (customerId: string, holdout: boolean, dueAt: string | null) => [
      "intervention.planned",
      customerId,
      {
        ...rule,
        ...nudge,
        interventionId: await idOf("success_interventions", customerId),
        holdout,
        dueAt,
      },
    ];
    const expected = [
      await fired("sup_a", false),
      await fired("sup_bad", false),
      // In the control group when the rule fires: the planner holds it out below.
      await fired("sup_ok", true),
      await planned("sup_a", false, NOW.toISOString()),
      // sup_bad's proposal was suppressed (invalid_email_address): nothing planned, no event.
      await planned("sup_ok", true, null),
    ];
    const logged = async () =>
      (await readDomainEvents(api.db, { types: INTERVENTION_EVENTS })).events;
    assertEquals((await logged()).map((e) => [e.type, e.customerId, e.payload]), expected);
    assert((await logged()).every((e) => e.occurredAt.getTime() === NOW.getTime()));

    // Planning the same cycle again (a resumed one) tells nothing twice.
    await api.db.transaction((tx) =>
      planBatch(tx, { after: "", last: "sup_zzz" }, {
        cycleId: cycle.id,
        asOf: NOW,
        policy: interventionPolicy(api.config),
        capabilities: EMAIL_NUDGES,
      })
    );
    assertEquals((await logged()).length, expected.length);
  }, { clock: { now: () => NOW } });
});

Deno.test("a shard rolled back leaves no firing, no decision and no event", async () => {
  await withApi(async (api) => {
    await onboardingCustomers(api);
    const [{ id: cycleId }] = await api.db.query<{ id: number }>(
      `insert into cycles (trigger, status, as_of, started_at, heartbeat_at)
       values ('cli', 'running', $1, $1, $1) returning id`,
      [NOW],
    ) as [{ id: number }];
    const evaluate = ruleBatchEvaluator(await loadPublishedRules(api.db), { asOf: NOW, cycleId });
    const batch = { after: "", last: "sup_zzz" };
    const counts = async (db: Pick<Db, "query">) =>
      (await db.query<{ firings: number; decisions: number; events: number }>(
        `select (select count(*)::int from rule_firings) as firings,
           (select count(*)::int from success_interventions) as decisions,
           (select count(*)::int from event_log where type = any($1::text[])) as events`,
        [INTERVENTION_EVENTS],
      ))[0];
    const failed = await assertRejects(() =>
      api.db.transaction(async (tx) => {
        await evaluate(tx, batch);
        await planBatch(tx, batch, {
          cycleId,
          asOf: NOW,
          policy: interventionPolicy(api.config),
          capabilities: EMAIL_NUDGES,
        });
        // Inside, the shard's firings, decisions and events are there (3 fired, 2 planned)…
        assertEquals(await counts(tx), { firings: 3, decisions: 3, events: 5 });
        // …until the shard fails: a crash, a lost claim.
        throw new Error("the shard failed");
      }), Error);
    assertEquals(failed.message, "the shard failed");
    assertEquals(await counts(api.db), { firings: 0, decisions: 0, events: 0 });
  }, { clock: { now: () => NOW } });
});
