/**
 * Milestones: a declarative catalog of onboarding steps (profile completed,
 * first client added, …), each reached by a number of events of one type.
 * Evaluation is set-based; reaching a milestone records it once and appends
 * `milestone.achieved` to the event log in the same statement.
 */
import { z } from "zod";
import { PREPARED, type Queryable } from "../db/mod.ts";
import { parseOrThrow } from "../validation.ts";
import defaultCatalog from "./milestone_catalog.json" with { type: "json" };

/** One milestone of the catalog. */
export const milestoneDefinitionSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a lower-case key like first_form_sent"),
  name: z.string().min(1).max(100),
  description: z.string().min(1).max(500),
  eventType: z.string().min(1).max(64),
  requiredCount: z.number().int().min(1).max(1_000),
  dueDays: z.number().int().min(1).max(3_650).nullable().default(null),
});

/** A milestone definition. */
export type MilestoneDefinition = z.output<typeof milestoneDefinitionSchema>;

const catalogSchema = z.array(milestoneDefinitionSchema).refine(
  (list) => new Set(list.map((m) => m.key)).size === list.length,
  "milestone keys must be unique",
);

/** The catalog shipped with the engine (engine/signals/milestone_catalog.json). */
export const defaultMilestoneCatalog: readonly MilestoneDefinition[] = parseOrThrow(
  catalogSchema,
  defaultCatalog,
  { what: "milestone catalog" },
);

/** A customer's progress on one milestone. */
export interface MilestoneProgress {
  key: string;
  name: string;
  description: string;
  achieved: boolean;
  achievedAt: string | null;
  userId: string | null;
  progress: number;
  target: number;
  dueAt: string | null;
  overdue: boolean;
}

/**
 * Adds catalog milestones the database does not have yet (edits made in the
 * database are kept) and progress rows for every customer.
 */
export async function ensureMilestoneCatalog(
  db: Queryable,
  catalog: readonly MilestoneDefinition[] = defaultMilestoneCatalog,
): Promise<number> {
  const rows = await db.query<{ key: string }>(
    `with added as (
       insert into milestone_definitions (key, name, description, event_type, required_count, due_days, position)
       select key, name, description, event_type, required_count, due_days, position
       from json_to_recordset($1::json) as m(key text, name text, description text,
         event_type text, required_count int, due_days int, position int)
       on conflict (key) do nothing
       returning key, required_count, due_days
     ),
     progress as (
       insert into success_milestones (customer_id, milestone_key, target, due_at)
       select c.id, a.key, a.required_count, c.signup_date + a.due_days * interval '1 day'
       from customers c cross join added a
       on conflict do nothing
     )
     select key from added`,
    [catalog.map((m, position) => ({
      key: m.key,
      name: m.name,
      description: m.description,
      event_type: m.eventType,
      required_count: m.requiredCount,
      due_days: m.dueDays,
      position,
    }))],
  );
  return rows.length;
}

/** The catalog as stored. */
export async function listMilestoneDefinitions(db: Queryable): Promise<MilestoneDefinition[]> {
  const rows = await db.query<{
    key: string;
    name: string;
    description: string;
    event_type: string;
    required_count: number;
    due_days: number | null;
  }>(
    `select key, name, description, event_type, required_count, due_days
     from milestone_definitions order by position, key`,
  );
  return rows.map((r) => ({
    key: r.key,
    name: r.name,
    description: r.description,
    eventType: r.event_type,
    requiredCount: r.required_count,
    dueDays: r.due_days,
  }));
}

/** Which milestones to evaluate; everything pending when empty. */
export interface MilestoneScope {
  customerIds?: readonly string[];
  eventTypes?: readonly string[];
  /** Only events up to this time count (for evaluating history). */
  asOf?: Date;
}

/**
 * Re-counts the pending milestones in scope from usage events, in one
 * statement; marks reached ones achieved (once) and logs `milestone.achieved`.
 * Returns how many were achieved now.
 */
