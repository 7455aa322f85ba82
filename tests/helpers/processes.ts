/** Running the engine and its commands as real processes, as a user does. */

const ROOT = new URL("../../", import.meta.url).pathname;

/** What a finished process printed. */
export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A <script> ...args` in the project with `env` added; waits
 * for it to end. NO_COLOR is set unless `noColor: false`.
 */
export async function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  options: { noColor?: boolean } = {},
): Promise<ProcessResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-cron", script, ...args],
    cwd: ROOT,
    // An empty NO_COLOR counts as unset (no-color.org), whatever this process has.
    env: { ...env, NO_COLOR: options.noColor ?? true ? "1" : "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** The INIT_ADMIN_TOKEN startEngine gives the engine unless `env` sets one. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijklmnop";

/** A running engine process. */
export interface EngineProcess {
  url: string;
  /** An admin token for its API (INIT_ADMIN_TOKEN). */
  adminToken: string;
  /** What it printed on standard output so far. */
  stdout(): string;
  /** fetch() on the engine's URL with the admin token. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: Deno.Signal): Promise<ProcessResult>;
}

/**
 * Starts main.ts with `env` (or, with `viaStartTask`, `deno task start`, flags and all) and
 * waits until it prints its URL (or ends, which throws).
 */
export async function startEngine(
  env: Record<string, string>,
  timeoutMs = 60_000,
  options: { viaStartTask?: boolean } = {},
): Promise<EngineProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: options.viaStartTask ? ["task", "start"] : ["run", "-A", "--unstable-cron", "main.ts"],
    cwd: ROOT,
    env: {
      PORT: "0",
      LOG_LEVEL: "warn",
      INIT_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      // Tests stop engines often; the graceful shutdown test sets its own delay.
      SHUTDOWN_DELAY_SECONDS: "0",
      ...env,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const adminToken = env.INIT_ADMIN_TOKEN ?? TEST_ADMIN_TOKEN;
  let stdout = "";
  let stderr = "";
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  const drain = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
  };
  const reading = Promise.all([
    drain(child.stdout, (text) => {
      stdout += text;
      const match = /running at (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    }),
    drain(child.stderr, (text) => (stderr += text)),
  ]);
  const status = child.status.then((s) => {
    reject(
      new Error(`The engine exited with code ${s.code} before listening:\n${stdout}\n${stderr}`),
    );
    return s;
  });
  const timer = setTimeout(
    () => reject(new Error(`The engine did not start in ${timeoutMs} ms:\n${stderr}`)),
    timeoutMs,
  );
  try {
    const url = await listening;
    return {
      url,
      adminToken,
      stdout: () => stdout,
      fetch: (path, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${adminToken}`);
        return fetch(url + path, { ...init, headers });
      },
      stop: async (signal = "SIGTERM") => {
        try {
          child.kill(signal);
        } catch {
          // Already ended.
        }
        // A stop that hangs fails the test with what the engine said, instead of hanging it.
        let hung = false;
        const deadline = setTimeout(() => {
          hung = true;
          try {
            child.kill("SIGKILL");
          } catch {
            // Ended just now.
          }
        }, 30_000);
        const { code } = await status;
        clearTimeout(deadline);
        await reading;
        return { code, stdout, stderr: hung ? `${stderr}\n(did not stop within 30 s)` : stderr };
      },
    };
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already ended.
    }
    await status;
    await reading;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
