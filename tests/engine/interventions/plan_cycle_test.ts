import { assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { customer, CYCLE_STAGES, daysAgo, NOW } from "../../helpers/fixtures.ts";
import { cycleRunnerWithChannels, publishTemplates } from "../../helpers/interventions.ts";
import { installDefaultRules, loadFactCatalog } from "../../../engine/rules/mod.ts";
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
