/**
 * Sign-in and sign-out. The sign-in form is protected against login CSRF by
 * a double-submit token (a cookie and a hidden field that must match), as no
 * session exists yet to hold a synchronizer token. A form whose session had
 * ended arrives here with its fields (the draft): after sign-in they are kept
 * in the new session and offered again on the form's page.
 */
import type { Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import {
  endSession,
  findSession,
  keepDraft,
  randomId,
  type SessionDraft,
  signIn,
} from "../../access/mod.ts";
import {
  clearSessionCookie,
  safeReturn,
  servedOverTls,
  SESSION_COOKIE,
  setSessionCookie,
} from "../cookies.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { sessionPolicy } from "../deps.ts";
import { csrfRefused } from "../error_pages.tsx";
import { Field } from "../forms.tsx";
import { Plain } from "../layout.tsx";

const SIGN_IN_COOKIE = "cse_sign_in";

/** What the sign-in page shows besides the form. */
interface SignInView {
  returnTo: string;
  draft: SessionDraft | null;
  status?: 200 | 401 | 403;
  email?: string;
  error?: string;
  notice?: string;
}

/** Renders the sign-in page (with a fresh double-submit token). */
export function signInPage(
  c: Context,
  deps: ConsoleDeps,
  view: SignInView,
): Response | Promise<Response> {
  const token = randomId();
  setCookie(c, SIGN_IN_COOKIE, token, {
    path: "/console",
    httpOnly: true,
    sameSite: "Strict",
    secure: servedOverTls(c, deps.config.PUBLIC_URL),
  });
  c.header("Cache-Control", "no-store");
  return c.html(
    <Plain title="Sign in">
      {view.notice ? <p class="notice" role="status">{view.notice}</p> : null}
      {view.error ? <p class="error-summary" role="alert">{view.error}</p> : null}
      <form method="post" action="/console/sign-in" class="stack">
        <input type="hidden" name="_sign_in" value={token} />
        <input type="hidden" name="return" value={view.returnTo} />
        {view.draft
          ? <input type="hidden" name="draft" value={JSON.stringify(view.draft)} />
          : null}
        <Field
          name="email"
          label="Email"
          type="email"
          value={view.email}
          required
          autocomplete="username"
        />
        <Field
          name="password"
          label="Password"
          type="password"
          required
          autocomplete="current-password"
        />
        <button type="submit">Sign in</button>
      </form>
    </Plain>,
    view.status ?? 200,
  );
}

/** Registers GET/POST /sign-in and POST /sign-out on the console app. */
export function registerSignIn(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const policy = sessionPolicy(deps.config);

  app.get(
    "/sign-in",
    (c) => signInPage(c, deps, { returnTo: safeReturn(c.req.query("return")), draft: null }),
  );

  app.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const expected = getCookie(c, SIGN_IN_COOKIE);
    if (!expected || form._sign_in !== expected) return csrfRefused(c);
    const returnTo = safeReturn(form.return);
    const draft = parseDraft(form.draft);
    const email = typeof form.email === "string" ? form.email : "";
    const password = typeof form.password === "string" ? form.password : "";
    const view = { returnTo, draft, email };
    if (email.trim() === "" || password === "") {
      return signInPage(c, deps, { ...view, status: 401, error: "Enter your email and password." });
    }
    const result = await signIn(deps.db, { email, password }, policy, {
      now: deps.clock.now(),
      requestId: c.get("requestId") ?? null,
    });
    switch (result.kind) {
      case "wrong":
        return signInPage(c, deps, {
          ...view,
          status: 401,
          error: "The email or the password is wrong.",
        });
      case "locked":
        return signInPage(c, deps, {
          ...view,
          status: 403,
          error: `This account is locked after ${policy.lockoutAttempts} failed sign-ins until ` +
            `${result.until.toISOString().slice(0, 16).replace("T", " ")} UTC. Try again then, ` +
            "or ask an admin to unlock it.",
        });
      case "disabled":
        return signInPage(c, deps, {
          ...view,
          status: 403,
          error: "This account is disabled. Ask an admin to enable it.",
        });
      case "signed-in":
        setSessionCookie(c, deps, result.sessionId);
        if (draft) await keepDraft(deps.db, result.sessionId, draft);
        return c.redirect(draft?.page ?? returnTo, 303);
    }
  });

  app.post("/sign-out", async (c) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    const session = sessionId
      ? await findSession(deps.db, sessionId, policy, deps.clock.now())
      : null;
    if (session && sessionId) {
      const form = await c.req.parseBody();
      if (form._csrf !== session.csrfToken) return csrfRefused(c);
      await endSession(deps.db, sessionId);
    }
    clearSessionCookie(c);
    return c.redirect("/console/sign-in", 303);
  });
}

function parseDraft(text: unknown): SessionDraft | null {
  if (typeof text !== "string" || text === "") return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { page, fields } = value as { page?: unknown; fields?: unknown };
    if (typeof fields !== "object" || fields === null) return null;
    const kept: Record<string, string> = {};
    for (const [name, field] of Object.entries(fields)) {
      if (typeof field === "string" && !/password/i.test(name)) kept[name] = field.slice(0, 10_000);
    }
    return { page: safeReturn(page), fields: kept };
  } catch {
    return null;
  }
}
