/** The console's static files: one stylesheet, the script every page loads and each page's own, read once. */
import type { Hono } from "hono";
import type { ConsoleEnv } from "./deps.ts";

const files: Record<string, string> = {
  "console.css": "text/css; charset=utf-8",
  "console.js": "text/javascript; charset=utf-8",
  "live_feed.js": "text/javascript; charset=utf-8",
  "rules.js": "text/javascript; charset=utf-8",
  "template_editor.js": "text/javascript; charset=utf-8",
};

const loaded = new Map<string, Promise<string>>();

/** Registers GET /static/:file. */
export function registerAssets(app: Hono<ConsoleEnv>): void {
  app.get("/static/:file", async (c) => {
    const name = c.req.param("file");
    const type = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!type) return c.text(`No file ${name} in the console`, 404);
    let text = loaded.get(name);
    if (!text) {
      text = Deno.readTextFile(new URL(`./static/${name}`, import.meta.url));
      loaded.set(name, text);
    }
    return c.body(await text, 200, {
      "Content-Type": type,
      "Cache-Control": "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
    });
  });
}
