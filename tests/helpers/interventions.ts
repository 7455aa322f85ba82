/** Setting up interventions for tests: published templates, and a cycle runner with channels. */
import type { Clock } from "../../engine/clock.ts";
import type { Config } from "../../engine/config.ts";
import type { Db } from "../../engine/db/mod.ts";
import { silentLogger } from "../../engine/log.ts";
import { CycleRunner, evaluationStages } from "../../engine/schedule/mod.ts";
import { upsertCustomers } from "../../engine/signals/mod.ts";
import { customer, NOW } from "./fixtures.ts";

/** The default rules' templates and their channels. */
export const DEFAULT_RULE_TEMPLATES: ReadonlyArray<[string, string]> = [
  ["onboarding_nudge", "email"],
  ["pre_season_check_in", "email"],
  ["payment_failed", "email"],
  ["success_call_invite", "email"],
  ["win_back", "email"],
  ["feature_tip", "in-app"],
  ["milestone_congratulations", "in-app"],
];

/**
 * Publishes a minimal version 1 of each template, straight into the tables
 * (the planner only needs them published with their channel).
 */
export async function publishTemplates(
  db: Db,
  templates: ReadonlyArray<readonly [string, string]> = DEFAULT_RULE_TEMPLATES,
): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [id, channel] of templates) {
      const definition = channel === "email"
        ? {
          channel,
          subject: `About ${id}`,
          html: "<p>Hi {{customer.name}}</p>",
          text: "Hi {{customer.name}}",
        }
        : { channel, text: "Hi {{customer.name}}" };
      await tx.query(
        `insert into templates (id, name, channel, status, published_version, created_at,
           created_by, updated_at, updated_by)
         values ($1, $1, $2, 'published', 1, $3, 'test', $3, 'test')
         -- A default template of this id (withApi installs them) is used as it is.
         on conflict (id) do nothing`,
        [id, channel, NOW],
      );
      await tx.query(
        `insert into template_versions (template_id, version, definition, name, variables,
           published_at, published_by)
         values ($1, 1, $2, $1, '{customer.name}', $3, 'test')
         on conflict (template_id, version) do nothing`,
        [id, definition, NOW],
      );
    }
  });
}

/** A cycle runner whose interventions stage sees `channels` registered. */
export function cycleRunnerWithChannels(
  db: Db,
  config: Config,
  channels: readonly string[],
  clock: Clock = { now: () => NOW },
): CycleRunner {
  return new CycleRunner({
    db,
    clock,
    log: silentLogger,
    stages: evaluationStages(config, { channels: () => channels }),
    leaseSeconds: config.CYCLE_LEASE_SECONDS,
  });
}

/**
 * `count` planned sends due at NOW, one per new customer `sup_0000`, … (with
 * an email address), of `template` on `channel`.
 */
export async function dueSends(
  db: Db,
  count: number,
  options: { channel?: string; template?: string } = {},
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `sup_${String(i).padStart(4, "0")}`);
  await upsertCustomers(
    db,
    ids.map((id) => customer(id, { attributes: { email: `${id}@example.com` } })),
    { now: NOW },
  );
  await db.query(
    `with planned as (
       insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
         template_id, channel, priority, decision, status, planned_at, scheduled_for)
       select id || ':payment-failed:v1:w1', id, 'payment-failed', 1, $3, $4,
         90, 'send', 'planned', $2, $2
       from unnest($1::text[]) as id
       returning id, scheduled_for
     )
     insert into intervention_outbox (intervention_id, due_at) select id, scheduled_for from planned`,
    [ids, NOW, options.template ?? "payment_failed", options.channel ?? "email"],
  );
  return ids;
}

/** An intervention as a test plants it: a decision and what became of it. */
export interface PlantedIntervention {
  customerId: string;
  ruleId: string;
  templateId?: string;
  channel?: string;
  decision: "send" | "holdout" | "suppressed";
  plannedAt: Date;
  sentAt?: Date;
  deliveredAt?: Date;
  openedAt?: Date;
  clickedAt?: Date;
  status?: string;
  test?: boolean;
}

/** Inserts interventions as the planner and delivery would have left them; returns their ids. */
export async function plantInterventions(
  db: Db,
  rows: readonly PlantedIntervention[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const [n, row] of rows.entries()) {
    const status = row.status ??
      (row.decision === "holdout"
        ? "held_out"
        : row.decision === "suppressed"
        ? "suppressed"
        : row.deliveredAt
        ? "delivered"
        : row.sentAt
        ? "sent"
        : "planned");
    const [inserted] = await db.query<{ id: number }>(
      `insert into success_interventions (idempotency_key, customer_id, rule_id, rule_version,
         template_id, channel, priority, decision, reason, status, planned_at, scheduled_for,
         sent_at, delivered_at, opened_at, clicked_at, test)
       values ($1, $2, $3, 1, $4, $5, 50, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14)
       returning id`,
      [
        `planted:${n}:${row.customerId}:${row.ruleId}:${row.plannedAt.toISOString()}`,
        row.customerId,
        row.ruleId,
        row.templateId ?? "payment_failed",
        row.channel ?? "email",
        row.decision,
        row.decision === "suppressed" ? "cooldown" : null,
        status,
        row.plannedAt,
        row.sentAt ?? null,
        row.deliveredAt ?? null,
        row.openedAt ?? null,
        row.clickedAt ?? null,
        row.test ?? false,
      ],
    );
    ids.push(Number(inserted!.id));
  }
  return ids;
}
