/**
 * One process per PGlite folder. PGlite itself does not stop a second process
 * from opening the same folder (which would corrupt it), so the engine and its
 * commands hold `engine.lock` in the folder while they use it. The lock file
 * says who holds it and, for a running engine, its URL, so commands can go
 * through the engine's API instead.
 */
import { EngineError } from "../errors.ts";

/** What the lock file records about its holder. */
export interface LockHolder {
  pid: number;
  command: string;
  startedAt: string;
  /** Base URL of the holder's HTTP API, once it serves one. */
  url?: string;
  /**
   * A secret the running engine accepts as an admin for the commands that go
   * through its API. Whoever can read this file can read the database files
   * next to it, so it grants nothing new; it changes at every start.
   */
  localToken?: string;
}

/** A held lock on a data folder. */
export interface DataDirLock {
  readonly dataDir: string;
  /** Records the URL the holder serves its API on, and the secret local commands use. */
  setServing(url: string, localToken: string): Promise<void>;
  release(): Promise<void>;
}

const LOCK_FILE = "engine.lock";

/** Takes the folder's lock, removing a stale one; throws DATA_DIR_IN_USE if a live process holds it. */
export async function acquireDataDirLock(dataDir: string, command: string): Promise<DataDirLock> {
  await Deno.mkdir(dataDir, { recursive: true });
  const path = `${dataDir}/${LOCK_FILE}`;
  const holder: LockHolder = { pid: Deno.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(holder), { createNew: true });
      let released = false;
      return {
        dataDir,
        setServing: async (url, localToken) => {
          holder.url = url;
          holder.localToken = localToken;
          await Deno.writeTextFile(path, JSON.stringify(holder), { mode: 0o600 });
          await Deno.chmod(path, 0o600);
        },
        release: async () => {
          if (released) return;
          released = true;
          await Deno.remove(path).catch(() => {});
        },
      };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      const other = await readDataDirLock(dataDir);
      if (other) throw dataDirInUse(dataDir, other);
      // The holder is gone (crashed or killed): the lock is stale.
      await Deno.remove(path).catch(() => {});
    }
  }
  throw new EngineError("DATA_DIR_IN_USE", `Could not lock ${path}; try again`);
}

/** The live holder of the folder's lock, or null when the folder is free (or the lock stale). */
export async function readDataDirLock(dataDir: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dataDir}/${LOCK_FILE}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  let holder: LockHolder;
  try {
    holder = JSON.parse(text) as LockHolder;
  } catch {
    return null; // A lock written halfway by a process that died while writing it.
  }
  return typeof holder.pid === "number" && isProcessAlive(holder.pid) ? holder : null;
}

/** The error a command reports when another process holds the folder. */
export function dataDirInUse(dataDir: string, holder: LockHolder): EngineError {
  const what = holder.command === "engine" ? "the engine" : `"${holder.command}"`;
  const serving = holder.url ? `, serving ${holder.url}` : "";
  return new EngineError(
    "DATA_DIR_IN_USE",
    `The data folder ${dataDir} is in use by ${what} (pid ${holder.pid}, started ${holder.startedAt}${serving}). ` +
      `The embedded database allows one process at a time: stop that process first ` +
      `(Ctrl+C in its terminal, or kill ${holder.pid}), or set DATA_DIR to another folder, ` +
      `or set DATABASE_URL to use a PostgreSQL server that many processes can share.`,
  );
}

function isProcessAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("deno");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return true;
    try {
      Deno.statSync("/proc/self");
      return false; // Linux: no such process.
    } catch {
      return true; // No /proc here: assume alive rather than risk two writers.
    }
  }
}
