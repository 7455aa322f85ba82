/**
 * Who may call what: every route of the API, by method and OpenAPI path, with
 * the permission it needs. The one place access is declared. `createApi`
 * refuses to build an app with a route missing here, and a test walks every
 * route of the OpenAPI document with every role, so no route ships
 * unprotected by accident.
 */
import type { Permission } from "../access/mod.ts";
import { consoleRoutes } from "../console/mod.ts";

/**
 * What a route needs: a permission; `authenticated` (any valid token);
 * `public` (no token: the minimal health check and the API's documentation);
 * or `console` (a console page: no token, its own sign-in session and
 * permission checks, engine/console/session.ts).
 */
export type RouteAccess = Permission | "authenticated" | "public" | "console";

/** `"METHOD /path/{param}"` → what it needs. */
export const routeAccess: Record<string, RouteAccess> = {
  "GET /api/customer-success/health": "public",
  // Load balancer and Kubernetes probes: nothing beyond up, ready or not.
  "GET /api/customer-success/health/live": "public",
  "GET /api/customer-success/health/ready": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/docs": "public",
  "GET /api/docs/{file}": "public",
  // The signed link in every intervention is its own proof.
  "GET /unsubscribe/{token}": "public",
  "POST /unsubscribe/{token}": "public",
  // Opens and clicks of email: signed tokens too.
  "GET /t/o/{token}": "public",
  "GET /t/c/{token}": "public",

  // The detailed health of each component (the seed's endpoints, plus engine).
  "GET /api/customer-success/health/engine": "read:metrics",
  "GET /api/customer-success/health/ml": "read:metrics",
  "GET /api/customer-success/health/interventions": "read:metrics",
  "GET /api/customer-success/health/integrations": "read:metrics",
  "GET /api/customer-success/health/privacy": "read:metrics",

  // Production validation shows configuration facts (which variables are missing): admins.
  "GET /api/v1/validation": "manage:settings",

  // Prometheus scrapes with a bearer token of a role that has read:metrics.
  "GET /metrics": "read:metrics",

  "GET /api/v1/me": "authenticated",

  "POST /api/v1/events": "write:signals",
  "PUT /api/v1/customers/{id}": "write:signals",
  "POST /api/v1/customers/batch": "write:signals",

  "GET /api/v1/customers": "read:metrics",
  "GET /api/v1/customers/{id}": "read:metrics",
  "GET /api/v1/customers/{id}/milestones": "read:metrics",
  "GET /api/v1/customers/{id}/health": "read:metrics",
  "GET /api/v1/health-model": "read:metrics",
  "GET /api/v1/milestones": "read:metrics",
  // Rule authors' reference: managers and admins (read:all).
  "GET /api/v1/facts": "read:rules",
  "GET /api/v1/customers/{id}/firings": "read:metrics",
  "GET /api/v1/customers/{id}/inbox": "read:metrics",
  // The product marks a message read as its user opens it: acting on an intervention.
  "POST /api/v1/customers/{id}/inbox/{messageId}/read": "write:interventions",
  "GET /api/v1/rules": "read:rules",
  "GET /api/v1/rules/{id}": "read:rules",
  "GET /api/v1/rules/{id}/versions": "read:rules",
  "POST /api/v1/rules": "write:rules",
  // Heavy (every customer) and about unpublished work: for rule editors.
  "POST /api/v1/rules/simulate": "write:rules",
  "PUT /api/v1/rules/{id}": "write:rules",
  "POST /api/v1/rules/{id}/publish": "write:rules",
  "POST /api/v1/rules/{id}/archive": "write:rules",
  "POST /api/v1/rules/{id}/rollback": "write:rules",
  "POST /api/v1/rules/{id}/approve": "write:rules",
  "POST /api/v1/rules/{id}/reject": "write:rules",
  "GET /api/v1/rules/{id}/changes": "read:rules",
  "GET /api/v1/settings/rule-approvals": "read:rules",
  // Templates: read like rules; changed (and previewed: unpublished work) by template editors.
  "GET /api/v1/templates": "read:rules",
  "GET /api/v1/templates/{id}": "read:rules",
  "GET /api/v1/templates/{id}/versions": "read:rules",
  "POST /api/v1/templates": "write:templates",
  "PUT /api/v1/templates/{id}": "write:templates",
  "POST /api/v1/templates/{id}/publish": "write:templates",
  "POST /api/v1/templates/{id}/archive": "write:templates",
  "POST /api/v1/templates/{id}/rollback": "write:templates",
  "POST /api/v1/templates/{id}/preview": "write:templates",
  "POST /api/v1/templates/{id}/test": "write:templates",
  "PUT /api/v1/settings/rule-approvals": "manage:settings",
  "GET /api/v1/cycles": "read:metrics",
  "GET /api/v1/cycles/schedule": "read:metrics",
  "GET /api/v1/cycles/{id}": "read:metrics",
  "POST /api/v1/cycles": "write:interventions",
  "GET /api/v1/interventions": "read:metrics",
  "GET /api/v1/customers/{id}/interventions": "read:metrics",
  "GET /api/v1/interventions/{id}": "read:metrics",
  "POST /api/v1/interventions/{id}/retry": "write:interventions",
  "POST /api/v1/interventions/replay": "write:interventions",
  "POST /api/v1/interventions/{id}/outcome": "write:interventions",
  "GET /api/v1/reports/interventions": "read:reports",
  "GET /api/v1/reports/success-metrics": "read:reports",
  "GET /api/v1/reports/churn": "read:reports",
  "GET /api/v1/reports/cohorts": "read:reports",
  "GET /api/v1/reports/roi": "read:reports",
  "GET /api/v1/customers/{id}/prediction": "read:metrics",
  "GET /api/v1/models": "read:metrics",
  "GET /api/v1/models/{version}": "read:metrics",
  "GET /api/v1/ml/performance": "read:metrics",
  // Changing which model scores, and checking it: admins.
  "POST /api/v1/models/{version}/activate": "manage:models",
  "POST /api/v1/models/rollback": "manage:models",
  "POST /api/v1/ml/verify": "manage:models",

  "POST /api/v1/tokens": "manage:tokens",
  "GET /api/v1/tokens": "manage:tokens",
  "GET /api/v1/tokens/{id}": "manage:tokens",
  "DELETE /api/v1/tokens/{id}": "manage:tokens",

  // Plugins: seen by readers of the engine's state, changed by admins.
  "GET /api/v1/plugins": "read:metrics",
  "GET /api/v1/plugins/{name}": "read:metrics",
  "PUT /api/v1/plugins/{name}": "manage:plugins",
  // The event hub's delivery to a plugin: its dead letters are read like its status; replays
  // change what it receives.
  "POST /api/v1/plugins/{name}/replay": "manage:plugins",
  "GET /api/v1/plugins/{name}/dead-letters": "read:metrics",
  "POST /api/v1/plugins/{name}/dead-letters/replay": "manage:plugins",

  // Alerts: seen by readers of the engine's state; acknowledged and silenced by managers and
  // admins (the people on call); rules created and changed by admins.
  "GET /api/v1/alert-metrics": "read:metrics",
  "GET /api/v1/alert-rules": "read:metrics",
  "GET /api/v1/alert-rules/{id}": "read:metrics",
  "POST /api/v1/alert-rules": "manage:alerts",
  "PUT /api/v1/alert-rules/{id}": "manage:alerts",
  "POST /api/v1/alert-rules/{id}/silence": "write:alerts",
  "GET /api/v1/alerts": "read:metrics",
  "GET /api/v1/alerts/{id}": "read:metrics",
  "POST /api/v1/alerts/{id}/acknowledge": "write:alerts",

  "GET /api/v1/audit": "read:audit",
  "GET /api/v1/audit/verify": "read:audit",
  // Privacy requests reach every personal value of a customer, or erase it: admins only.
  "POST /api/privacy/request": "manage:privacy",
  "GET /api/privacy/requests": "manage:privacy",
  "GET /api/privacy/requests/{id}": "manage:privacy",
  "GET /api/privacy/requests/{id}/download": "manage:privacy",

  // The admin console's pages (docs/console.md).
  ...Object.fromEntries(consoleRoutes.map((key) => [key, "console" as const])),
};

