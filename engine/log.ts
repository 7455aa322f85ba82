/**
 * Structured logging: one JSON object per line, with a level, a message and
 * fields. Never pass secrets or personal data as fields; as a second line of
 * defence, fields named like a credential (`authorization`, `token`,
 * `password`, `secret`, `cookie`, `apiKey`, …) and `Bearer …` values are
 * written as "[redacted]", and passwords in URLs as `user:[redacted]@`.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info" }).child({ component: "health" });
 * log.info("scored customers", { scored: 100 });
 * ```
 */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A structured logger. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of createLogger. */
export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; standard error by default so command output stays clean. */
  write?: (line: string) => void;
  now?: () => Date;
}

const encoder = new TextEncoder();

/** A JSON-lines logger. */
export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => Deno.stderr.writeSync(encoder.encode(line)));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (rank[level] < rank[options.level]) return;
    const line = { time: now().toISOString(), level, message, ...base, ...fields };
    write(JSON.stringify(line, safeReplacer) + "\n");
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** A logger that drops everything, for tests and quiet commands. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/** What a redacted value is written as. */
export const REDACTED = "[redacted]";

// Matched against the key in lower case without separators, so `x-api-key`,
// `api_key` and `apiKey` are all `apikey`; `tokenId` or `tokenPrefix` are not secret.
const SECRET_KEY =
  /(authorization|cookie|password|passwd|passphrase|secret|apikey|privatekey|token|tokens|credentials?)$/;
const BEARER = /^\s*(bearer|basic)\s+\S/i;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi;

function safeReplacer(key: string, value: unknown): unknown {
  if (key !== "" && SECRET_KEY.test(key.toLowerCase().replace(/[^a-z]/g, ""))) {
    // Counts and flags (`tokens: 3`, `password: false`) say nothing secret.
    return typeof value === "string" || typeof value === "object" && value !== null
      ? REDACTED
      : value;
  }
  if (typeof value === "string") {
    return BEARER.test(value) ? REDACTED : value.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  }
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code ? { code } : {}) };
  }
  return value;
}
