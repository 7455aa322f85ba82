/**
 * Every route of the OpenAPI document, called with no token and with each
 * role: public routes answer everyone, the others answer 401 without a
 * token, 403 to roles without the permission, and never 401/403 to roles
 * with it. A route missing from the access table fails here (and createApi
 * refuses to start).
 */
import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";
import { roleAllows, roles } from "../../../engine/access/mod.ts";
import { routeAccess } from "../../../engine/api/route_access.ts";

// Path parameters that name nothing, so allowed calls change nothing.
const sample: Record<string, string> = { id: "999999" };

Deno.test("every route enforces its permission for every role", async () => {
  await withApi(async (api) => {
    const doc = (await api.call("GET", "/api/v1/openapi.json")).body;
    const operations: Array<{ method: string; path: string }> = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) {
        operations.push({ method: method.toUpperCase(), path });
      }
    }
    const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
    // Only the documentation itself (the document, the browsable page) and the console's
    // HTML pages (their own sessions: tests/engine/console) may be left out of it.
    const undocumented = Object.entries(routeAccess)
      .filter(([key, access]) =>
        !documented.has(key) && access !== "public" && access !== "console"
      )
      .map(([key]) => key);
    assertEquals(undocumented, [], "every protected route is in the OpenAPI document");
    assert(operations.length >= 20, `only ${operations.length} operations documented`);

    const mismatches: string[] = [];
    for (const { method, path } of operations) {
      const key = `${method} ${path}`;
      const access = routeAccess[key];
      if (access === undefined) {
        mismatches.push(`${key}: not in the access table`);
        continue;
      }
      if (access === "console") {
        mismatches.push(`${key}: a console page in the API document`);
        continue;
      }
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => sample[name] ?? "x");
      const body = ["POST", "PUT", "PATCH"].includes(method) ? {} : undefined;
      const anonymous = await api.call(method, url, body, { authorization: "" });
      if (access === "public") {
        if ([401, 403].includes(anonymous.status)) {
          mismatches.push(`${key}: public but ${anonymous.status}`);
        }
        continue;
      }
      if (anonymous.status !== 401) mismatches.push(`${key}: no token gave ${anonymous.status}`);
      for (const role of roles) {
        const answer = await api.call(method, url, body, {
          authorization: `Bearer ${api.tokens[role]}`,
        });
        const allowed = access === "authenticated" || roleAllows(role, access);
        if (allowed && [401, 403].includes(answer.status)) {
          mismatches.push(`${key} as ${role}: allowed but ${answer.status}`);
        }
        if (!allowed && answer.status !== 403) {
          mismatches.push(`${key} as ${role}: denied but ${answer.status}`);
        }
      }
    }
    assertEquals(mismatches, []);
  });
});

Deno.test("the OpenAPI document states each route's permission and bearer security", async () => {
  await withApi(async (api) => {
    const doc = (await api.call("GET", "/api/v1/openapi.json", undefined, { authorization: "" }))
      .body;
    assertEquals(doc.components.securitySchemes.bearerToken.scheme, "bearer");
    const events = doc.paths["/api/v1/events"].post;
    assertEquals(events["x-permission"], "write:signals");
    assertEquals(events.security, [{ bearerToken: [] }]);
    assert(events.responses["401"] && events.responses["403"] && events.responses["429"]);
    const status = doc.paths["/api/customer-success/health"].get;
    assertEquals(status.security, undefined);
  });
});
