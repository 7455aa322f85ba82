/**
 * `deno task score`: runs an evaluation cycle now (milestones, then health
 * scores for every customer) and prints its stages. Goes through the running
 * engine's API when the engine holds the embedded database.
 */
import { systemClock } from "../engine/clock.ts";
import { loadConfig } from "../engine/config.ts";
import { EngineError, errorCatalog, type ErrorCode } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import { type Cycle, CycleRunner, evaluationStages } from "../engine/schedule/mod.ts";
import { accessDatabase } from "./database.ts";
import { progress, runCommand, say } from "./output.ts";

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
    const bar = progress("Scoring customers", 0);
    const stages = evaluationStages(config).map((stage) => ({
      ...stage,
      run: (ctx: Parameters<typeof stage.run>[0]) =>
        stage.run({ ...ctx, progress: (done: number, total: number) => bar.update(done, total) }),
    }));
    try {
      const runner = new CycleRunner({
        db,
        clock: systemClock,
        log,
        stages,
        leaseSeconds: config.CYCLE_LEASE_SECONDS,
      });
      cycle = await runner.run("cli");
      bar.done();
    } finally {
      await db.close();
    }
  }
  for (const stage of cycle.stages) {
    const counts = Object.entries(stage.counts).map(([k, v]) => `${k} ${v.toLocaleString("en")}`)
      .join(", ");
    say(`  ${stage.name.padEnd(12)} ${String(stage.durationMs ?? "-").padStart(7)} ms  ${counts}`);
  }
  if (cycle.status !== "succeeded") {
    throw new EngineError(
      "INTERNAL",
      `Cycle ${cycle.id} ${cycle.status}: ${cycle.error ?? "no error recorded"}`,
    );
  }
  say(`Cycle ${cycle.id} succeeded`);
});
