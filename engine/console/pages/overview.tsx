/**
 * The overview: where a signed-in user lands. For now it says who they are
 * and what their role lets them do; the success metrics charts, cycles,
 * plugin health and alerts of issue 9's point 6 are still to come here.
 */
import type { Hono } from "hono";
import { rolePermissions } from "../../access/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { allowedNavigation, Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";

/** Registers GET / (the console's home). */
export function registerOverviewPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/", requireSession(deps, "read:metrics"), (c) => {
    const session = c.get("session");
    const pages = allowedNavigation(session).filter((entry) => entry.href !== "/console");
    return c.html(
      <Layout title="Overview" session={session} current="/console">
        <p>
          Signed in as {session.user.displayName} ({session.user.email}) with the role{" "}
          <strong>{session.user.role}</strong>: {rolePermissions[session.user.role].join(", ")}.
        </p>
        <h2>Pages</h2>
        <ul class="cards">
          {pages.map((entry) => (
            <li>
              <a href={entry.href}>{entry.label}</a>
            </li>
          ))}
        </ul>
      </Layout>,
    );
  });
}
