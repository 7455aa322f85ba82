/**
 * Turning OpenTelemetry on from OTEL_EXPORTER_OTLP_ENDPOINT alone. Deno
 * exports only when OTEL_DENO=true is in the environment as the process
 * starts, and while it is on every request pays for its spans (a third of
 * the health read throughput: bench/README.md, "API load"). So the engine
 * runs without it unless an endpoint is set, and with an endpoint but no
 * OTEL_DENO it runs itself again, once, with OTEL_DENO=true.
 */

const FORWARDED: Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * When `env` names an endpoint but says nothing of OTEL_DENO, runs `main`
 * again in a child process with OTEL_DENO=true (same arguments, standard
 * streams shared, SIGINT and SIGTERM passed on) and returns its exit code.
 * Otherwise returns null and this process goes on.
 */
export async function relaunchWithTelemetry(
  main: URL,
  env: Record<string, string | undefined>,
): Promise<number | null> {
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined || env.OTEL_DENO !== undefined) return null;
  const child = new Deno.Command(Deno.execPath(), {
    // The flags of `deno task start`.
    args: ["run", "-A", "--unstable-cron", main.pathname, ...Deno.args],
    env: { OTEL_DENO: "true" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const listeners = FORWARDED.map((signal) => {
    const forward = () => {
      try {
        child.kill(signal);
      } catch {
        // The child has ended already.
      }
    };
    Deno.addSignalListener(signal, forward);
    return { signal, forward };
  });
  try {
    const status = await child.status;
    return status.signal === null ? status.code : 128 + signalNumber(status.signal);
  } finally {
    for (const { signal, forward } of listeners) Deno.removeSignalListener(signal, forward);
  }
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Partial<Record<Deno.Signal, number>>)[signal] ??
    1;
}
