/**
 * The HTTP API: one Hono app, zod-validated requests, OpenAPI 3.1 document at
 * `/api/v1/openapi.json`, and errors as `application/problem+json`.
 *
 * @example
 * ```ts
 * const app = createApi({ db, clock, config, log, cycles });
 * Deno.serve({ port: config.PORT }, app.fetch);
 * ```
 */
export { createApi } from "./app.ts";
export type { Api, ApiDeps, ApiEnv } from "./deps.ts";
export {
  asEngineError,
  type Problem,
  problemOf,
  problemResponse,
  problemSchema,
  statusOf,
  stoppingResponse,
} from "./problem.ts";
