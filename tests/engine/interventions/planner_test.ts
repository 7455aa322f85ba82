import { assert, assertEquals } from "../../helpers/assert.ts";
import {
  type Capabilities,
  type CustomerState,
  holdoutPosition,
  type InterventionPolicy,
  planCustomer,
  type Proposal,
  sendTime,
} from "../../../engine/interventions/mod.ts";

const NOW = new Date("2026-06-15T12:00:00Z"); // 13:00 in London, 21:00 in Tokyo
const policy: InterventionPolicy = {
  frequencyCap: 2,
  frequencyDays: 7,
  quietHours: { start: 21 * 60, end: 8 * 60 },
};
const capabilities: Capabilities = {
  templates: new Map([["nudge", "email"], ["tip", "in-app"], ["call", "email"]]),
  channels: new Set(["email", "in-app"]),
};

function proposal(ruleId: string, fields: Partial<Proposal> = {}): Proposal {
  return {
    firingId: 1,
    ruleId,
    ruleVersion: 1,
    priority: 50,
    rulePriority: 1,
    template: "nudge",
    channel: "email",
    cooldownDays: 7,
    holdout: 0,
    ...fields,
  };
}

function customer(fields: Partial<CustomerState> = {}): CustomerState {
  return {
    customerId: "sup_1",
    timeZone: "Europe/London",
    email: "studio@example.com",
    churned: false,
    unsubscribed: new Set(),
    history: [],
    ...fields,
  };
}

const plan = (proposals: Proposal[], state = customer()) =>
  planCustomer(proposals, state, { now: NOW, policy, capabilities }).map((d) => [
    d.proposal.ruleId,
    d.decision,
    d.reason,
  ]);

Deno.test("planCustomer() sends the highest priorities first, up to the frequency cap", () => {
  assertEquals(
    plan([
      proposal("low", { priority: 10 }),
      proposal("high", { priority: 90, template: "call" }),
      proposal("mid", { priority: 50, template: "tip", channel: "in-app" }),
    ]),
    [
      ["high", "send", null],
      ["mid", "send", null],
      ["low", "suppressed", "frequency_cap"],
    ],
  );
  // A send five days ago counts toward the cap of 2 in 7 days; one ten days ago does not.
  const history = [
    { ruleId: "other", plannedAt: new Date("2026-06-10T09:00:00Z"), decision: "send" as const },
    { ruleId: "older", plannedAt: new Date("2026-06-05T09:00:00Z"), decision: "send" as const },
  ];
  assertEquals(plan([proposal("a", { priority: 60 }), proposal("b")], customer({ history })), [
    ["a", "send", null],
    ["b", "suppressed", "frequency_cap"],
  ]);
});

Deno.test("planCustomer() suppresses with the reason: churned, unsubscribed, cooldown, address, template, channel", () => {
  assertEquals(plan([proposal("r")], customer({ churned: true })), [[
    "r",
    "suppressed",
    "churned",
  ]]);
  assertEquals(plan([proposal("r")], customer({ unsubscribed: new Set(["email"]) })), [
    ["r", "suppressed", "unsubscribed"],
  ]);
  const sentFiveDaysAgo = [{
    ruleId: "r",
    plannedAt: new Date("2026-06-10T12:00:00Z"),
    decision: "send" as const,
  }];
  assertEquals(plan([proposal("r")], customer({ history: sentFiveDaysAgo })), [
    ["r", "suppressed", "cooldown"],
  ]);
  // A held-out customer is in cooldown too: it does not re-enter the group every cycle.
  assertEquals(
    plan([proposal("r")], customer({ history: [{ ...sentFiveDaysAgo[0]!, decision: "holdout" }] })),
    [["r", "suppressed", "cooldown"]],
  );
  assertEquals(plan([proposal("r", { cooldownDays: 3 })], customer({ history: sentFiveDaysAgo })), [
    ["r", "send", null],
  ]);
  assertEquals(plan([proposal("r")], customer({ email: null })), [
    ["r", "suppressed", "no_email_address"],
  ]);
  assertEquals(plan([proposal("r")], customer({ email: "studio@@example" })), [
    ["r", "suppressed", "invalid_email_address"],
  ]);
  assertEquals(plan([proposal("r", { template: "gone" })]), [
    ["r", "suppressed", "template_unavailable"],
  ]);
  assertEquals(plan([proposal("r", { template: "tip" })]), [
    ["r", "suppressed", "template_channel_mismatch"],
  ]);
  const noInApp = { ...capabilities, channels: new Set(["email"]) };
  assertEquals(
    planCustomer([proposal("r", { template: "tip", channel: "in-app" })], customer(), {
      now: NOW,
      policy,
      capabilities: noInApp,
    })[0]?.reason,
    "channel_unavailable",
  );
  // In-app needs no address.
  assertEquals(
    plan([proposal("r", { template: "tip", channel: "in-app" })], customer({ email: null })),
    [
      ["r", "send", null],
    ],
  );
});

