/**
 * The page frame every console page shares: a skip link, the header with the
 * navigation the user's role allows, the main landmark and the sign-out form.
 * New pages (rule builder, template editor, customer page) add a nav entry here.
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { type Permission, roleAllows, type Session } from "../access/mod.ts";

/** A navigation entry, shown only to roles holding its permission. */
interface NavEntry {
  href: string;
  label: string;
  permission: Permission;
}

const navigation: readonly NavEntry[] = [
  { href: "/console", label: "Overview", permission: "read:metrics" },
  { href: "/console/rules", label: "Rules", permission: "read:rules" },
  { href: "/console/templates", label: "Templates", permission: "read:rules" },
  { href: "/console/customers", label: "Customers", permission: "read:metrics" },
  { href: "/console/audit", label: "Audit", permission: "read:audit" },
  { href: "/console/users", label: "Users", permission: "manage:users" },
];

/** The entries `session`'s role may open. */
export function allowedNavigation(session: Session): NavEntry[] {
  return navigation.filter((entry) => roleAllows(session.user.role, entry.permission));
}

/**
 * A whole document: head, skip link, and `children` in the main landmark;
 * `scripts` are a page's own files under /console/static/, after console.js.
 */
export function Document(props: { title: string; children: Child; scripts?: string[] }) {
  // The doctype keeps browsers in standards mode (without it they render in quirks mode).
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · Customer success console`}</title>
          {/* No icon: without this line browsers ask for /favicon.ico and log its 404. */}
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/console/static/console.css" />
          <script src="/console/static/console.js" defer></script>
          {(props.scripts ?? []).map((file) => (
            <script src={`/console/static/${file}`} defer>
            </script>
          ))}
        </head>
        <body>
          <a class="skip-link" href="#main">Skip to content</a>
          {props.children}
        </body>
      </html>
    </>
  );
}

/** A signed-in page: header, navigation, main content. */
export function Layout(
  props: {
    title: string;
    session: Session;
    current: string;
    children: Child;
    /** Page scripts, file names under /console/static/. */
    scripts?: string[];
  },
) {
  const { session } = props;
  return (
    <Document title={props.title} {...(props.scripts ? { scripts: props.scripts } : {})}>
      <header class="top">
        <p class="brand">
          <a href="/console">Customer success console</a>
        </p>
        <nav aria-label="Console">
          <ul>
            {allowedNavigation(session).map((entry) => (
              <li>
                <a
                  href={entry.href}
                  aria-current={entry.href === props.current ? "page" : undefined}
                >
                  {entry.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <form class="who" method="post" action="/console/sign-out">
          <span>
            {session.user.displayName} <span class="role">({session.user.role})</span>
          </span>
          <input type="hidden" name="_csrf" value={session.csrfToken} />
          <button type="submit" class="link">Sign out</button>
        </form>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** A page without a session (sign-in, errors before sign-in). */
export function Plain(props: { title: string; children: Child }) {
  return (
    <Document title={props.title}>
      <header class="top">
        <p class="brand">Customer success console</p>
      </header>
      <main id="main" tabindex={-1} class="narrow">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}
