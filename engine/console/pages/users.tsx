/**
 * The Users page (admins): the list, with each user's role, state and last
 * sign-in; a form to create a user; per user, forms to change the role,
 * disable or enable, and unlock. Forms are validated on the server and the
 * errors appear next to their field. An admin cannot demote or disable
 * themselves, so the console never loses its last admin by a slip.
 */
import type { Context, Hono } from "hono";
import {
  changeUser,
  createUser,
  keepDraft,
  listUsers,
  parseNewUser,
  roles,
  type UserChange,
  type UserInfo,
} from "../../access/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { issuesOf } from "../engine_errors.ts";
import { Choice, Field, type FieldErrors, fieldErrors, FormContext } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";

const PAGE = "/console/users";

/** What the page shows besides the list. */
interface UsersView {
  values?: Record<string, string>;
  errors?: FieldErrors;
  notice?: string;
  problem?: string;
  status?: 200 | 409 | 422;
}

/** Registers GET/POST /users and POST /users/:id. */
export function registerUsersPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const guard = requireSession(deps, "manage:users");

  app.get("/users", guard, async (c) => {
    const session = c.get("session");
    const draft = session.draft?.page === PAGE ? session.draft : null;
    if (session.draft) await keepDraft(deps.db, c.get("sessionId"), null);
    return await usersPage(c, deps, {
      ...(draft
        ? {
          values: draft.fields,
          notice: "This is what you had typed before your session ended; check it, enter the " +
            "password again and create the user.",
        }
        : {}),
      ...noticeOf(c.req.query("done"), c.req.query("email")),
    });
  });

  app.post("/users", guard, async (c) => {
    const form = await c.req.parseBody();
    const values = textFields(form);
    try {
      const user = await createUser(deps.db, parseNewUser(values), changeOf(c, deps));
      return c.redirect(`${PAGE}?done=created&email=${encodeURIComponent(user.email)}`, 303);
    } catch (error) {
      const issues = issuesOf(error);
      if (!issues) throw error;
      return await usersPage(c, deps, {
        values,
        errors: fieldErrors(issues),
        problem: "The user was not created: correct the fields marked below.",
        status: 422,
      });
    }
  });

  app.post("/users/:id", guard, async (c) => {
    const id = Number(c.req.param("id"));
    const form = textFields(await c.req.parseBody());
    const change = userChangeOf(form);
    if (!Number.isSafeInteger(id) || !change) {
      return await usersPage(c, deps, {
        problem: "That change is not one this page offers.",
        status: 422,
      });
    }
    if (id === c.get("session").user.id && change.kind !== "unlock") {
      return await usersPage(c, deps, {
        problem: "You cannot change your own role or disable yourself: ask another admin.",
        status: 409,
      });
    }
    const user = await changeUser(deps.db, id, change, changeOf(c, deps));
    return c.redirect(`${PAGE}?done=${change.kind}&email=${encodeURIComponent(user.email)}`, 303);
  });
}

function changeOf(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  return {
    actor: c.get("actor")!.id,
    now: deps.clock.now(),
    requestId: c.get("requestId") ?? null,
  };
}

function userChangeOf(form: Record<string, string>): UserChange | null {
  switch (form.change) {
    case "role": {
      const role = roles.find((r) => r === form.role);
      return role ? { kind: "role", role } : null;
    }
    case "disable":
    case "enable":
    case "unlock":
      return { kind: form.change };
    default:
      return null;
  }
}

const notices: Record<string, string> = {
  created: "Created the user",
  role: "Changed the role of",
  disable: "Disabled",
  enable: "Enabled",
  unlock: "Unlocked",
};

function noticeOf(done: string | undefined, email: string | undefined): UsersView {
  const text = done === undefined ? undefined : notices[done];
  return text && email ? { notice: `${text} ${email.slice(0, 254)}.` } : {};
}

function textFields(form: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === "string" && !name.startsWith("_")) fields[name] = value;
  }
  return fields;
}

