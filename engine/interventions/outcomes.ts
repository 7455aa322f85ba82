/**
 * Outcomes of sent interventions: opens and clicks the engine tracks itself
 * (email), replies and actions the product reports. Each is an event in
 * intervention_outcomes; the first open, click and reply are kept on the
 * intervention too.
 */
import type { Db } from "../db/mod.ts";
import { EngineError } from "../errors.ts";

/** Kinds of outcome, a closed list. */
export const outcomeKinds = ["opened", "clicked", "replied", "action", "converted"] as const;

/** An outcome kind, e.g. `"clicked"`. */
export type OutcomeKind = typeof outcomeKinds[number];

/** A recorded outcome. */
export interface Outcome {
  id: number;
  interventionId: number;
  kind: OutcomeKind;
  detail: Record<string, unknown>;
  occurredAt: string;
  source: "pixel" | "link" | "api";
}

const FIRST: Partial<Record<OutcomeKind, string>> = {
  opened: "opened_at",
  clicked: "clicked_at",
  replied: "replied_at",
};

/**
 * Records an outcome of intervention `interventionId`; INTERVENTION_NOT_FOUND
 * if there is none, INTERVENTION_NOT_SENT if it was never sent (a held-out or
 * suppressed one has no outcomes of its own).
 */
export async function recordOutcome(
  db: Db,
  input: {
    interventionId: number;
    kind: OutcomeKind;
    detail?: Record<string, unknown>;
    occurredAt: Date;
    source: Outcome["source"];
  },
): Promise<Outcome> {
  return await db.transaction(async (tx) => {
    const [found] = await tx.query<{ decision: string; status: string }>(
      "select decision, status from success_interventions where id = $1 for update",
      [input.interventionId],
    );
    if (!found) {
      throw new EngineError(
        "INTERVENTION_NOT_FOUND",
        `No intervention ${input.interventionId}: GET /api/v1/interventions lists them`,
      );
    }
    if (found.decision !== "send") {
      throw new EngineError(
        "INTERVENTION_NOT_SENT",
        `Intervention ${input.interventionId} was never sent (${found.status}): outcomes belong ` +
          "to sent interventions",
      );
    }
    const [row] = await tx.query<{ id: number }>(
      `insert into intervention_outcomes (intervention_id, kind, detail, occurred_at, source)
       values ($1, $2, $3, $4, $5) returning id`,
      [input.interventionId, input.kind, input.detail ?? {}, input.occurredAt, input.source],
    );
    const first = FIRST[input.kind];
    if (first) {
      // The column name comes from the closed table above, never from input.
      await tx.query(
        `update success_interventions set ${first} = coalesce(${first}, $2) where id = $1`,
        [input.interventionId, input.occurredAt],
      );
    }
    return {
      id: row!.id,
      interventionId: input.interventionId,
      kind: input.kind,
      detail: input.detail ?? {},
      occurredAt: input.occurredAt.toISOString(),
      source: input.source,
    };
  });
}