export async function evaluateMilestones(
  db: Queryable,
  scope: MilestoneScope = {},
): Promise<{ achieved: number }> {
  const rows = await db.query<{ achieved: number }>(
    `with scope as (
       select m.customer_id, m.milestone_key, d.event_type, d.required_count
       from success_milestones m join milestone_definitions d on d.key = m.milestone_key
       where not m.achieved
         and ($1::text[] is null or m.customer_id = any($1::text[]))
         and ($2::text[] is null or d.event_type = any($2::text[]))
     ),
     ranked as (
       select e.customer_id, e.type, e.occurred_at, e.user_id,
         row_number() over w as n, count(*) over (partition by e.customer_id, e.type) as total
       from usage_events e
       where e.type in (select event_type from scope)
         and e.customer_id in (select customer_id from scope)
         and ($3::timestamptz is null or e.occurred_at <= $3)
       window w as (partition by e.customer_id, e.type order by e.occurred_at, e.event_id)
     ),
     ${RECORD_PROGRESS}`,
    [scope.customerIds ?? null, scope.eventTypes ?? null, scope.asOf ?? null],
  );
  return { achieved: rows[0]?.achieved ?? 0 };
}

/** A stored event, as far as milestones care. */
export interface MilestoneEvent {
  eventId: string;
  customerId: string;
  type: string;
  occurredAt: Date;
  userId: string | null;
}

/**
 * Evaluates the milestones that newly stored `events` count toward: only the
 * pending milestones of each event's customer and type, not every milestone
 * of every customer in the batch. Run it in the transaction that stored the
 * events (each event once). Returns how many were achieved now.
 *
 * It locks those milestone rows first, in key order, so two batches that
 * count toward the same milestone take turns (the second sees the first's
 * events) and cannot deadlock. A milestone these events leave short of its
 * target only adds them to its progress; one they may complete is counted
 * again from its events, which tells which event reached it and when. With
 * no progress before, its only events are these, so they are counted alone;
 * otherwise its stored events are, across every partition, which took most
 * of a batch's time when done for all (bench/README.md, "API load").
 */
export async function evaluateMilestonesForEvents(
  tx: Queryable,
  events: readonly MilestoneEvent[],
): Promise<{ achieved: number }> {
  const added = new Map<string, MilestoneEvent & { n: number }>();
  for (const e of events) {
    const key = `${e.type}\u0000${e.customerId}`;
    const pair = added.get(key);
    if (pair) pair.n++;
    else added.set(key, { ...e, n: 1 });
  }
  const pairs = [...added.values()];
  const locked = await tx.query<{
    customer_id: string;
    milestone_key: string;
    progress: number;
    target: number;
    added: number;
  }>(
    // Materialized: the few pairs with a milestone type first, then their rows by key.
    `with pairs as materialized (
       select p.customer_id, d.key, d.required_count, p.added
       from unnest($1::text[], $2::text[], $3::int[]) as p(customer_id, type, added)
       join milestone_definitions d on d.event_type = p.type
     )
     select m.customer_id, m.milestone_key, m.progress, p.required_count as target, p.added
     from pairs p
     join success_milestones m on m.customer_id = p.customer_id and m.milestone_key = p.key
     where not m.achieved
     order by m.customer_id, m.milestone_key
     for no key update of m`,
    [pairs.map((p) => p.customerId), pairs.map((p) => p.type), pairs.map((p) => p.n)],
    PREPARED,
  );
  const short = locked.filter((r) => r.progress + r.added < r.target);
  const reaching = locked.filter((r) => r.progress + r.added >= r.target);
  if (short.length > 0) {
    await tx.query(
      `update success_milestones m set progress = m.progress + u.added
       from unnest($1::text[], $2::text[], $3::int[]) as u(customer_id, milestone_key, added)
       where m.customer_id = u.customer_id and m.milestone_key = u.milestone_key`,
      [
        short.map((r) => r.customer_id),
        short.map((r) => r.milestone_key),
        short.map((r) => r.added),
      ],
      PREPARED,
    );
  }
  const fresh = reaching.filter((r) => r.progress === 0);
  const counted = reaching.filter((r) => r.progress > 0);
  let achieved = 0;
  if (fresh.length > 0) {
    // Their customers' events of the batch; `progress` picks each milestone's type.
    const customers = new Set(fresh.map((r) => r.customer_id));
    const batch = events.filter((e) => customers.has(e.customerId));
    const [row] = await tx.query<{ achieved: number }>(
      `with ${SCOPE},
       ranked as (
         select e.customer_id, e.type, e.occurred_at, e.user_id,
           row_number() over w as n, count(*) over (partition by e.customer_id, e.type) as total
         from unnest($3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])
           as e(customer_id, type, occurred_at, user_id, event_id)
         window w as (partition by e.customer_id, e.type order by e.occurred_at, e.event_id)
       ),
       ${RECORD_PROGRESS}`,
      [
        fresh.map((r) => r.customer_id),
        fresh.map((r) => r.milestone_key),
        batch.map((e) => e.customerId),
        batch.map((e) => e.type),
        batch.map((e) => e.occurredAt.toISOString()),
        batch.map((e) => e.userId),
        batch.map((e) => e.eventId),
      ],
      PREPARED,
    );
    achieved += row?.achieved ?? 0;
  }
  if (counted.length > 0) {
    const [row] = await tx.query<{ achieved: number }>(
      `with ${SCOPE},
       ranked as (
         select e.customer_id, e.type, e.occurred_at, e.user_id,
           row_number() over w as n, count(*) over (partition by e.customer_id, e.type) as total
         from (select distinct customer_id, event_type from scope) s
         join usage_events e on e.customer_id = s.customer_id and e.type = s.event_type
         window w as (partition by e.customer_id, e.type order by e.occurred_at, e.event_id)
       ),
       ${RECORD_PROGRESS}`,
      [counted.map((r) => r.customer_id), counted.map((r) => r.milestone_key)],
      PREPARED,
    );
    achieved += row?.achieved ?? 0;
  }
  return { achieved };
}

