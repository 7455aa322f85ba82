/**
 * The benchmark's summary: a Markdown table on standard output (ready to
 * paste into bench/README.md) and the same figures as JSON in bench/.results/.
 * Targets are reported as met or not met, never enforced: wall time depends
 * on the machine.
 */
import { markdownTable, saveFigures } from "../results.ts";
import type { NaivePass, ScoreCheck, SetBasedPass } from "./passes.ts";
import type { Population } from "./population.ts";

/** The targets. */
export const TARGETS = { ratio: 20, customers: 100_000, seconds: 20 } as const;

/** Everything one run measured. */
export interface BenchResult {
  date: string;
  server: string;
  postgres: string;
  /** The session's `jit` setting. */
  jit: string;
  cores: number;
  population: Population;
  scoringAsOf: Date;
  activeCustomers: number;
  /** The baseline: the naive loop through the engine's Db. */
  naive: Omit<NaivePass, "scores">;
  /** The same loop with prepared statements, for context. */
  naivePrepared: Omit<NaivePass, "scores">;
  /** The first pass uses the configured batch size; the ratio is taken from it. */
  passes: SetBasedPass[];
  checks: ScoreCheck[];
}

/** The figures derived from a result: ratio, projection, target verdicts. */
export interface Verdict {
  ratio: number;
  preparedRatio: number;
  projectedSeconds: number;
  ratioMet: boolean;
  timeMet: boolean;
  scoresAgree: boolean;
}

/** Derives the ratio and the target verdicts from `result`'s headline pass. */
export function verdictOf(result: BenchResult): Verdict {
  const headline = result.passes[0];
  const perSecond = headline?.perSecond ?? 0;
  const ratio = perSecond / result.naive.perSecond;
  // A cycle scores the active customers only (about three in four of the
  // population); the target speaks of 100,000 scored, so project to that.
  const projectedSeconds = TARGETS.customers / perSecond;
  return {
    ratio,
    preparedRatio: perSecond / result.naivePrepared.perSecond,
    projectedSeconds,
    ratioMet: ratio >= TARGETS.ratio,
    timeMet: projectedSeconds < TARGETS.seconds,
    scoresAgree: result.checks.every((c) => c.disagreements.length === 0),
  };
}

/** The summary as lines of Markdown. */
export function formatReport(result: BenchResult, verdict: Verdict): string[] {
  const p = result.population;
  const check = summarizeChecks(result.checks);
  const rows: Array<[string, string]> = [
    ["customers in the population", int(p.customers)],
    [
      `customers scored per pass (active at ${iso(result.scoringAsOf)})`,
      int(result.activeCustomers),
    ],
    ["usage events, all (onboarding history goes back to signup)", int(p.events)],
    [`usage events in the last ${p.days} days`, int(p.windowEvents)],
    ...result.passes.map((pass, i): [string, string] => [
      `set-based, batch ${int(pass.batchSize)}, ${pass.concurrency} at a time${
        i === 0 ? " (configured)" : ""
      }`,
      `${fixed(pass.seconds, 2)} s · ${int(pass.perSecond)} customers/s · ${pass.batches} ${
        pass.batches === 1 ? "batch" : "batches"
      }`,
    ]),
    [
      `naive, one customer at a time through the engine's Db (${
        int(result.naive.customers)
      } sampled)`,
      `${fixed(result.naive.seconds, 2)} s · ${int(result.naive.perSecond)} customers/s`,
    ],
    [
      "naive, the same loop with prepared statements (context only)",
      `${fixed(result.naivePrepared.seconds, 2)} s · ${
        int(result.naivePrepared.perSecond)
      } customers/s`,
    ],
    ["**ratio set-based ÷ naive** (customers/s)", `**${fixed(verdict.ratio, 1)}×**`],
    ["ratio set-based ÷ naive with prepared statements", `${fixed(verdict.preparedRatio, 1)}×`],
    ["scores agree (naive sample vs set-based rows)", check],
    [`target: set-based ≥ ${TARGETS.ratio}× naive`, met(verdict.ratioMet)],
    [
      `target: ${int(TARGETS.customers)} customers scored < ${TARGETS.seconds} s`,
      `${met(verdict.timeMet)} (${fixed(verdict.projectedSeconds, 1)} s at the configured batch)`,
    ],
  ];
  return [
    `Health scoring benchmark, ${result.date}: PostgreSQL ${result.postgres} (jit ${result.jit}) ` +
    `at ${result.server}, ${result.cores} cores`,
    "",
    `Population: seed ${p.seed}, ${p.days} days of usage up to ${iso(p.asOf)}, ` +
    (p.reused ? "reused from an earlier run" : `seeded in ${fixed(p.seedSeconds, 0)} s`),
    "",
    ...markdownTable(rows),
  ];
}

/** Writes `result` and `verdict` to bench/.results/health_scoring.json; returns the path. */
export async function saveResult(result: BenchResult, verdict: Verdict): Promise<string> {
  return await saveFigures("health_scoring", { ...result, verdict });
}

function summarizeChecks(checks: readonly ScoreCheck[]): string {
  const wrong = checks.flatMap((c) => c.disagreements);
  const compared = checks[0]?.compared ?? 0;
  const maxDifference = Math.max(0, ...checks.map((c) => c.maxDifference));
  if (wrong.length === 0) {
    return `yes: ${int(compared)} customers × ${checks.length} passes, ` +
      `max difference ${fixed(maxDifference, 2)}`;
  }
  const first = wrong[0]!;
  return `NO: ${wrong.length} values differ, e.g. ${first.customerId} ${first.field} ` +
    `naive ${first.naive} vs set-based ${first.setBased}`;
}

function met(ok: boolean): string {
  return ok ? "met" : "not met";
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function fixed(n: number, digits: number): string {
  return n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function iso(date: Date): string {
  return date.toISOString().replace(":00.000Z", "Z");
}
