/**
 * `deno task bench:hub`: on real PostgreSQL, events appended at 1,000/s for
 * 20 s in transactions of 10, delivered by the event hub to a plugin;
 * latency from each commit to its handler's start. The baseline is the same
 * load with the NOTIFY wake-up off, the hub polling every 500 ms.
 * bench/README.md explains the method.
 *
 *   --rate N           events appended per second (default 1,000)
 *   --seconds N        how long (default 20)
 *   --per-tx N         events per transaction (default 10)
 *   --writers N        writers appending at once (default 2)
 *   --poll-ms N        the baseline's poll interval (default 500)
 *   --database NAME    database to use (default cs_bench_hub)
 *
 * Exits non-zero only on errors; the target is informational.
 */
import { parseArgs } from "node:util";
import { wholeNumber } from "../cli/flags.ts";
import { runCommand, say, warn } from "../cli/output.ts";
import { loadConfig } from "../engine/config.ts";
import { migrate } from "../engine/db/mod.ts";
import { eventHubSettings } from "../engine/plugins/mod.ts";
import { benchServerUrl, describeServer, openBenchDatabase } from "./health/database.ts";
import { type LoadRun, percentile, runLoad } from "./event_hub/load.ts";
import { markdownTable, saveFigures } from "./results.ts";

const TARGET_P99_MS = 100;

await runCommand(async () => {
  const config = loadConfig(Deno.env.toObject());
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rate: { type: "string", default: "1000" },
      seconds: { type: "string", default: "20" },
      "per-tx": { type: "string", default: "10" },
      writers: { type: "string", default: "2" },
      "poll-ms": { type: "string", default: "500" },
      database: { type: "string", default: "cs_bench_hub" },
    },
  });
  const load = {
    eventsPerSecond: wholeNumber("--rate", values.rate, 1, 100_000),
    seconds: wholeNumber("--seconds", values.seconds, 1, 600),
    eventsPerTransaction: wholeNumber("--per-tx", values["per-tx"], 1, 10_000),
    writers: wholeNumber("--writers", values.writers, 1, 16),
  };
  const pollMs = wholeNumber("--poll-ms", values["poll-ms"], 10, 60_000);
  const serverUrl = benchServerUrl(config);
  const bench = await openBenchDatabase(serverUrl, { name: values.database, poolSize: 6 });
  try {
    await migrate(bench.db);
    const settings = eventHubSettings(config);
    const describeLoad = `${load.eventsPerSecond.toLocaleString("en")} events/s for ` +
      `${load.seconds} s, ${load.eventsPerTransaction} per transaction, ${load.writers} writers`;
    warn(`Event hub, NOTIFY wake-up: ${describeLoad}…`);
    const notify = await runLoad(bench.db, { ...load, settings, listen: true });
    warn(`Baseline, polling every ${pollMs} ms: ${describeLoad}…`);
    const polling = await runLoad(bench.db, {
      ...load,
      settings: { ...settings, pollIntervalMs: pollMs },
      listen: false,
    });
    for (const [name, run] of [["NOTIFY", notify], ["polling", polling]] as const) {
      if (run.delivered !== run.events) {
        throw new Error(`${name}: ${run.delivered} of ${run.events} events were delivered`);
      }
    }
    const summary = (run: LoadRun) => ({
      events: run.events,
      eventsPerSecond: run.eventsPerSecond,
      p50: percentile(run.latencies, 50),
      p95: percentile(run.latencies, 95),
      p99: percentile(run.latencies, 99),
      max: run.latencies.at(-1) ?? NaN,
    });
    const figures = {
      date: new Date().toISOString(),
      server: describeServer(serverUrl, values.database),
      cores: navigator.hardwareConcurrency,
      load,
      settings,
      notify: summary(notify),
      polling: { pollMs, ...summary(polling) },
      target: { p99Ms: TARGET_P99_MS, met: summary(notify).p99 < TARGET_P99_MS },
    };
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    const quantiles = (s: ReturnType<typeof summary>) =>
      `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`;
    const rows: Array<[string, string]> = [
      ["load", `${describeLoad} (reached ${Math.round(notify.eventsPerSecond)} events/s)`],
      ["**commit → handler, NOTIFY**", `**${quantiles(figures.notify)}**`],
      [`baseline, polling every ${pollMs} ms`, quantiles(figures.polling)],
      [
        "**ratio (baseline ÷ NOTIFY)**",
        `**p50 ${(figures.polling.p50 / figures.notify.p50).toFixed(0)}×, p99 ${
          (figures.polling.p99 / figures.notify.p99).toFixed(0)
        }×**`,
      ],
      [
        `target: p99 < ${TARGET_P99_MS} ms`,
        `${figures.target.met ? "met" : "NOT met"} (${ms(figures.notify.p99)})`,
      ],
    ];
    say("");
    for (const line of markdownTable(rows)) say(line);
    say("");
    say(`Figures: ${await saveFigures("event_hub", figures)}`);
  } finally {
    await bench.close();
  }
});
