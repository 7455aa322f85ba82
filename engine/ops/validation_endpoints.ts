/**
 * Are the plugins' configured endpoints reachable from here? An HTTP HEAD to
 * each of VIRAL_API_ENDPOINT, MARKETING_API_ENDPOINT and OFFLINE_SYNC_ENDPOINT,
 * a WebSocket connect to DASHBOARD_WS_ENDPOINT; only those set. Any answer
 * below 500 counts: the check is about the network path and a server that
 * answers, not about the plugin's own protocol (its health check covers that).
 */
import { redactUrl } from "../config.ts";
import type { ValidationCheck, ValidationContext } from "./validation.ts";

const DEFAULT_TIMEOUT_MS = 3_000;

/** One endpoint probed: null problem when it answered. */
interface Probe {
  key: string;
  url: string;
  problem: string | null;
}

const httpEndpoints = [
  "VIRAL_API_ENDPOINT",
  "MARKETING_API_ENDPOINT",
  "OFFLINE_SYNC_ENDPOINT",
] as const;

/** Each configured endpoint answers within the timeout. */
export async function endpointsValidation(
  { config, endpointTimeoutMs }: Pick<ValidationContext, "config" | "endpointTimeoutMs">,
): ReturnType<ValidationCheck> {
  const timeoutMs = endpointTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const probes: Array<Promise<Probe>> = [];
  for (const key of httpEndpoints) {
    const url = config[key];
    if (url !== undefined) {
      probes.push(probeHttp(url, timeoutMs).then((problem) => ({ key, url, problem })));
    }
  }
  const ws = config.DASHBOARD_WS_ENDPOINT;
  if (ws !== undefined) {
    probes.push(
      probeWebSocket(ws, timeoutMs).then((problem) => ({
        key: "DASHBOARD_WS_ENDPOINT",
        url: ws,
        problem,
      })),
    );
  }
  if (probes.length === 0) {
    return { status: "skip", message: "No integration endpoint is set", fix: null };
  }
  const results = await Promise.all(probes);
  const failed = results.filter((r) => r.problem !== null);
  if (failed.length > 0) {
    return {
      status: "fail",
      // Shown redacted: an endpoint may carry a key in its query or a password.
      message: failed.map((r) => `${r.key} (${redactUrl(r.url)}) ${r.problem}`).join("; "),
      fix: "Check the URL, that the service runs, and that this host may reach it " +
        "(firewall, DNS); or unset the variable to turn that integration off",
    };
  }
  return {
    status: "pass",
    message: `${results.length} reachable: ${results.map((r) => r.key).join(", ")}`,
    fix: null,
  };
}

/** Null when the server answered below 500; otherwise what went wrong. */
async function probeHttp(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status < 500 ? null : `answered ${response.status}`;
  } catch (error) {
    return describeFailure(error, timeoutMs);
  }
}

/** Null when the WebSocket opened; otherwise what went wrong. */
function probeWebSocket(url: string, timeoutMs: number): Promise<string | null> {
  const { promise, resolve } = Promise.withResolvers<string | null>();
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    return Promise.resolve(describeFailure(error, timeoutMs));
  }
  const timer = setTimeout(() => {
    resolve(`did not open within ${timeoutMs} ms`);
    socket.close();
  }, timeoutMs);
  socket.onopen = () => {
    resolve(null);
    socket.close();
  };
  socket.onerror = (event) => {
    resolve(`cannot connect: ${event instanceof ErrorEvent ? event.message : "connection failed"}`);
  };
  return promise.finally(() => clearTimeout(timer));
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `did not answer within ${timeoutMs} ms`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `cannot connect: ${message}`;
}
