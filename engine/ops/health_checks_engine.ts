/** The `engine` component: the database every other component stands on. */
import { type Db, schemaVersion } from "../db/mod.ts";
import type { HealthCheck } from "./health_checks.ts";

/** A round trip slower than this makes every request slow: degraded. */
export const SLOW_DATABASE_MS = 1_000;

/** Is the database reachable, how fast does it answer, which schema does it hold. */
export function databaseCheck(db: Db): HealthCheck {
  return {
    name: "database",
    component: "engine",
    async run() {
      const backend = db.backend === "postgres" ? "PostgreSQL server" : "embedded PGlite";
      const started = performance.now();
      try {
        await db.query("select 1");
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          status: "unhealthy",
          message: `The ${backend} does not answer (${reason}): requests that read or write ` +
            "data fail with 503 until it is back",
          details: { backend: db.backend, reachable: false },
        };
      }
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const [server] = await db.query<{ server_version: string }>("show server_version");
      const details = {
        backend: db.backend,
        reachable: true,
        latencyMs,
        serverVersion: server?.server_version ?? null,
        schemaVersion: await schemaVersion(db),
      };
      if (latencyMs > SLOW_DATABASE_MS) {
        return {
          status: "degraded",
          message: `The ${backend} took ${latencyMs} ms to answer select 1 ` +
            `(more than ${SLOW_DATABASE_MS} ms): look for long queries or an overloaded server`,
          details,
        };
      }
      return { status: "healthy", message: `The ${backend} answers in ${latencyMs} ms`, details };
    },
  };
}
