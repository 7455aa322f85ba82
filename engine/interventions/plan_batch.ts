/**
 * Planning a batch of customers in a cycle: one statement reads the batch's
 * intervention proposals (its rule firings) with what the policies need,
 * the planner decides, and one statement records every decision in
 * `success_interventions`, puts the sends in the outbox and appends their
 * `intervention.planned` events — in the caller's transaction, so a decision,
 * its send and its event are stored together or not at all.
 */
import type { Queryable } from "../db/mod.ts";
import { openEntries } from "../privacy/mod.ts";
import { interventionParamsSchema } from "../rules/mod.ts";
import { CUSTOMER_FIELDS } from "../signals/mod.ts";
import type { InterventionPolicy } from "./policy.ts";
import {
  type Capabilities,
  type CustomerState,
  type Decision,
  planCustomer,
  type Proposal,
} from "./planner.ts";

/** What planning a batch did, by decision. */
export interface PlanBatchResult {
  proposals: number;
  toSend: number;
  heldOut: number;
  suppressed: number;
}

interface ProposalRow {
  firing_id: number;
  customer_id: string;
  rule_id: string;
  rule_version: number;
  rule_priority: number;
  params: unknown;
  time_zone: string;
  email: unknown;
  churned: boolean;
  unsubscribed: string[];
  history: Array<{ ruleId: string; plannedAt: string; decision: "send" | "holdout" }>;
}

// $1 cycle, $2 after id, $3 last id, $4 as-of, $5 days of history the policies look at.
const PROPOSALS_SQL = `
with proposals as (
  select f.id as firing_id, f.customer_id, f.rule_id, f.rule_version, f.priority as rule_priority,
    f.event -> 'params' as params
  from rule_firings f
  where f.cycle_id = $1 and f.customer_id > $2 and f.customer_id <= $3
    and f.event ->> 'type' = 'intervention'
),
customers_of as (select distinct customer_id from proposals)
select p.*, c.time_zone, c.attributes -> 'email' as email,
  (c.churned_at is not null and c.churned_at <= $4) as churned,
  coalesce((select array_agg(u.channel) from channel_unsubscribes u
    where u.customer_id = p.customer_id), '{}') as unsubscribed,
  coalesce((select json_agg(json_build_object('ruleId', i.rule_id, 'plannedAt', i.planned_at,
      'decision', i.decision))
    from success_interventions i
    where i.customer_id = p.customer_id and i.planned_at > $4::timestamptz - $5 * interval '1 day'
      and i.decision in ('send', 'holdout') and not i.test), '[]') as history
from proposals p join customers c on c.id = p.customer_id
order by p.customer_id, p.firing_id`;

/**
 * Plans the intervention proposals of cycle `cycleId` for the customers after
 * `after` up to `last`, as of `asOf`.
 */
export async function planBatch(
  tx: Queryable,
  batch: { after: string; last: string },
  options: {
    cycleId: number;
    asOf: Date;
    policy: InterventionPolicy;
    capabilities: Capabilities;
  },
): Promise<PlanBatchResult> {
  const { policy } = options;
  const lookBack = Math.max(policy.frequencyDays, 365); // the longest cooldown a rule may set
  const rows = await tx.query<ProposalRow>(PROPOSALS_SQL, [
    options.cycleId,
    batch.after,
    batch.last,
    options.asOf,
    lookBack,
  ]);
  const decisions: Array<Decision & { customerId: string }> = [];
  const groups = [...byCustomer(rows)];
  // The address is stored encrypted; the email policy checks the address itself.
  const emails = await Promise.all(
    groups.map(async (group) =>
      (await openEntries({ email: group[0]!.email }, CUSTOMER_FIELDS.attributes)).email
    ),
  );
  for (const [i, group] of groups.entries()) {
    const first = group[0]!;
    const state: CustomerState = {
      customerId: first.customer_id,
      timeZone: first.time_zone,
      email: emails[i],
      churned: first.churned,
      unsubscribed: new Set(first.unsubscribed),
      history: first.history.map((h) => ({ ...h, plannedAt: new Date(h.plannedAt) })),
    };
    const proposals = group.map(toProposal);
    for (const decision of planCustomer(proposals, state, { ...options, now: options.asOf })) {
      decisions.push({ ...decision, customerId: state.customerId });
    }
  }
  if (decisions.length > 0) await recordDecisions(tx, decisions, options);
  return {
    proposals: decisions.length,
    toSend: decisions.filter((d) => d.decision === "send").length,
    heldOut: decisions.filter((d) => d.decision === "holdout").length,
    suppressed: decisions.filter((d) => d.decision === "suppressed").length,
  };
}

