/** The offline plugin behind the engine's API over a fresh test database, and a client's sync. */
// First: the API's schemas extend zod (@hono/zod-openapi), which must happen before any schema
// the API uses is made (engine/signals' are made on import).
import { type ApiResponse, type ApiTest, withApi } from "../../helpers/api.ts";
import { createToken, type Role } from "../../../engine/access/mod.ts";
import type { Clock } from "../../../engine/clock.ts";
import type { Db } from "../../../engine/db/mod.ts";
import { firstParty, type FirstPartyPlugin } from "../../../engine/plugins/mod.ts";
import { type CustomerRecord, upsertCustomers } from "../../../engine/signals/mod.ts";
import manifest from "../../../plugins/offline/plugin.json" with { type: "json" };
import { type Change, createOfflinePlugin } from "../../../plugins/offline/mod.ts";
import { assertEquals } from "../../helpers/assert.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";

/** The offline plugin reading time from `clock`. */
export function offlinePlugin(clock: Clock = { now: () => NOW }): FirstPartyPlugin {
  return firstParty(manifest, createOfflinePlugin({ clock }), "plugins/offline");
}

/** A caller: its token's secret and the key its assignments are kept under. */
export interface Client {
  secret: string;
  key: string;
  role: Role;
}

/** What a test gets. */
export interface OfflineTest {
  api: ApiTest;
  db: Db;
  /** A new API token of `role`, as a client of the feed. */
  client(role: Role): Promise<Client>;
  /** Calls a route as `client` (an admin when not given); `body` is sent as JSON. */
  call(
    method: string,
    path: string,
    options?: { as?: Client; body?: unknown },
  ): Promise<ApiResponse>;
}

/** Runs `fn` against the engine's API with only the offline plugin running. */
export async function withOffline(
  fn: (test: OfflineTest) => Promise<void>,
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<void> {
  const clock = options.clock ?? { now: () => NOW };
  await withApi(async (api) => {
    let count = 0;
    const client = async (role: Role): Promise<Client> => {
      const { token, info } = await createToken(api.db, { name: `${role}-${++count}`, role }, {
        actor: "test",
        now: clock.now(),
      });
      return { secret: token, key: `token:${info.id}`, role };
    };
    const call: OfflineTest["call"] = (method, path, callOptions = {}) =>
      api.call(
        method,
        path,
        callOptions.body,
        callOptions.as ? { authorization: `Bearer ${callOptions.as.secret}` } : {},
      );
    await fn({ api, db: api.db, client, call });
  }, {
    clock,
    plugins: [offlinePlugin(clock)],
    defaultTemplates: false,
    ...options.env ? { env: options.env } : {},
  });
}

/** Creates (or replaces) customers, each with a `customer.updated` event. */
export async function addCustomers(
  db: Db,
  ids: readonly string[],
  fields: Partial<CustomerRecord> = {},
): Promise<void> {
  await upsertCustomers(db, ids.map((id) => customer(id, fields)), { now: NOW });
}

/** Assigns `customerIds` to `client` as an admin; asserts it worked. */
export async function assign(
  test: OfflineTest,
  client: Client,
  customerIds: readonly string[],
): Promise<void> {
  const answer = await test.call("PUT", `/plugins/offline/assignments/${client.key}`, {
    body: { customerIds },
  });
  assertEquals(answer.status, 200, JSON.stringify(answer.body));
}

/** One page of the feed. */
export interface Page {
  changes: Change[];
  cursor: string;
  hasMore: boolean;
}

/** Reads one page after `cursor` (null: a first sync); asserts it was answered. */
export async function page(
  test: OfflineTest,
  as: Client,
  cursor: string | null,
  limit = 100,
): Promise<Page> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor !== null) query.set("cursor", cursor);
  const answer = await test.call("GET", `/plugins/offline/changes?${query}`, { as });
  assertEquals(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as Page;
}

/** Reads pages until one has no more; returns every change, the last cursor and the pages read. */
export async function syncAll(
  test: OfflineTest,
  as: Client,
  cursor: string | null,
  limit = 100,
): Promise<{ changes: Change[]; cursor: string; pages: number }> {
  const changes: Change[] = [];
  let pages = 0;
  for (;;) {
    const next = await page(test, as, cursor, limit);
    pages++;
    changes.push(...next.changes);
    cursor = next.cursor;
    if (!next.hasMore) return { changes, cursor, pages };
    if (pages > 10_000) throw new Error("The feed never ends");
  }
}

/**
 * Waits until every event in the log is finished for everyone (below the
 * horizon), so a first sync's snapshot starts after them and they are not
 * sent again as events. On a PostgreSQL server shared with other test runs,
 * a transaction open in another database holds the horizon back a moment.
 */
export async function settled(db: Db): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await db.query<{ done: boolean }>(
      `select coalesce(pg_snapshot_xmin(pg_current_snapshot()) > max(tx_id), true) as done
       from event_log`,
    );
    if (row?.done) return;
    if (Date.now() > deadline) throw new Error("The event log's horizon did not pass in 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Syncs until `done` holds for the changes read, for at most 10 s. The log's
 * horizon is the server's: on a PostgreSQL server shared with other test runs,
 * a transaction open in another database holds our events back for a moment.
 */
export async function syncUntil(
  test: OfflineTest,
  as: Client,
  cursor: string | null,
  done: (changes: readonly Change[]) => boolean,
  limit = 100,
): Promise<{ changes: Change[]; cursor: string; pages: number }> {
  const deadline = Date.now() + 10_000;
  const changes: Change[] = [];
  let pages = 0;
  for (;;) {
    const read = await syncAll(test, as, cursor, limit);
    changes.push(...read.changes);
    cursor = read.cursor;
    pages += read.pages;
    if (done(changes)) return { changes, cursor, pages };
    if (Date.now() > deadline) {
      throw new Error(`Not caught up after 10 s; read ${changes.length} changes`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a change is about, shortly: `customer:sup_1`, `event:12`, `removed:sup_2`. */
export function describe(change: Change): string {
  switch (change.kind) {
    case "customer":
      return `customer:${change.snapshot.customer.id}`;
    case "removed":
      return `removed:${change.customerId}`;
    case "event":
      return `event:${change.event.id}`;
  }
}

/** The ids of the events among `changes`, in order. */
export function eventIds(changes: readonly Change[]): number[] {
  return changes.flatMap((c) => c.kind === "event" ? [c.event.id] : []);
}
