/**
 * The offline plugin: a sync protocol for clients that work offline (a
 * supplier's app at a venue without signal, a success manager's laptop at a
 * wedding fair). Clients pull a feed of their customers' changes with a
 * cursor (GET /plugins/offline/changes), push what they queued with an
 * idempotency key per item (POST /plugins/offline/push), and are told of new
 * changes through OFFLINE_SYNC_ENDPOINT when it is set. README.md describes
 * the protocol.
 *
 * @example
 * ```ts
 * const offline = firstParty(manifest, createOfflinePlugin({ clock }), "plugins/offline");
 * const run = await startPluginForTest({ plugin: offline, db });
 * const page = await (await run.request("/changes?limit=100")).json();
 * ```
 */
import { type Clock, systemClock } from "../../engine/clock.ts";
import { definePlugin, type PluginDefinition } from "../../engine/plugins/mod.ts";
import { announcers } from "./announce.ts";
import { heldBack } from "./log_sql.ts";
import { eraseOfflineData, exportOfflineData } from "./privacy.ts";
import { offlineRoutes } from "./routes.ts";
import { type OfflineSettings, offlineSettings } from "./settings.ts";

export type { Announcement } from "./announce.ts";
export type { FinalAnswer, ItemAnswer, ListedAnswer, OriginalAnswer } from "./answers.ts";
export type { Change, ChangesPage } from "./changes.ts";
export type { PushResult } from "./push.ts";
export type { CustomerSnapshot } from "./snapshot_sql.ts";
export { type OfflineSettings, offlineSettings } from "./settings.ts";

/** Events held back by an open transaction for longer than this make the plugin degraded. */
const HELD_BACK_ALERT_SECONDS = 300;

/** The plugin, reading the time from `clock` (the system clock by default). */
export function createOfflinePlugin(
  options: { clock?: Clock } = {},
): PluginDefinition<OfflineSettings> {
  const clock = options.clock ?? systemClock;
  return definePlugin({
    settings: offlineSettings,
    setup(context, settings) {
      if (!context.engine) {
        throw new Error("the offline plugin reads the engine's database: load it first-party");
      }
      const db = context.engine.db;
      if (settings.announceUrl === null) {
        context.log.info("offline: announcements off, OFFLINE_SYNC_ENDPOINT is not set");
      }
      return {
        on: announcers(settings),
        routes: (app) => offlineRoutes(app, { db, clock, settings }),
        exportCustomer: ({ customerId }) => exportOfflineData(db, customerId),
        eraseCustomer: ({ customerId }) => eraseOfflineData(db, customerId),
        async health() {
          // The feed hands out only finished transactions: one left open holds every client back.
          const held = await heldBack(db);
          if (held.events > 0 && held.waitedSeconds > HELD_BACK_ALERT_SECONDS) {
            return {
              status: "degraded",
              detail: `${held.events} event(s) have waited ${Math.round(held.waitedSeconds)} s ` +
                "behind a database transaction still open; clients receive them once it ends",
            };
          }
          return { status: "healthy", detail: "the feed is up to date with the event log" };
        },
      };
    },
  });
}

export default createOfflinePlugin();
