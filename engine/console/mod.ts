/**
 * The admin console at `/console`: server-rendered pages (Hono JSX), one
 * stylesheet, one optional script, no build step. Sign-in with console users
 * and sessions (engine/access), CSRF-checked forms, pages shown by role.
 *
 * @example
 * ```ts
 * app.route("/console", createConsole({ db, clock, config, log }));
 * ```
 */
import { Hono } from "hono";
import { randomId } from "../access/mod.ts";
import { registerAssets } from "./assets.ts";
import type { ConsoleDeps, ConsoleEnv } from "./deps.ts";
import { consoleError } from "./error_pages.tsx";
import { registerAuditPage } from "./pages/audit.tsx";
import { registerCustomerPage } from "./pages/customer.tsx";
import { registerCustomersPage } from "./pages/customers.tsx";
import { registerOverviewPage } from "./pages/overview.tsx";
import { registerRuleApproval } from "./pages/rule_approval.tsx";
import { registerRuleEditor } from "./pages/rule_editor.tsx";
import { registerRuleHistory } from "./pages/rule_history.tsx";
import { registerRulesPage } from "./pages/rules.tsx";
import { registerSignIn } from "./pages/sign_in.tsx";
import { registerTemplatesPage } from "./pages/templates.tsx";
import { registerUsersPage } from "./pages/users.tsx";

export type { ConsoleDeps, ConsoleEnv } from "./deps.ts";
export { sessionActorOfUpgrade } from "./feed_session.ts";

// Pages load nothing from elsewhere and cannot be framed. The only inline scripts are the
// ones a streamed page (engine/console/loading.tsx) sends to put a section that loaded
// late in place of its "Loading…", and they carry the request's nonce.
// The template editor's pages also allow inline styles: its email preview is a sandboxed
// srcdoc frame, which inherits this policy, and an email's HTML is styled inline.
const contentSecurityPolicy = (nonce: string, path: string) =>
  `default-src 'self'; script-src 'self' 'nonce-${nonce}'; ` +
  `style-src 'self'${EMAIL_PREVIEW_PAGES.test(path) ? " 'unsafe-inline'" : ""}; ` +
  "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const EMAIL_PREVIEW_PAGES = /^\/console\/templates\/[^/]+$/;

/** The console as a Hono app, to mount at `/console`. */
export function createConsole(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.use("*", async function securityHeaders(c, next) {
    const nonce = randomId();
    c.set("cspNonce", nonce);
    await next();
    c.header("Content-Security-Policy", contentSecurityPolicy(nonce, c.req.path));
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  registerAssets(app);
  registerSignIn(app, deps);
  registerOverviewPage(app, deps);
  registerAuditPage(app, deps);
  registerUsersPage(app, deps);
  registerCustomersPage(app, deps);
  registerCustomerPage(app, deps);
  registerRulesPage(app, deps);
  registerRuleEditor(app, deps);
  registerRuleHistory(app, deps);
  registerRuleApproval(app, deps);
  registerTemplatesPage(app, deps);
  app.onError((error, c) =>
    consoleError(error, c, (e) => deps.log.error("console page failed", { error: e }))
  );
  return app;
}

/** The console's routes as `METHOD /path` (for the API's access table). */
export const consoleRoutes: readonly string[] = [
  "GET /console",
  "GET /console/static/{file}",
  "GET /console/sign-in",
  "POST /console/sign-in",
  "POST /console/sign-out",
  "GET /console/audit",
  "GET /console/users",
  "POST /console/users",
  "POST /console/users/{id}",
  "GET /console/rules",
  "GET /console/rules/new",
  "POST /console/rules/new",
  "POST /console/rules/validate",
  "GET /console/rules/{id}",
  "POST /console/rules/{id}",
  "GET /console/rules/{id}/history",
  "POST /console/rules/{id}/rollback",
  "POST /console/rules/{id}/decision",
  "GET /console/templates",
  "GET /console/templates/new",
  "POST /console/templates/new",
  "GET /console/templates/{id}",
  "POST /console/templates/{id}",
  "POST /console/templates/{id}/rollback",
  "POST /console/template-preview",
  "GET /console/template-customers",
  "GET /console/customers",
  "GET /console/customers/{id}",
];
