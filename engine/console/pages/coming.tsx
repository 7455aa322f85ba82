/**
 * Pages of the console not built yet (rule builder,
 * customer page): each says so and where the same work is done today.
 */
import type { Hono } from "hono";
import type { Permission } from "../../access/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";

const pages: ReadonlyArray<{ path: string; title: string; permission: Permission; api: string }> = [
  { path: "/rules", title: "Rules", permission: "read:rules", api: "/api/v1/rules" },
  { path: "/customers", title: "Customers", permission: "read:metrics", api: "/api/v1/customers" },
];

/** Registers the placeholder pages. */
export function registerComingPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  for (const page of pages) {
    app.get(page.path, requireSession(deps, page.permission), (c) =>
      c.html(
        <Layout title={page.title} session={c.get("session")} current={`/console${page.path}`}>
          <p>
            This page of the console is not built yet. Until it is, the same work is done through
            the API: <code>{page.api}</code>, described at <a href="/api/docs">/api/docs</a>.
          </p>
        </Layout>,
      ));
  }
}