// The pending milestones ($1 customer ids, $2 milestone keys) a batch may complete.
const SCOPE = `scope as (
       select m.customer_id, m.milestone_key, d.event_type, d.required_count
       from unnest($1::text[], $2::text[]) as k(customer_id, milestone_key)
       join success_milestones m
         on m.customer_id = k.customer_id and m.milestone_key = k.milestone_key
       join milestone_definitions d on d.key = m.milestone_key
       where not m.achieved
     )`;

// The end of both evaluations: from `scope` (the pending milestones) and
// `ranked` (their events, numbered per customer and type), the progress; the
// milestones reached are marked achieved once and logged.
const RECORD_PROGRESS = `progress as (
       select s.customer_id, s.milestone_key, s.required_count,
         coalesce(max(r.total), 0) as total,
         min(r.occurred_at) filter (where r.n = s.required_count) as achieved_at,
         min(r.user_id) filter (where r.n = s.required_count) as user_id
       from scope s
       left join ranked r on r.customer_id = s.customer_id and r.type = s.event_type
         and r.n <= s.required_count
       group by s.customer_id, s.milestone_key, s.required_count
     ),
     updated as (
       update success_milestones m
       set progress = least(p.total, p.required_count), achieved = p.achieved_at is not null,
         achieved_at = p.achieved_at, user_id = coalesce(p.user_id, m.user_id)
       from progress p
       where m.customer_id = p.customer_id and m.milestone_key = p.milestone_key
         and not m.achieved
         and (m.progress <> least(p.total, p.required_count) or p.achieved_at is not null)
       returning m.customer_id, m.milestone_key, m.achieved, m.achieved_at, m.user_id
     ),
     logged as (
       insert into event_log (type, customer_id, payload, occurred_at)
       select 'milestone.achieved', customer_id,
         jsonb_build_object('milestone', milestone_key, 'userId', user_id, 'achievedAt',
           -- ISO 8601 in UTC with a Z, as every timestamp the API returns.
           to_char(achieved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
         achieved_at
       from updated where achieved
       returning 1
     )
     select count(*) as achieved from logged`;

/** A customer's progress on every milestone of the catalog. */
export async function getCustomerMilestones(
  db: Queryable,
  customerId: string,
  now: Date,
): Promise<MilestoneProgress[]> {
  const rows = await db.query<{
    key: string;
    name: string;
    description: string;
    achieved: boolean;
    achieved_at: Date | null;
    user_id: string | null;
    progress: number;
    target: number;
    due_at: Date | null;
  }>(
    `select d.key, d.name, d.description, m.achieved, m.achieved_at, m.user_id, m.progress,
       m.target, m.due_at
     from success_milestones m join milestone_definitions d on d.key = m.milestone_key
     where m.customer_id = $1 order by d.position, d.key`,
    [customerId],
  );
  return rows.map((r) => ({
    key: r.key,
    name: r.name,
    description: r.description,
    achieved: r.achieved,
    achievedAt: r.achieved_at?.toISOString() ?? null,
    userId: r.user_id,
    progress: r.progress,
    target: r.target,
    dueAt: r.due_at?.toISOString() ?? null,
    overdue: !r.achieved && r.due_at !== null && r.due_at.getTime() < now.getTime(),
  }));
}
