/**
 * The console over real HTTP on loopback, with a client that keeps cookies
 * like a browser and reads each form's CSRF token from the page it got.
 */
import { createUser, parseNewUser, type Role, type UserInfo } from "../../engine/access/mod.ts";
import { type ApiTest, withApi } from "./api.ts";
import type { FirstPartyPlugin } from "../../engine/plugins/mod.ts";
import { movableClock, NOW } from "./fixtures.ts";

/** A page as a person's browser got it. */
export interface Page {
  status: number;
  headers: Headers;
  html: string;
  /** The Location of a redirect, or null. */
  location: string | null;
}

/** A browser-like client: cookies kept, redirects not followed (tests look at them). */
export class ConsoleClient {
  readonly #origin: string;
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had one. */
  csrf = "";
  /** The sign-in form's double-submit token of the last sign-in page. */
  signInToken = "";

  constructor(origin: string) {
    this.#origin = origin;
  }

  /** GET `path`. */
  async get(path: string): Promise<Page> {
    return await this.#send(path, { method: "GET" });
  }

  /** POSTs `fields` as a form; `_csrf` is the last page's token unless given. */
  async post(path: string, fields: Record<string, string>): Promise<Page> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields });
    return await this.#send(path, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }

  /** Opens the sign-in page and signs in; returns the answer to the form. */
  async signIn(email: string, password: string, returnTo = "/console"): Promise<Page> {
    await this.get(`/console/sign-in?return=${encodeURIComponent(returnTo)}`);
    return await this.post("/console/sign-in", {
      _sign_in: this.signInToken,
      return: returnTo,
      email,
      password,
    });
  }

  async #send(path: string, init: RequestInit): Promise<Page> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(`${this.#origin}${path}`, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string> ?? {}), cookie },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = pair!.split("=");
      const value = rest.join("=");
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    const html = await response.text();
    const csrf = html.match(/name="_csrf" value="([^"]+)"/)?.[1];
    if (csrf) this.csrf = csrf;
    const signIn = html.match(/name="_sign_in" value="([^"]+)"/)?.[1];
    if (signIn) this.signInToken = signIn;
    return {
      status: response.status,
      headers: response.headers,
      html,
      location: response.headers.get("location"),
    };
  }
}

/** What a console test gets. */
export interface ConsoleTest {
  api: ApiTest;
  origin: string;
  clock: ReturnType<typeof movableClock>;
  /** A new client with no cookies. */
  client(): ConsoleClient;
  /** Creates a user with `role` (password: `PASSWORD`). */
  user(email: string, role: Role, name?: string): Promise<UserInfo>;
  /** A client signed in as a new user with `role`. */
  signedIn(role: Role, email?: string): Promise<ConsoleClient>;
}

/** The password of the users `user()` creates. */
export const PASSWORD = "correct horse battery staple";

/** Runs `fn` with the engine's API (and so the console) served on a loopback port. */
export async function withConsole(
  fn: (test: ConsoleTest) => Promise<void>,
  options: { env?: Record<string, string>; plugins?: readonly FirstPartyPlugin[] } = {},
): Promise<void> {
  const clock = movableClock(NOW);
  await withApi(async (api) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, api.app.fetch);
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const user = (email: string, role: Role, name = email.split("@")[0]!) =>
      createUser(api.db, parseNewUser({ email, displayName: name, role, password: PASSWORD }), {
        actor: "test",
        now: clock.now(),
      });
    try {
      await fn({
        api,
        origin,
        clock,
        client: () => new ConsoleClient(origin),
        user,
        signedIn: async (role, email = `${role}@example.com`) => {
          await user(email, role);
          const client = new ConsoleClient(origin);
          const answer = await client.signIn(email, PASSWORD);
          if (answer.status !== 303) throw new Error(`sign-in failed: ${answer.status}`);
          await client.get("/console");
          return client;
        },
      });
    } finally {
      // Plugins first: the dashboard closes its WebSockets, which the server would wait for.
      await api.plugins?.stop();
      await server.shutdown();
    }
  }, {
    clock,
    ...(options.env ? { env: options.env } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
}
