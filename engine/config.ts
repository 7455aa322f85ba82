/**
 * The engine's configuration: read from the environment once, parsed with
 * zod, frozen, and passed to whatever needs it. docs/configuration.md lists
 * every variable.
 *
 * @example
 * ```ts
 * const config = loadConfig(Deno.env.toObject());
 * ```
 */
import { z } from "zod";
import { EngineError } from "./errors.ts";
import { zodIssues } from "./validation.ts";
import { cronProblem } from "./cron_expression.ts";

const booleanFlag = z.enum(["true", "false", "1", "0", "yes", "no"], {
  error: "must be true or false",
}).transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = z.coerce.number({ error: "must be a whole number" }).int(
  "must be a whole number",
).positive("must be greater than 0");

const cronExpression = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

const configSchema = z.object({
  DATABASE_URL: z.url({
    protocol: /^postgres(ql)?$/,
    error: "must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/db",
  }).optional(),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  DATA_DIR: z.string().min(1).default(".data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535).default(
    8080,
  ),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  CUSTOMER_SUCCESS_ENABLED: booleanFlag.default(true),
  DEMO_DATA: z.enum(["auto", "true", "false"]).default("auto"),
  DEMO_CUSTOMERS: positiveInt.default(500),
  CYCLE_SCHEDULE: cronExpression.default("0 * * * *"),
  CYCLE_LEASE_SECONDS: positiveInt.default(60),
  SCORING_BATCH_SIZE: positiveInt.max(100_000).default(5_000),
  SCORING_CONCURRENCY: positiveInt.max(16).default(2),
  HEALTH_CHANGE_THRESHOLD: z.coerce.number().min(0).max(100).default(5),
  EVENT_BATCH_LIMIT: positiveInt.max(10_000).default(1_000),
  EVENT_FUTURE_TOLERANCE_SECONDS: z.coerce.number().int().min(0).default(300),
  DATA_RETENTION_DAYS: positiveInt.default(730),
  REQUEST_BODY_LIMIT_BYTES: positiveInt.default(5 * 1024 * 1024),
});

/** The parsed, frozen configuration. */
export type Config = Readonly<z.output<typeof configSchema>>;

/**
 * Parses the environment into a Config, or throws CONFIG_INVALID with one
 * issue per bad variable. Empty strings count as unset.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.keys(configSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") input[key] = value.trim();
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new EngineError(
      "CONFIG_INVALID",
      `Invalid configuration: ${issues.length} environment variable(s) must be fixed`,
      { issues },
    );
  }
  return Object.freeze(result.data);
}

/** Where the engine keeps its data, for messages: the PostgreSQL server or the PGlite folder. */
export function describeStorage(config: Config): string {
  if (config.DATABASE_URL === undefined) {
    return `embedded PostgreSQL (PGlite) in ${config.DATA_DIR}`;
  }
  const url = new URL(config.DATABASE_URL);
  return `PostgreSQL at ${url.hostname}:${url.port || "5432"}${url.pathname}`;
}
