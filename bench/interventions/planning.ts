/**
 * Planning throughput: intervention proposals (rule firings) of one cycle
 * planned set-based in batches, exactly as the interventions stage does,
 * and one proposal at a time as the baseline.
 */
import type { Db } from "../../engine/db/mod.ts";
import { planBatches } from "../../engine/health/mod.ts";
import {
  type Capabilities,
  idempotencyKey,
  type InterventionPolicy,
  planBatch,
  planCustomer,
  type Proposal,
} from "../../engine/interventions/mod.ts";
import {
  FIRING_COLUMNS,
  interventionParamsSchema,
  loadPublishedRules,
} from "../../engine/rules/mod.ts";

/**
 * A cycle with `count` intervention firings over the customers active at
 * `asOf`, round-robin over the published intervention rules (one COPY).
 */
export async function synthesizeFirings(
  db: Db,
  options: { count: number; asOf: Date },
): Promise<{ cycleId: number; customers: number }> {
  const rules = (await loadPublishedRules(db)).filter((r) =>
    r.definition.event.type === "intervention"
  );
  if (rules.length === 0) throw new Error("no published intervention rule to fire");
  const customers = await db.query<{ id: string }>(
    `select id from customers where signup_date <= $1::timestamptz
       and (churned_at is null or churned_at > $1::timestamptz) order by id`,
    [options.asOf],
  );
  const [cycle] = await db.query<{ id: number }>(
    `insert into cycles (trigger, status, as_of, started_at, heartbeat_at, finished_at)
     values ('cli', 'succeeded', $1, $1, $1, $1) returning id`,
    [options.asOf],
  );
  const rows: unknown[][] = [];
  // Each customer gets rules r, r+1, … until the count is reached: 1–2 proposals each.
  for (let i = 0; rows.length < options.count; i++) {
    const customer = customers[i % customers.length]!;
    const rule = rules[(i + Math.floor(i / customers.length)) % rules.length]!;
    rows.push([
      cycle!.id,
      customer.id,
      rule.id,
      rule.version,
      1,
      rule.definition.event,
      {},
      [],
      options.asOf,
    ]);
  }
  // Duplicates (a rule twice for one customer) cannot happen: the offset changes each lap.
  await db.copyRows("rule_firings", FIRING_COLUMNS, rows);
  await db.exec("analyze rule_firings");
  return { cycleId: cycle!.id, customers: customers.length };
}

/** The set-based planner over every batch, `concurrency` batches at a time. */
export async function planAll(
  db: Db,
  options: {
    cycleId: number;
    asOf: Date;
    policy: InterventionPolicy;
    capabilities: Capabilities;
    batchSize: number;
    concurrency: number;
  },
): Promise<
  { seconds: number; proposals: number; toSend: number; suppressed: number; heldOut: number }
> {
  const started = performance.now();
  const batches = await planBatches(db, options.asOf, options.batchSize);
  const totals = { proposals: 0, toSend: 0, suppressed: 0, heldOut: 0 };
  let next = 0;
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const result = await db.transaction((tx) => planBatch(tx, batch, options));
      totals.proposals += result.proposals;
      totals.toSend += result.toSend;
      totals.suppressed += result.suppressed;
      totals.heldOut += result.heldOut;
    }
  }));
  return { seconds: (performance.now() - started) / 1000, ...totals };
}

class RollBack extends Error {}

/**
 * The baseline: `sample` proposals planned one at a time — per proposal, one
 * query for the customer and one for its history, the same policies, one
 * insert of the decision and one of its outbox row — in a transaction that
 * is rolled back.
 */
export async function planNaively(
  db: Db,
  options: {
    cycleId: number;
    asOf: Date;
    policy: InterventionPolicy;
    capabilities: Capabilities;
    sample: number;
  },
): Promise<{ proposals: number; seconds: number; perSecond: number }> {
  const firings = await db.query<{
    id: number;
    customer_id: string;
    rule_id: string;
    rule_version: number;
    priority: number;
    params: unknown;
  }>(
    `select id, customer_id, rule_id, rule_version, priority, event -> 'params' as params
     from rule_firings where cycle_id = $1 order by id limit $2`,
    [options.cycleId, options.sample],
  );
  let seconds = 0;
  try {
    await db.transaction(async (tx) => {
      const started = performance.now();
      for (const firing of firings) {
        const [customer] = await tx.query<{ time_zone: string; email: unknown; churned: boolean }>(
          `select time_zone, attributes -> 'email' as email, churned_at is not null as churned
           from customers where id = $1`,
          [firing.customer_id],
        );
        const history = await tx.query<
          { rule_id: string; planned_at: Date; decision: "send" | "holdout" }
        >(
          `select rule_id, planned_at, decision from success_interventions
           where customer_id = $1 and decision in ('send', 'holdout') and planned_at > $2::timestamptz - interval '365 days'`,
          [firing.customer_id, options.asOf],
        );
        const params = interventionParamsSchema.parse(firing.params);
        const proposal: Proposal = {
          firingId: firing.id,
          ruleId: firing.rule_id,
          ruleVersion: firing.rule_version,
          priority: params.priority,
          rulePriority: firing.priority,
          template: params.template,
          channel: params.channel,
          cooldownDays: params.cooldownDays,
          holdout: params.holdout,
        };
        const [decision] = planCustomer([proposal], {
          customerId: firing.customer_id,
          timeZone: customer!.time_zone,
          email: customer!.email,
          churned: customer!.churned,
          unsubscribed: new Set(),
          history: history.map((h) => ({
            ruleId: h.rule_id,
            plannedAt: h.planned_at,
            decision: h.decision,
          })),
        }, { now: options.asOf, policy: options.policy, capabilities: options.capabilities });
        const [row] = await tx.query<{ id: number }>(
          `insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
             cycle_id, template_id, channel, priority, decision, reason, status, planned_at,
             scheduled_for)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           on conflict (idempotency_key) do nothing returning id`,
          [
            idempotencyKey(firing.customer_id, proposal, options),
            firing.customer_id,
            firing.rule_id,
            firing.rule_version,
            options.cycleId,
            proposal.template,
            proposal.channel,
            proposal.priority,
            decision!.decision,
            decision!.reason,
            decision!.decision === "send"
              ? "planned"
              : decision!.decision === "holdout"
              ? "held_out"
              : "suppressed",
            options.asOf,
            decision!.scheduledFor,
          ],
        );
        if (row && decision!.decision === "send") {
          await tx.query(
            "insert into intervention_outbox (intervention_id, due_at) values ($1, $2)",
            [
              row.id,
              decision!.scheduledFor,
            ],
          );
        }
      }
      seconds = (performance.now() - started) / 1000;
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return { proposals: firings.length, seconds, perSecond: firings.length / seconds };
}