Deno.test("the holdout group: about the rule's share of customers, the same ones every time", () => {
  const customers = Array.from({ length: 2000 }, (_, i) => `sup_${i}`);
  const heldOut = customers.filter((id) => {
    const [decision] = planCustomer(
      [proposal("r", { holdout: 0.1 })],
      customer({ customerId: id }),
      {
        now: NOW,
        policy,
        capabilities,
      },
    );
    return decision?.decision === "holdout";
  });
  assert(heldOut.length > 150 && heldOut.length < 250, `${heldOut.length} of 2000 held out`);
  assert(heldOut.every((id) => holdoutPosition("r", id) < 0.1));
  // Another rule draws its own group.
  const other = customers.filter((id) => holdoutPosition("other-rule", id) < 0.1);
  assert(other.some((id) => !heldOut.includes(id)));
});

Deno.test("the control group holds only customers who would have been sent it", () => {
  // sup_1 is in the holdout group of a rule with holdout 1 (everyone).
  const always = { holdout: 1 };
  const history = [
    { ruleId: "x", plannedAt: new Date("2026-06-14T09:00:00Z"), decision: "send" as const },
    { ruleId: "y", plannedAt: new Date("2026-06-13T09:00:00Z"), decision: "send" as const },
  ];
  // At the cap, the customer would not have been sent it: suppressed, not held out.
  assertEquals(plan([proposal("r", always)], customer({ history })), [
    ["r", "suppressed", "frequency_cap"],
  ]);
  // Every other policy comes first too.
  assertEquals(plan([proposal("r", always)], customer({ churned: true })), [
    ["r", "suppressed", "churned"],
  ]);
  // A held-out message takes no place under the cap: the next rule is still sent.
  assertEquals(
    plan(
      [proposal("r", { ...always, priority: 90 }), proposal("a"), proposal("b")],
      customer({
        history: history.slice(0, 1),
      }),
    ),
    [["r", "holdout", null], ["a", "send", null], ["b", "suppressed", "frequency_cap"]],
  );
});

Deno.test("quiet hours defer a send to their end in the customer's own time zone", () => {
  const [london] = planCustomer([proposal("r")], customer(), { now: NOW, policy, capabilities });
  assertEquals(london?.scheduledFor, NOW); // 13:00 in London
  const [tokyo] = planCustomer([proposal("r")], customer({ timeZone: "Asia/Tokyo" }), {
    now: NOW,
    policy,
    capabilities,
  });
  // 21:00 in Tokyo (UTC+9): deferred to 08:00 there, 23:00 UTC.
  assertEquals([tokyo?.decision, tokyo?.scheduledFor.toISOString()], [
    "send",
    "2026-06-15T23:00:00.000Z",
  ]);
  // A quiet window inside one day, and quiet hours off.
  assertEquals(
    sendTime(new Date("2026-06-15T12:30:00Z"), "UTC", { start: 12 * 60, end: 13 * 60 })
      .toISOString(),
    "2026-06-15T13:00:00.000Z",
  );
  assertEquals(sendTime(NOW, "Asia/Tokyo", null), NOW);
});
