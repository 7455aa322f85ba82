/**
 * The baseline server of bench/api_load.ts: a bare Hono app on Deno.serve, in
 * its own process like the engine, answering the same requests the engine
 * gets with the least work Hono allows — "Hello, World!" for the health path,
 * and for an event batch only parsing the JSON body. The difference to the
 * engine is then what the engine itself costs.
 *
 *   deno run --allow-net bench/api/hello_world.ts   # prints "listening on http://127.0.0.1:PORT"
 */
import { Hono } from "hono";

const app = new Hono();
app.get("/api/v1/customers/:id/health", (c) => c.text("Hello, World!"));
app.post("/api/v1/events", async (c) => {
  const body = await c.req.json<{ events: unknown[] }>();
  return c.json({ accepted: body.events.length });
});

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
}, app.fetch);
