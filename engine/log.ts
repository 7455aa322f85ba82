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

/** A JSON-lines logger. */
export function createLogger(options: LoggerOptions, base: LogFields = {}): Logger {
  const write = options.write ?? stderrLines.write;
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (rank[level] < rank[options.level]) return;
    const line = { time: now().toISOString(), level, message, ...base, ...fields };
    // A replacer takes V8 off its fast path: use it only when something may need redacting.
    write(JSON.stringify(line, mayHoldSecrets(line) ? safeReplacer : undefined) + "\n");
    if (rank[level] >= rank.warn && write === stderrLines.write) stderrLines.flush();
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/**
 * Standard error, written a batch of lines at a time: one write per request
 * took a tenth of the engine's CPU under load (bench/README.md, "API load").
 * Lines wait at most until the next turn of the event loop; warnings and
 * errors go out at once with everything before them, and whatever is left
 * goes out when the process exits, so a crash report is never held back.
 */
const stderrLines = (() => {
  const encoder = new TextEncoder();
  const FLUSH_AT = 64 * 1024;
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === "") return;
    const text = pending;
    pending = "";
    const bytes = encoder.encode(text);
    // writeSync may write part of a large buffer (a pipe that is full).
    for (let written = 0; written < bytes.length;) {
      written += Deno.stderr.writeSync(bytes.subarray(written));
    }
  };
  globalThis.addEventListener("unload", flush);
  return {
    write(line: string) {
      pending += line;
      if (pending.length >= FLUSH_AT) flush();
      else if (timer === undefined) {
        const scheduled = setTimeout(flush, 0);
        // Pending lines must not keep the process alive: unload writes them.
        Deno.unrefTimer(scheduled);
        timer = scheduled;
      }
    },
    flush,
  };
})();

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

// Whether a key names a secret, remembered: a request's log line has the same
// few keys every time, and the replacer runs for each of them.
const secretKeys = new Map<string, boolean>();
const SECRET_KEYS_REMEMBERED = 1_000;

function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key.toLowerCase().replace(/[^a-z]/g, ""));
    if (secretKeys.size < SECRET_KEYS_REMEMBERED) secretKeys.set(key, secret);
  }
  return secret;
}

/**
 * False when `line` is flat and no key or string in it is one safeReplacer
 * would change: the usual request line. Anything nested goes through it.
 */
function mayHoldSecrets(line: LogFields): boolean {
  for (const key in line) {
    const value = line[key];
    if (isSecretKey(key)) return true;
    if (typeof value === "string") {
      if (BEARER.test(value) || value.includes("@")) return true;
    } else if (typeof value === "object" && value !== null) return true;
  }
  return false;
}

function safeReplacer(key: string, value: unknown): unknown {
  if (key !== "" && isSecretKey(key)) {
    // Counts and flags (`tokens: 3`, `password: false`) say nothing secret.
    return typeof value === "string" || typeof value === "object" && value !== null
      ? REDACTED
      : value;
  }
  if (typeof value === "string") {
    if (BEARER.test(value)) return REDACTED;
    return value.includes("@") ? value.replace(URL_PASSWORD, `$1:${REDACTED}@`) : value;
  }
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code ? { code } : {}) };
  }
  return value;
}
