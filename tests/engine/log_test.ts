import { assertEquals } from "../helpers/assert.ts";
import { createLogger, REDACTED } from "../../engine/log.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: "debug",
    write: (line) => lines.push(JSON.parse(line)),
    now: () => new Date("2026-06-15T12:00:00Z"),
  });
  return { log, lines };
}

Deno.test("the logger writes one JSON object per line with time, level, message and fields", () => {
  const { log, lines } = capture();
  log.child({ component: "api" }).info("request", { requestId: "r-1", status: 200 });
  assertEquals(lines, [{
    time: "2026-06-15T12:00:00.000Z",
    level: "info",
    message: "request",
    component: "api",
    requestId: "r-1",
    status: 200,
  }]);
});

Deno.test("the logger redacts credentials by field name, at any depth", () => {
  const { log, lines } = capture();
  log.warn("outgoing call failed", {
    headers: { Authorization: "Bearer abc.def", "x-api-key": "k-123", accept: "json" },
    token: "cs_live_secret",
    accessToken: "a",
    password: "hunter2",
    clientSecret: "s",
    cookie: "session=1",
    INIT_ADMIN_TOKEN: "0123456789abcdef0123456789abcdef",
    // Not secret: an id, a prefix, a count and a flag.
    tokenId: 42,
    tokenPrefix: "cs_1a2b",
    tokens: 3,
    passwordSet: true,
  });
  assertEquals(lines[0], {
    time: "2026-06-15T12:00:00.000Z",
    level: "warn",
    message: "outgoing call failed",
    headers: { Authorization: REDACTED, "x-api-key": REDACTED, accept: "json" },
    token: REDACTED,
    accessToken: REDACTED,
    password: REDACTED,
    clientSecret: REDACTED,
    cookie: REDACTED,
    INIT_ADMIN_TOKEN: REDACTED,
    tokenId: 42,
    tokenPrefix: "cs_1a2b",
    tokens: 3,
    passwordSet: true,
  });
});

Deno.test("the logger redacts bearer values and passwords in URLs, also inside error messages", () => {
  const { log, lines } = capture();
  log.error("connect failed", {
    header: "Bearer eyJhbGciOi",
    url: "postgres://cs:s3cret@db.internal:5432/cs",
    error: new Error("cannot reach postgresql://admin:pa55@10.0.0.5/cs: refused"),
  });
  assertEquals(lines[0]?.header, REDACTED);
  assertEquals(lines[0]?.url, `postgres://cs:${REDACTED}@db.internal:5432/cs`);
  assertEquals(lines[0]?.error, {
    name: "Error",
    message: `cannot reach postgresql://admin:${REDACTED}@10.0.0.5/cs: refused`,
  });
});
