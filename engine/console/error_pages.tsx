/** The console's error pages: HTML a person can act on, never a stack trace. */
import type { Context } from "hono";
import { databaseUnavailable } from "../db/mod.ts";
import { asEngineErrorCode } from "./engine_errors.ts";
import { Plain } from "./layout.tsx";

/** A page saying what went wrong and what to do, with `status`. */
export function errorPage(
  c: Context,
  status: 403 | 404 | 500 | 503,
  title: string,
  body: string,
): Response | Promise<Response> {
  return c.html(
    <Plain title={title}>
      <p role="alert">{body}</p>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </Plain>,
    status,
  );
}

/** The 403 of a form whose CSRF token does not match its session. */
export function csrfRefused(c: Context): Response | Promise<Response> {
  return errorPage(
    c,
    403,
    "This form cannot be accepted",
    "The form did not come from your current console session (it may be from an older tab or " +
      "another site), so nothing was changed. Go back, reload the page and send it again.",
  );
}

/** The console's onError: 503 when the database is unreachable, 500 otherwise. */
export function consoleError(
  error: unknown,
  c: Context,
  log: (error: unknown) => void,
): Response | Promise<Response> {
  c.header("Retry-After", "5");
  if (databaseUnavailable(error)) {
    return errorPage(
      c,
      503,
      "The database is unreachable",
      "The console cannot reach the engine's database, so it cannot show or change anything " +
        "right now. Nothing you sent was half saved. Try again in a minute; if it persists, " +
        "ask whoever runs the engine to check the database.",
    );
  }
  const code = asEngineErrorCode(error);
  if (code === "USER_NOT_FOUND" || code === "ROUTE_NOT_FOUND") {
    return errorPage(c, 404, "Not found", (error as Error).message);
  }
  log(error);
  const requestId = c.get("requestId") ?? "none";
  return errorPage(
    c,
    500,
    "Something went wrong",
    `The console hit an unexpected error; it was logged with request id ${requestId}.`,
  );
}
