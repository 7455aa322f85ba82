/**
 * The load generator: wrk (C, one event loop per thread, Lua for varying
 * requests). Of the generators tried here it costs the least CPU per request,
 * which matters because it shares the machine's two cores with the server it
 * measures (bench/README.md, "Load generator"). Its Lua scripts are beside
 * this file; they print the figures as one JSON line.
 */
import { cpuBetween, type CpuShare, cpuSnapshot } from "./cpu.ts";

/** What one wrk run measured. */
export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Responses other than 2xx/3xx, and socket errors and timeouts. */
  errors: { status: number; socket: number; timeout: number };
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Where the CPU went while the load ran (Linux only). */
  cpu: CpuShare | null;
}

/** A wrk run: the script, its arguments, and the load's shape. */
export interface LoadSpec {
  url: string;
  script: "health.lua" | "events.lua";
  scriptArgs: string[];
  connections: number;
  threads: number;
  seconds: number;
  /** Processes whose CPU use to report while the load runs, by name. */
  watch: Record<string, number>;
}

interface WrkOutput {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { mean: number; p50: number; p90: number; p99: number; max: number };
}

const SCRIPTS = new URL("./", import.meta.url).pathname;

/** The wrk binary (WRK, else `wrk` on PATH); says how to install it when missing. */
export async function findWrk(): Promise<{ path: string; version: string }> {
  const path = Deno.env.get("WRK") ?? "wrk";
  try {
    // wrk has no --version; with -v it prints its version line and usage, and exits 1.
    const { stdout, stderr } = await new Deno.Command(path, { args: ["-v"] }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    return { path, version: /^wrk\s+(\S+)/m.exec(text)?.[1] ?? "unknown" };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `The load generator wrk is not installed (looked for "${path}"). Install it: ` +
        "`sudo apt-get install wrk` on Debian or Ubuntu, `brew install wrk` on macOS; " +
        "or set WRK to the path of a wrk binary",
    );
  }
}

/** Runs wrk as `spec` says and returns its figures. */
export async function runLoad(wrk: string, spec: LoadSpec): Promise<LoadResult> {
  const child = new Deno.Command(wrk, {
    args: [
      `--threads=${spec.threads}`,
      `--connections=${spec.connections}`,
      `--duration=${spec.seconds}s`,
      // Slow answers count in the latency figures instead of as errors.
      "--timeout=30s",
      `--script=${SCRIPTS}${spec.script}`,
      spec.url,
      "--",
      ...spec.scriptArgs,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const watch = { ...spec.watch, wrk: child.pid };
  // Sample CPU in the steady part: after wrk has read its ids and connected,
  // and before it stops (its process must still be there to be read).
  const sampling = (async () => {
    await delay(Math.min(1_000, spec.seconds * 100));
    const from = await cpuSnapshot(Object.values(watch));
    await delay(Math.max(0, spec.seconds * 1000 - 1_500));
    return cpuBetween(from, await cpuSnapshot(Object.values(watch)), watch);
  })();
  const [output, cpu] = await Promise.all([child.output(), sampling]);
  const stdout = new TextDecoder().decode(output.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (!output.success || !line) {
    throw new Error(
      `wrk failed (exit code ${output.code}): ${new TextDecoder().decode(output.stderr)}${stdout}`,
    );
  }
  const raw = JSON.parse(line.slice("WRK_RESULT ".length)) as WrkOutput;
  const seconds = raw.durationUs / 1e6;
  const ms = (us: number) => us / 1000;
  return {
    requests: raw.requests,
    seconds,
    requestsPerSecond: raw.requests / seconds,
    errors: {
      status: raw.errors.status,
      socket: raw.errors.connect + raw.errors.read + raw.errors.write,
      timeout: raw.errors.timeout,
    },
    latencyMs: {
      mean: ms(raw.latencyUs.mean),
      p50: ms(raw.latencyUs.p50),
      p90: ms(raw.latencyUs.p90),
      p99: ms(raw.latencyUs.p99),
      max: ms(raw.latencyUs.max),
    },
    cpu,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
