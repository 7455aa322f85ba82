/** The flags that choose the benchmark population, shared by the benchmarks that seed it. */
import { wholeNumber } from "../../cli/flags.ts";
import { EngineError } from "../../engine/errors.ts";
import type { PopulationSpec } from "./population.ts";

/** parseArgs options of the population flags, with their defaults. */
export const populationOptions = {
  customers: { type: "string", default: "100000" },
  days: { type: "string", default: "30" },
  seed: { type: "string", default: "42" },
  "as-of": { type: "string", default: "2026-11-01" },
  database: { type: "string", default: "cs_bench" },
  reseed: { type: "boolean", default: false },
} as const;

/** The population the flags ask for, checked. */
export function populationFromFlags(
  values: {
    customers: string;
    days: string;
    seed: string;
    "as-of": string;
  },
): PopulationSpec {
  const asOf = new Date(values["as-of"]);
  if (Number.isNaN(asOf.getTime())) {
    throw new EngineError("VALIDATION_FAILED", `--as-of "${values["as-of"]}" is not a date`);
  }
  return {
    customers: wholeNumber("--customers", values.customers, 1, 1_000_000),
    days: wholeNumber("--days", values.days, 1, 365),
    seed: wholeNumber("--seed", values.seed, 0, 2 ** 31),
    asOf,
  };
}