function* byCustomer(rows: readonly ProposalRow[]): Generator<ProposalRow[]> {
  let group: ProposalRow[] = [];
  for (const row of rows) {
    if (group.length > 0 && group[0]!.customer_id !== row.customer_id) {
      yield group;
      group = [];
    }
    group.push(row);
  }
  if (group.length > 0) yield group;
}

function toProposal(row: ProposalRow): Proposal {
  // Stored rules were validated at save; the defaults fill what a rule left out.
  const params = interventionParamsSchema.parse(row.params);
  return {
    firingId: row.firing_id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    priority: params.priority,
    rulePriority: row.rule_priority,
    template: params.template,
    channel: params.channel,
    cooldownDays: params.cooldownDays,
    holdout: params.holdout,
  };
}

/**
 * The idempotency key of a planned intervention: the customer, the rule
 * version, and the window — the cooldown period the as-of day falls in (the
 * cycle itself when the rule has no cooldown).
 */
export function idempotencyKey(
  customerId: string,
  proposal: Pick<Proposal, "ruleId" | "ruleVersion" | "cooldownDays">,
  context: { asOf: Date; cycleId: number },
): string {
  const window = proposal.cooldownDays > 0
    ? `w${Math.floor(context.asOf.getTime() / 86_400_000 / proposal.cooldownDays)}`
    : `c${context.cycleId}`;
  return `${customerId}:${proposal.ruleId}:v${proposal.ruleVersion}:${window}`;
}

const STATUS = { send: "planned", holdout: "held_out", suppressed: "suppressed" } as const;

/** One statement: the decisions, the sends' outbox rows, and the events. */
async function recordDecisions(
  tx: Queryable,
  decisions: ReadonlyArray<Decision & { customerId: string }>,
  options: { cycleId: number; asOf: Date },
): Promise<void> {
  // Arrays, one per column: PostgreSQL reads them faster than a JSON document of rows.
  const column = <T>(pick: (d: (typeof decisions)[number]) => T) => decisions.map(pick);
  await tx.query(
    `with inserted as (
       insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
         cycle_id, template_id, channel, priority, decision, reason, status, planned_at,
         scheduled_for)
       select d.key, d.customer_id, d.rule_id, d.rule_version, $12, d.template_id, d.channel,
         d.priority, d.decision, d.reason, d.status, $13, d.scheduled_for
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
         $7::int[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
         as d(key, customer_id, rule_id, rule_version, template_id, channel, priority, decision,
           reason, status, scheduled_for)
       -- Planned already (a resumed cycle): the first decision stands, and its event was told.
       on conflict (idempotency_key) do nothing
       returning id, customer_id, rule_id, rule_version, template_id, channel, priority, decision,
         scheduled_for
     ),
     planned as (
       -- A send, or the control group's recorded non-send (uplift is measured against it).
       -- Suppressed proposals are no event: nothing was planned; their reason is stored.
       insert into event_log (type, customer_id, payload, occurred_at)
       select 'intervention.planned', customer_id,
         jsonb_build_object('interventionId', id, 'cycleId', $12::bigint, 'ruleId', rule_id,
           'ruleVersion', rule_version, 'templateId', template_id, 'channel', channel,
           'priority', priority, 'holdout', decision = 'holdout',
           -- ISO 8601 in UTC with a Z, as every timestamp the API returns.
           'dueAt', case when decision = 'send'
             then to_char(scheduled_for at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end),
         $13
       from inserted where decision in ('send', 'holdout')
       order by id
     )
     -- The CTE above runs whether or not this reads it (PostgreSQL runs every
     -- data-modifying WITH exactly once).
     insert into intervention_outbox (intervention_id, due_at)
     select id, scheduled_for from inserted where decision = 'send'`,
    [
      column((d) => idempotencyKey(d.customerId, d.proposal, options)),
      column((d) => d.customerId),
      column((d) => d.proposal.ruleId),
      column((d) => d.proposal.ruleVersion),
      column((d) => d.proposal.template),
      column((d) => d.proposal.channel),
      column((d) => d.proposal.priority),
      column((d) => d.decision),
      column((d) => d.reason),
      column((d) => STATUS[d.decision]),
      column((d) => d.scheduledFor.toISOString()),
      options.cycleId,
      options.asOf,
    ],
  );
}
