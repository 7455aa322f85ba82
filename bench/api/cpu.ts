/**
 * Where the machine's CPU went during a measurement, from /proc (Linux): the
 * server under load, the load generator, PostgreSQL (every local `postgres`
 * process), this benchmark, everything else, and time the hypervisor took
 * (steal). On a 2-core machine they all share the same cores, so this says
 * whether the server had the CPU or lost it to the rest. Null where /proc is
 * missing; the figures are context, never a verdict.
 */

/** CPU ticks per second in /proc (USER_HZ, 100 on every Linux build that matters). */
const TICKS_PER_SECOND = 100;

/** Cumulative CPU ticks at one moment. */
export interface CpuSnapshot {
  at: number;
  /** Per watched process id. */
  processes: Map<number, number>;
  postgres: number;
  self: number;
  machine: { busy: number; steal: number };
}

/** Cores used (CPU seconds per second) by each part over an interval. */
export interface CpuShare {
  seconds: number;
  /** By the names given to cpuBetween, plus `postgres`, `benchmark`, `other` and `steal`. */
  cores: Record<string, number>;
}

/** Takes a snapshot, watching `pids`; null when /proc cannot be read. */
export async function cpuSnapshot(pids: readonly number[]): Promise<CpuSnapshot | null> {
  try {
    const processes = new Map<number, number>();
    for (const pid of pids) processes.set(pid, await processTicks(pid));
    return {
      at: performance.now(),
      processes,
      postgres: await postgresTicks(),
      self: await processTicks(Deno.pid),
      machine: await machineTicks(),
    };
  } catch {
    return null;
  }
}

/** The cores each named process, PostgreSQL, this benchmark and the rest used between two snapshots. */
export function cpuBetween(
  from: CpuSnapshot | null,
  to: CpuSnapshot | null,
  names: Record<string, number>,
): CpuShare | null {
  if (!from || !to) return null;
  const seconds = (to.at - from.at) / 1000;
  if (seconds <= 0) return null;
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const result: Record<string, number> = {};
  let named = 0;
  for (const [name, pid] of Object.entries(names)) {
    const used = (to.processes.get(pid) ?? 0) - (from.processes.get(pid) ?? 0);
    result[name] = cores(used);
    named += used;
  }
  const postgres = to.postgres - from.postgres;
  const self = to.self - from.self;
  result.postgres = cores(postgres);
  result.benchmark = cores(self);
  const busy = to.machine.busy - from.machine.busy;
  result.other = Math.max(0, cores(busy - named - postgres - self));
  result.steal = cores(to.machine.steal - from.machine.steal);
  return { seconds, cores: result };
}

/** utime + stime of a process and all its threads. */
async function processTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function postgresTicks(): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const comm = await Deno.readTextFile(`/proc/${entry.name}/comm`);
      if (comm.trim() === "postgres") total += await processTicks(Number(entry.name));
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

async function machineTicks(): Promise<{ busy: number; steal: number }> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n", 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/)
    .slice(1).map(Number) as number[];
  return { busy: user! + nice! + system! + irq! + softirq!, steal: steal ?? 0 };
}
