/**
 * `deno task seed`: fills an empty database with demo wedding suppliers.
 *
 *   --customers N      how many suppliers (default 500; 1 to 1,000,000)
 *   --days N           days of everyday usage history (default 180)
 *   --seed N           random seed (default 42): same seed and date, same data
 *   --as-of DATE       the "today" of the data (default: now)
 *   --history-weeks N  weekly health scorings before today (default 12)
 *   --reset            replace whatever the database holds
 */
import { wholeNumber } from "./flags.ts";
import { parseArgs } from "node:util";
import { describeStorage, loadConfig } from "../engine/config.ts";
import { seedDemoData, type SeedPhase } from "../engine/demo/mod.ts";
import { scoringSettings } from "../engine/health/mod.ts";
import { EngineError, isEngineError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { accessDatabase } from "./database.ts";
import { type Progress, progress, runCommand, say, warn } from "./output.ts";

const phaseLabel: Record<SeedPhase, string> = {
  customers: "Suppliers and events",
  milestones: "Milestones",
  health: "Health history (weeks)",
};

await runCommand(async () => {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      customers: { type: "string", default: "500" },
      days: { type: "string", default: "180" },
      seed: { type: "string", default: "42" },
      "as-of": { type: "string" },
      "history-weeks": { type: "string", default: "12" },
      reset: { type: "boolean", default: false },
    },
  });
  const customers = wholeNumber("--customers", values.customers, 1, 1_000_000);
  const days = wholeNumber("--days", values.days, 1, 700);
  const seed = wholeNumber("--seed", values.seed, 0, 2 ** 31);
  const historyWeeks = wholeNumber("--history-weeks", values["history-weeks"], 0, 100);
  const asOf = values["as-of"] ? new Date(values["as-of"]) : new Date();
  if (Number.isNaN(asOf.getTime())) {
    throw new EngineError(
      "VALIDATION_FAILED",
      `--as-of "${values["as-of"]}" is not a date; use e.g. 2026-11-01`,
    );
  }
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "seed", log, viaApi: false });
  if (access.kind !== "db") throw new Error("unreachable: seed never goes through the API");
  const { db } = access;
  const bars = new Map<SeedPhase, Progress>();
  try {
    const result = await seedDemoData(db, {
      customers,
      days,
      seed,
      asOf,
      historyWeeks,
      scoring: scoringSettings(config),
      reset: values.reset,
      onProgress: (phase, done, total) => {
        let bar = bars.get(phase);
        if (!bar) bars.set(phase, bar = progress(phaseLabel[phase], total));
        bar.update(done, total);
        if (done === total) bar.done();
      },
    });
    say(
      `Seeded ${describeStorage(config)}: ${result.customers.toLocaleString("en")} suppliers ` +
        `(${result.churned.toLocaleString("en")} churned), ${
          result.events.toLocaleString("en")
        } events, ` +
        `${result.milestonesAchieved.toLocaleString("en")} milestones, ` +
        `${result.scorings.toLocaleString("en")} health scores`,
    );
  } catch (error) {
    if (!isEngineError(error, "DATABASE_NOT_EMPTY")) {
      warn("Seeding stopped partway: run `deno task seed --reset` to start again from empty");
    }
    throw error;
  } finally {
    await db.close();
  }
});
