import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { openPostgres } from "../../../engine/db/mod.ts";
import { connectSocket } from "../../../engine/db/postgres_socket.ts";
import { backend } from "../../helpers/db.ts";

// The server the PostgreSQL run of the suite uses (DATABASE_URL); without it these are skipped.
const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SERVER = { host: new URL(url).hostname, port: Number(new URL(url).port || 5432) };
const onPostgres = { ignore: backend !== "postgres" };

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: "the engine's own sockets reach PostgreSQL, and a COPY then a query answer",
  ...onPostgres,
}, async () => {
  const db = await openPostgres(url, { poolSize: 1 });
  try {
    await db.transaction(async (tx) => {
      await tx.exec("create temporary table copied (n int) on commit drop");
      await tx.copyRows("copied", ["n"], [[1], [2], [3]]);
      const [sum] = await tx.query<{ total: number }>("select sum(n)::int as total from copied");
      assertEquals(sum?.total, 6);
    });
  } finally {
    await db.close();
  }
});

Deno.test("a refused connection is DATABASE_UNAVAILABLE, saying so", async () => {
  const port = closedPort();
  const error = await assertRejects(
    () => openPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { poolSize: 1 }),
    EngineError,
  );
  assertEquals(error.code, "DATABASE_UNAVAILABLE");
  assertEquals(error.message.includes(`127.0.0.1:${port}`), true);
  assertEquals(error.message.includes("connection refused"), true);
});

Deno.test(
  { name: "connectSocket fails with the socket's own error code", ...onPostgres },
  async () => {
    const port = closedPort();
    const error = await assertRejects(
      () => connectSocket({ host: ["127.0.0.1"], port: [port] }, 5),
      Error,
    );
    assertEquals((error as { code?: string }).code, "ECONNREFUSED");
    const socket = await connectSocket({ host: [SERVER.host], port: [SERVER.port] }, 5);
    assertEquals(socket.remotePort, SERVER.port);
    socket.destroy();
  },
);