/** An entry of the table: its key, method and what it needs. */
export interface RouteEntry {
  key: string;
  method: string;
  access: RouteAccess;
}

/** Finds the entry of the route Hono matched, by method and pattern (`/api/v1/rules/:id`). */
export type RouteLookup = (method: string, honoPath: string) => RouteEntry | undefined;

/**
 * Compiles `table` into a lookup by the pattern of the route Hono matched: a
 * map read per request. Hono has matched the path already (the literal
 * `/customers/batch` before `/customers/:id`), so the table needs no matcher
 * of its own; HEAD is GET's.
 */
export function compileRouteAccess(table: Record<string, RouteAccess>): RouteLookup {
  const byKey = new Map(
    Object.entries(table).map(([key, access]) => [
      key,
      { key, method: key.slice(0, key.indexOf(" ")), access },
    ]),
  );
  return (method, honoPath) =>
    byKey.get(`${method === "HEAD" ? "GET" : method} ${openApiPath(honoPath)}`);
}

/** Converts Hono's `/customers/:id` to the table's `/customers/{id}`. */
export function openApiPath(honoPath: string): string {
  let path = openApiPaths.get(honoPath);
  if (path === undefined) {
    path = honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    // Route patterns are a fixed set: remembering them costs nothing and saves a regex per request.
    if (openApiPaths.size < 1_000) openApiPaths.set(honoPath, path);
  }
  return path;
}

const openApiPaths = new Map<string, string>();
