/**
 * `rule.fired` events: one per stored firing, appended in the shard's
 * transaction right after the firings, so a firing and its event are
 * committed together or not at all.
 */
import type { Queryable } from "../db/mod.ts";
import type { BatchBounds } from "../health/mod.ts";
import type { CompilableRule } from "./compile.ts";
import { holdoutPosition } from "./holdout.ts";
import { interventionParamsSchema } from "./rule_schema.ts";

/** The intervention a firing proposes, as its `rule.fired` event tells it. */
interface ProposedIntervention {
  templateId: string;
  channel: string;
  priority: number;
  /** The share of customers the rule holds out as its control group. */
  holdoutFraction: number;
}

/** A firing as its event needs it: which one (the table's key), and what it proposes. */
export interface FiredEvent {
  customerId: string;
  ruleId: string;
  intervention: ProposedIntervention | null;
}

/**
 * The intervention each rule's event proposes (null when it is not an
 * intervention), read once per rule set: a rule's event params are fixed,
 * so parsing them per firing would only repeat the work. Params a save would
 * refuse (an old version) give null rather than failing the cycle; the
 * planner reports those.
 */
export function proposedInterventions(
  rules: readonly CompilableRule[],
): Map<string, ProposedIntervention | null> {
  return new Map(rules.map((rule) => {
    const { event } = rule.definition;
    const params = event.type === "intervention"
      ? interventionParamsSchema.safeParse(event.params)
      : null;
    return [
      rule.id,
      params?.success
        ? {
          templateId: params.data.template,
          channel: params.data.channel,
          priority: params.data.priority,
          holdoutFraction: params.data.holdout,
        }
        : null,
    ];
  }));
}

/**
 * One statement for a batch's `rule.fired` events. The firings went in by
 * COPY, which returns no ids, so the events find their firings by the
 * table's unique key (cycle, customer, rule) within the batch's customers;
 * the event order is the firings'.
 */
export async function appendFiredEvents(
  tx: Queryable,
  fired: readonly FiredEvent[],
  options: { cycleId: number; batch: BatchBounds },
): Promise<void> {
  if (fired.length === 0) return;
  // Arrays, one per column: PostgreSQL reads them faster than a JSON document of rows.
  const column = <T>(pick: (f: FiredEvent) => T) => fired.map(pick);
  await tx.query(
    `insert into event_log (type, customer_id, payload, occurred_at)
     select 'rule.fired', f.customer_id,
       jsonb_build_object('firingId', f.id, 'cycleId', f.cycle_id, 'ruleId', f.rule_id,
         'ruleVersion', f.rule_version,
         'intervention', case when e.template_id is not null then jsonb_build_object(
           'templateId', e.template_id, 'channel', e.channel, 'priority', e.priority,
           'holdout', e.holdout::boolean) end),
       f.fired_at
     from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])
       as e(customer_id, rule_id, template_id, channel, priority, holdout)
     join rule_firings f
       on f.cycle_id = $1 and f.customer_id = e.customer_id and f.rule_id = e.rule_id
     -- The batch's range of the key: without it the join reads every firing the
     -- cycle's earlier shards stored, more with each shard.
     where f.customer_id > $8 and f.customer_id <= $9
     order by f.id`,
    [
      options.cycleId,
      column((f) => f.customerId),
      column((f) => f.ruleId),
      column((f) => f.intervention?.templateId ?? null),
      column((f) => f.intervention?.channel ?? null),
      column((f) => f.intervention?.priority ?? null),
      // Known here already: who falls in the group depends only on the rule and the customer.
      // As text: postgres.js types an array of booleans as one boolean.
      column((f) =>
        f.intervention
          ? String(holdoutPosition(f.ruleId, f.customerId) < f.intervention.holdoutFraction)
          : null
      ),
      options.batch.after,
      options.batch.last,
    ],
  );
}