async function usersPage(c: Context<ConsoleEnv>, deps: ConsoleDeps, view: UsersView) {
  const session = c.get("session");
  const users = await listUsers(deps.db);
  const now = deps.clock.now();
  const values = view.values ?? {};
  const errors = view.errors ?? {};
  return c.html(
    <Layout title="Users" session={session} current={PAGE}>
      {view.notice ? <p class="notice" role="status">{view.notice}</p> : null}
      {view.problem ? <p class="error-summary" role="alert">{view.problem}</p> : null}
      <h2>People who can sign in</h2>
      <div class="table-scroll" tabindex={0} role="region" aria-label="Users">
        <table class="users stack-on-phone">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <UserRow
                user={user}
                csrf={session.csrfToken}
                self={user.id === session.user.id}
                now={now}
              />
            ))}
          </tbody>
        </table>
      </div>
      <h2 id="create">Create a user</h2>
      <form method="post" action={PAGE} class="stack" aria-labelledby="create" novalidate>
        <FormContext csrf={session.csrfToken} page={PAGE} />
        <Field
          name="email"
          label="Email"
          type="email"
          value={values.email}
          error={errors.email}
          autocomplete="off"
        />
        <Field
          name="displayName"
          label="Name"
          value={values.displayName}
          error={errors.displayName}
          autocomplete="off"
        />
        <Choice
          name="role"
          label="Role"
          options={roles}
          value={values.role ?? "success-analyst"}
          error={errors.role}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          hint="At least 12 characters. Tell it to the person in person or by another channel."
          error={errors.password}
          autocomplete="new-password"
        />
        <button type="submit">Create user</button>
      </form>
    </Layout>,
    view.status ?? 200,
  );
}

function UserRow(props: { user: UserInfo; csrf: string; self: boolean; now: Date }) {
  const { user, csrf } = props;
  const locked = user.lockedUntil !== null && Date.parse(user.lockedUntil) > props.now.getTime();
  const state = user.disabled
    ? "disabled"
    : locked
    ? `locked until ${user.lockedUntil!.slice(0, 16).replace("T", " ")} UTC`
    : "active";
  const action = `${PAGE}/${user.id}`;
  const prefix = `u${user.id}`;
  return (
    <tr>
      <th scope="row">
        {user.displayName}
        <br />
        <span class="muted">{user.email}</span>
      </th>
      <td data-label="Role">{user.role}</td>
      <td data-label="State">{state}</td>
      <td data-label="Last sign-in">
        {user.lastSignInAt ? `${user.lastSignInAt.slice(0, 16).replace("T", " ")} UTC` : "never"}
      </td>
      <td data-label="Actions">
        <div class="row-actions">
          {props.self ? <span class="muted">(you)</span> : (
            <>
              <form method="post" action={action} class="inline">
                <FormContext csrf={csrf} page={PAGE} />
                <input type="hidden" name="change" value="role" />
                <label for={`${prefix}-role`} class="visually-hidden">Role of {user.email}</label>
                <select id={`${prefix}-role`} name="role">
                  {roles.map((role) => (
                    <option value={role} selected={role === user.role}>{role}</option>
                  ))}
                </select>
                <button type="submit">Change role</button>
              </form>
              <form method="post" action={action} class="inline">
                <FormContext csrf={csrf} page={PAGE} />
                <input type="hidden" name="change" value={user.disabled ? "enable" : "disable"} />
                <button
                  type="submit"
                  aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
                >
                  {user.disabled ? "Enable" : "Disable"}
                </button>
              </form>
            </>
          )}
          {locked
            ? (
              <form method="post" action={action} class="inline">
                <FormContext csrf={csrf} page={PAGE} />
                <input type="hidden" name="change" value="unlock" />
                <button type="submit" aria-label={`Unlock ${user.email}`}>Unlock</button>
              </form>
            )
            : null}
        </div>
      </td>
    </tr>
  );
}
