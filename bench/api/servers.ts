/**
 * The servers under load, each in its own process as deployed: the engine as
 * `deno task start` runs it (main.ts with the task's flags), and the bare
 * Hono baseline (hello_world.ts). Each is ready once it prints its URL.
 */

const ROOT = new URL("../../", import.meta.url).pathname;
const READY_TIMEOUT_MS = 120_000;
const LOG_TAIL_LINES = 20;

/** A server process the benchmark started. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Lines the server wrote to standard error (the engine's JSON log), those at level error, the last few. */
  log(): { lines: number; errors: number; tail: string[] };
  /** Sends SIGTERM and waits for the process to end. */
  stop(): Promise<void>;
}

/**
 * Starts the engine the way `deno task start` does, with `env` added to this
 * process's environment; resolves once it serves.
 */
export async function startEngine(env: Record<string, string>): Promise<ServerProcess> {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks as Record<
    string,
    string
  >;
  const [program, ...args] = tasks.start?.split(/\s+/) ?? [];
  if (program !== "deno") {
    throw new Error(`The start task in deno.json is not "deno run …": ${tasks.start}`);
  }
  return await startServer(args, env, /running at (http:\/\/\S+)/, "the engine");
}

/** Starts the bare Hono baseline; resolves once it serves. */
export async function startHelloWorld(): Promise<ServerProcess> {
  return await startServer(
    ["run", "--allow-net", "bench/api/hello_world.ts"],
    {},
    /listening on (http:\/\/\S+)/,
    "the hello-world server",
  );
}

async function startServer(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  what: string,
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log = { lines: 0, errors: 0, tail: [] as string[] };
  let stdout = "";
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  const reading = Promise.all([
    drain(child.stdout, (text) => {
      stdout += text;
      const match = ready.exec(stdout);
      if (match) resolve(match[1]!);
    }),
    // The engine logs a line per request: count them and keep the last few.
    drain(child.stderr, (text) => {
      const lines = text.split("\n").filter((l) => l !== "");
      log.lines += lines.length;
      for (const line of lines) if (line.includes('"level":"error"')) log.errors++;
      log.tail = [...log.tail, ...lines].slice(-LOG_TAIL_LINES);
    }),
  ]);
  const ended = child.status.then((status) => {
    reject(
      new Error(
        `${what} exited with code ${status.code} before serving:\n${stdout}\n${
          log.tail.join("\n")
        }`,
      ),
    );
    return status;
  });
  const timer = setTimeout(
    () => reject(new Error(`${what} did not start in ${READY_TIMEOUT_MS / 1000} s`)),
    READY_TIMEOUT_MS,
  );
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already ended.
    }
    await ended;
    await reading;
  };
  try {
    const url = await listening;
    return { url, pid: child.pid, log: () => ({ ...log, tail: [...log.tail] }), stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void) {
  let partial = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    // Hand over whole lines only.
    const cut = text.lastIndexOf("\n");
    if (cut === -1) {
      partial += text;
      continue;
    }
    onText(partial + text.slice(0, cut + 1));
    partial = text.slice(cut + 1);
  }
  if (partial !== "") onText(partial);
}
