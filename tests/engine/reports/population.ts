/**
 * A population small enough to work the reports out by hand (the tests say
 * how): six suppliers, their health on 13 and 14 June 2026, and a few
 * interventions planned on 13 June.
 *
 * | id | vendor       | plan         | MRR | signed up  | churned          |
 * |----|--------------|--------------|-----|------------|------------------|
 * | a  | photographer | professional | 100 | 2026-04-10 |                  |
 * | b  | photographer | professional | 100 | 2026-04-20 | 2026-05-10 09:00 |
 * | c  | venue        | starter      |  50 | 2026-05-05 | 2026-05-20 10:00 |
 * | d  | venue        | starter      |  50 | 2026-05-15 |                  |
 * | e  | florist      | professional |  80 | 2026-03-01 | 2026-06-14 23:30 |
 * | f  | florist      | starter      |  20 | 2026-06-14 |                  |
 */
import type { Db } from "../../../engine/db/mod.ts";
import { type CustomerRecord, upsertCustomers } from "../../../engine/signals/mod.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { type PlantedIntervention, plantInterventions } from "../../helpers/interventions.ts";

const people: Array<
  [string, CustomerRecord["vendorType"], string, number, string, string | null]
> = [
  ["a", "photographer", "professional", 100, "2026-04-10", null],
  ["b", "photographer", "professional", 100, "2026-04-20", "2026-05-10T09:00:00Z"],
  ["c", "venue", "starter", 50, "2026-05-05", "2026-05-20T10:00:00Z"],
  ["d", "venue", "starter", 50, "2026-05-15", null],
  ["e", "florist", "professional", 80, "2026-03-01", "2026-06-14T23:30:00Z"],
  ["f", "florist", "starter", 20, "2026-06-14", null],
];

/** Inserts the population; with `interventions`, the ones of 13 June and their effects too. */
export async function seedPopulation(db: Db, options: { interventions?: boolean } = {}) {
  await upsertCustomers(
    db,
    people.map(([id, vendorType, plan, mrr, signupDate, churnedAt]) =>
      customer(id, { vendorType, plan, mrr, signupDate, churnedAt })
    ),
    { now: NOW },
  );
  // 13 June: a twice (its last score, 90, counts), d and e at risk (> 70). 14 June: a and f;
  // f's at-risk score 71 is over the threshold.
  const scores: Array<[string, number, number, string]> = [
    ["a", 80, 20, "2026-06-13T08:00:00Z"],
    ["a", 90, 10, "2026-06-13T20:00:00Z"],
    ["d", 40, 75, "2026-06-13T09:00:00Z"],
    ["e", 30, 80, "2026-06-13T09:00:00Z"],
    ["a", 70, 30, "2026-06-14T09:00:00Z"],
    ["f", 60, 71, "2026-06-14T09:00:00Z"],
  ];
  await db.query(
    `insert into customer_health (customer_id, score, at_risk_score, components,
       at_risk_factors, model_version, scored_at)
     select id, score, risk, '{}', '[]', 'test', at
     from unnest($1::text[], $2::float8[], $3::float8[], $4::timestamptz[]) as s (id, score, risk, at)`,
    [
      scores.map((s) => s[0]),
      scores.map((s) => s[1]),
      scores.map((s) => s[2]),
      scores.map((s) => s[3]),
    ],
  );
  if (!options.interventions) return;
  // 13 June: sent to a (retained at 30 days) and d (not), e held out; a test send and a
  // suppression, which never count.
  const planned = new Date("2026-06-13T10:00:00Z");
  const ids = await plantInterventions(db, [
    { customerId: "a", ruleId: "r", decision: "send", plannedAt: planned, sentAt: planned },
    { customerId: "d", ruleId: "r", decision: "send", plannedAt: planned, sentAt: planned },
    { customerId: "e", ruleId: "r", decision: "holdout", plannedAt: planned },
    {
      customerId: "f",
      ruleId: "r",
      decision: "send",
      plannedAt: planned,
      sentAt: planned,
      test: true,
    },
    { customerId: "f", ruleId: "r", decision: "suppressed", plannedAt: planned },
  ]);
  await plantEffects(db, ids.slice(0, 3), [true, false, true], planned);
}

/** Records retention at 30 days of the interventions `ids`, as the outcomes stage would. */
export async function plantEffects(
  db: Db,
  ids: readonly number[],
  retained30d: readonly boolean[],
  baselineAt: Date,
): Promise<void> {
  await db.query(
    `insert into intervention_effects (intervention_id, baseline_at, retained_30d)
     select id, $3, retained::boolean from unnest($1::bigint[], $2::text[]) as e (id, retained)`,
    // As text: postgres.js cannot send a boolean array.
    [ids, retained30d.map(String), baselineAt],
  );
}

/**
 * Three rules, each sent to 10 customers and holding 10 out, every customer
 * at MRR 100, retention at 30 days measured for all:
 * - payment-failed (email): 9 of 10 retained against 3 of 10: significant, credited;
 * - feature-tip (in-app): 6 against 5: not significant, no credit;
 * - win-back (slack): 2 against 9: significant but negative, no credit.
 */
export async function seedRoiPopulation(db: Db): Promise<void> {
  const rules: Array<[string, string, number, number]> = [
    ["payment-failed", "email", 9, 3],
    ["feature-tip", "in-app", 6, 5],
    ["win-back", "slack", 2, 9],
  ];
  const ids = Array.from({ length: 60 }, (_, i) => `sup_${String(i).padStart(2, "0")}`);
  await upsertCustomers(db, ids.map((id) => customer(id, { mrr: 100 })), { now: NOW });
  const planted: PlantedIntervention[] = [];
  const retained: boolean[] = [];
  for (const [r, [ruleId, channel, treatedKept, holdoutKept]] of rules.entries()) {
    for (let i = 0; i < 20; i++) {
      const send = i < 10;
      planted.push({
        customerId: ids[r * 20 + i]!,
        ruleId,
        channel,
        decision: send ? "send" : "holdout",
        plannedAt: NOW,
        ...(send ? { sentAt: NOW } : {}),
      });
      retained.push(send ? i < treatedKept : i - 10 < holdoutKept);
    }
  }
  await plantEffects(db, await plantInterventions(db, planted), retained, NOW);
}
