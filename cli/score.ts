/**
 * `deno task score` (and `deno task cycle`): runs an evaluation cycle now
 * (health scores, then the published rules, for every active customer) and
 * prints its stages; resumes instead a cycle a dead engine left unfinished.
 * Goes through the running engine's API when the engine holds the embedded
 * database.
 */
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError, errorCatalog, type ErrorCode } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { type Cycle, CycleRunner, evaluationStages } from "../engine/schedule/mod.ts";
import { loadChannelPlugins } from "../engine/plugins/mod.ts";
import { firstPartyChannelPlugins } from "../plugins/mod.ts";
import { ChurnModels } from "../engine/ml/mod.ts";
import { accessDatabase } from "./database.ts";
import { runCommand, say, stageProgress } from "./output.ts";

const STAGE_LABELS: Record<string, string> = {
  health: "Scoring health",
  churn: "Predicting churn",
  rules: "Evaluating rules",
  interventions: "Planning interventions",
  outcomes: "Measuring outcomes",
  "model-monitoring": "Judging churn models",
};

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger({ level: "warn" });
  const access = await accessDatabase(config, { command: "score", log, viaApi: true });
  let cycle: Cycle;
  if (access.kind === "api") {
    say(`The engine at ${access.engineUrl} holds the database; running the cycle there`);
    const response = await fetch(`${access.engineUrl}/api/v1/cycles?wait=true`, {
      method: "POST",
      headers: access.headers,
    });
    const body = await response.json();
    if (!response.ok) {
      // Keep the engine's code (e.g. CYCLE_ALREADY_RUNNING), so the message and exit match.
      const code = typeof body.code === "string" && body.code in errorCatalog
        ? body.code as ErrorCode
        : "INTERNAL";
      throw new EngineError(code, body.detail ?? `HTTP ${response.status}`);
    }
    cycle = body as Cycle;
  } else {
    const db = access.db;
    const bars = stageProgress((stage) => STAGE_LABELS[stage] ?? `Stage ${stage}`);
    const churnModels = new ChurnModels({ db, scorer: config.ML_SCORER, log });
    try {
      // The planner plans sends only on the channels this configuration sets up.
      const channels = await loadChannelPlugins(firstPartyChannelPlugins, { config, db, log });
      const kinds = channels.list().map((c) => c.kind);
      await channels.closeAll();
      const runner = new CycleRunner({
        db,
        clock: systemClock,
        log,
        stages: evaluationStages(config, { channels: () => kinds, churnModels }),
        leaseSeconds: config.CYCLE_LEASE_SECONDS,
        shardWorkers: config.SCORING_CONCURRENCY,
        onProgress: bars.update,
      });
      const started = await runner.start("cli");
      if (started.resumed) {
        say(`Resuming cycle ${started.cycle.id}: its engine stopped before finishing it`);
      }
      cycle = await started.finished;
      bars.done();
    } finally {
      await churnModels.close();
      await db.close();
    }
  }
  for (const stage of cycle.stages) {
    const counts = Object.entries(stage.counts).map(([k, v]) => `${k} ${v.toLocaleString("en")}`)
      .join(", ");
    say(`  ${stage.name.padEnd(16)} ${String(stage.durationMs ?? "-").padStart(7)} ms  ${counts}`);
  }
  if (cycle.status !== "succeeded") {
    throw new EngineError(
      "INTERNAL",
      `Cycle ${cycle.id} ${cycle.status}: ${cycle.error ?? "no error recorded"}`,
    );
  }
  say(`Cycle ${cycle.id} succeeded`);
});
