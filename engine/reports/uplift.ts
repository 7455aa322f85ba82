/**
 * Uplift against holdout over time: per week of planning, the share of
 * treated customers (decision "send") still customers 30 days after, the same
 * share of the holdout group, and the difference with its 95% interval. The
 * overview charts it; a week appears once both groups have a 30-day measure
 * (intervention_effects, engine/interventions/effects.ts), so the last month
 * is always still open.
 */
import type { Queryable } from "../db/mod.ts";
import { confidenceLevels, proportionDifference } from "../statistics.ts";

/** One week's comparison; rates and uplift are null until a group is measured. */
export interface WeeklyUplift {
  /** The Monday the week starts (UTC), YYYY-MM-DD. */
  week: string;
  treatedMeasured: number;
  treatedRetained: number;
  holdoutMeasured: number;
  holdoutRetained: number;
  treatedRate: number | null;
  holdoutRate: number | null;
  /** Treated rate − holdout rate (a share: 0.05 is 5 points). */
  uplift: number | null;
  upliftLow: number | null;
  upliftHigh: number | null;
}

type Counts = Pick<
  WeeklyUplift,
  "treatedMeasured" | "treatedRetained" | "holdoutMeasured" | "holdoutRetained"
>;

/** The weeks with interventions planned in [from, to), oldest first; test sends never count. */
export async function weeklyUplift(
  db: Queryable,
  range: { from: Date; to: Date },
): Promise<WeeklyUplift[]> {
  const rows = await db.query<Counts & { week: string }>(
    `select to_char(date_trunc('week', i.planned_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
       count(*) filter (where i.decision = 'send' and e.retained_30d is not null)::int
         as "treatedMeasured",
       count(*) filter (where i.decision = 'send' and e.retained_30d)::int as "treatedRetained",
       count(*) filter (where i.decision = 'holdout' and e.retained_30d is not null)::int
         as "holdoutMeasured",
       count(*) filter (where i.decision = 'holdout' and e.retained_30d)::int as "holdoutRetained"
     from success_interventions i
     left join intervention_effects e on e.intervention_id = i.id
     where not i.test and i.decision in ('send', 'holdout')
       and i.planned_at >= $1::timestamptz and i.planned_at < $2::timestamptz
     group by 1
     order by 1`,
    [range.from, range.to],
  );
  return rows.map(({ week, ...counts }) => ({ week, ...compare(counts) }));
}

/** The weeks taken together. */
export function totalUplift(weeks: readonly WeeklyUplift[]): Omit<WeeklyUplift, "week"> {
  const sum = (key: keyof Counts) => weeks.reduce((total, week) => total + week[key], 0);
  return compare({
    treatedMeasured: sum("treatedMeasured"),
    treatedRetained: sum("treatedRetained"),
    holdoutMeasured: sum("holdoutMeasured"),
    holdoutRetained: sum("holdoutRetained"),
  });
}

function compare(counts: Counts): Omit<WeeklyUplift, "week"> {
  const rate = (retained: number, measured: number) => measured > 0 ? retained / measured : null;
  const difference = proportionDifference(
    { successes: counts.treatedRetained, trials: counts.treatedMeasured },
    { successes: counts.holdoutRetained, trials: counts.holdoutMeasured },
    confidenceLevels["0.95"],
  );
  return {
    ...counts,
    treatedRate: rate(counts.treatedRetained, counts.treatedMeasured),
    holdoutRate: rate(counts.holdoutRetained, counts.holdoutMeasured),
    uplift: difference?.difference ?? null,
    upliftLow: difference?.interval.low ?? null,
    upliftHigh: difference?.interval.high ?? null,
  };
}
