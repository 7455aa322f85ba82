/**
 * A stage's shards: planned once per cycle by the engine holding it, then
 * claimed by any engine with FOR UPDATE SKIP LOCKED. The claim, the shard's
 * work and its "done" are one transaction: an engine that dies mid-shard
 * leaves nothing behind, and the shard is claimed again.
 */
import type { Db, Loadable, Queryable } from "../db/mod.ts";

/** One shard: the customers after `after` up to and including `last`. */
export interface Shard {
  shard: number;
  after: string;
  last: string;
  size: number;
}

/** What a shard's work reports: counts to add up, and failures by rule. */
export interface ShardOutcome {
  counts: Record<string, number>;
  failures?: Record<string, number>;
}

/** A stage's plan as stored. */
export interface StagePlan {
  params: unknown;
  shards: number;
  customers: number;
}

/**
 * Stores the stage's plan and shards, unless the stage was planned already
 * (a resumed cycle keeps its first plan). Returns the plan that holds.
 */
export async function planStage(
  db: Db,
  key: { cycleId: number; stage: string },
  plan: { params: unknown; shards: ReadonlyArray<Omit<Shard, "shard">>; now: Date },
): Promise<StagePlan> {
  return await db.transaction(async (tx) => {
    const inserted = await tx.query<{ cycle_id: number }>(
      `insert into cycle_stage_plans (cycle_id, stage, params, shards, customers, planned_at)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (cycle_id, stage) do nothing returning cycle_id`,
      [
        key.cycleId,
        key.stage,
        plan.params,
        plan.shards.length,
        plan.shards.reduce((sum, s) => sum + s.size, 0),
        plan.now,
      ],
    );
    if (inserted.length > 0 && plan.shards.length > 0) {
      await tx.query(
        `insert into cycle_shards (cycle_id, stage, shard, after_id, last_id, size)
         select $1, $2, s.n - 1, s.after_id, s.last_id, s.size
         from unnest($3::text[], $4::text[], $5::int[]) with ordinality as s(after_id, last_id, size, n)`,
        [
          key.cycleId,
          key.stage,
          plan.shards.map((s) => s.after),
          plan.shards.map((s) => s.last),
          plan.shards.map((s) => s.size),
        ],
      );
    }
    return (await getStagePlan(tx, key))!;
  });
}

/** The stored plan of a stage, or null when it was not planned. */
export async function getStagePlan(
  db: Queryable,
  key: { cycleId: number; stage: string },
): Promise<StagePlan | null> {
  const [row] = await db.query<StagePlan>(
    "select params, shards, customers from cycle_stage_plans where cycle_id = $1 and stage = $2",
    [key.cycleId, key.stage],
  );
  return row ?? null;
}

/**
 * Claims the next pending shard no other engine holds and runs `work` on it
 * in the claim's transaction, marking it done with the outcome. Returns false
 * when no shard could be claimed (all done, or the rest held by others).
 */
export async function runNextShard(
  db: Db,
  key: { cycleId: number; stage: string },
  worker: { id: string; now: () => Date },
  work: (tx: Loadable, shard: Shard) => Promise<ShardOutcome>,
): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const [claimed] = await tx.query<Shard>(
      `select shard, after_id as after, last_id as last, size from cycle_shards
       where cycle_id = $1 and stage = $2 and status = 'pending'
       order by shard limit 1 for update skip locked`,
      [key.cycleId, key.stage],
    );
    if (!claimed) return false;
    const outcome = await work(tx, claimed);
    await tx.query(
      `update cycle_shards set status = 'done', worker = $4, counts = $5, failures = $6,
         finished_at = $7
       where cycle_id = $1 and stage = $2 and shard = $3`,
      [
        key.cycleId,
        key.stage,
        claimed.shard,
        worker.id,
        outcome.counts,
        outcome.failures ?? {},
        worker.now(),
      ],
    );
    return true;
  });
}

/** Where a stage's shards are: how many and how many customers are done. */
export interface StageProgress {
  shards: number;
  done: number;
  customers: number;
  customersDone: number;
}

/** The progress of a planned stage. */
export async function stageProgress(
  db: Queryable,
  key: { cycleId: number; stage: string },
): Promise<StageProgress> {
  const [row] = await db.query<StageProgress>(
    `select count(*)::int as shards, count(*) filter (where status = 'done')::int as done,
       coalesce(sum(size), 0)::int as customers,
       coalesce(sum(size) filter (where status = 'done'), 0)::int as "customersDone"
     from cycle_shards where cycle_id = $1 and stage = $2`,
    [key.cycleId, key.stage],
  );
  return row!;
}

/** The shards' outcomes added up: counts, and failures by rule. */
export async function stageTotals(
  db: Queryable,
  key: { cycleId: number; stage: string },
): Promise<Required<ShardOutcome>> {
  const rows = await db.query<Required<ShardOutcome>>(
    "select counts, failures from cycle_shards where cycle_id = $1 and stage = $2",
    [key.cycleId, key.stage],
  );
  const counts: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const row of rows) {
    for (const [name, n] of Object.entries(row.counts)) counts[name] = (counts[name] ?? 0) + n;
    for (const [id, n] of Object.entries(row.failures)) failures[id] = (failures[id] ?? 0) + n;
  }
  return { counts, failures };
}

/** The running cycle's stage that has pending shards, if any (for engines that help). */
export async function stageWithPendingShards(
  db: Queryable,
): Promise<{ cycleId: number; stage: string } | null> {
  const [row] = await db.query<{ cycle_id: number; stage: string }>(
    `select s.cycle_id, s.stage from cycle_shards s join cycles c on c.id = s.cycle_id
     where c.status = 'running' and s.status = 'pending' limit 1`,
  );
  return row ? { cycleId: row.cycle_id, stage: row.stage } : null;
}
