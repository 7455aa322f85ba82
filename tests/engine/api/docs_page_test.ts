/**
 * `/api/docs`: served by the engine, public, and rendered by a real Chromium
 * that may load nothing but the engine's own files.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { hasChromium, launchChromium } from "../../helpers/browser.ts";
import { withApi } from "../../helpers/api.ts";

Deno.test("/api/docs and its files are public, and the page may load only the engine's own files", async () => {
  await withApi(async (api) => {
    const page = await api.call("GET", "/api/docs", undefined, { authorization: "" });
    assertEquals(page.status, 200);
    assertMatch(page.headers.get("content-type")!, /^text\/html/);
    assertMatch(page.body, /<script src="\/api\/docs\/swagger-ui-bundle.js"><\/script>/);
    const policy = page.headers.get("content-security-policy")!;
    assertMatch(policy, /default-src 'self'/);
    assertMatch(policy, /script-src 'self';/);

    const bundle = await api.app.request("/api/docs/swagger-ui-bundle.js");
    assertEquals(bundle.status, 200);
    assertEquals(bundle.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert((await bundle.arrayBuffer()).byteLength > 1_000_000, "the whole Swagger UI bundle");
    const gzipped = await api.app.request("/api/docs/swagger-ui.css", {
      headers: { "accept-encoding": "gzip, br" },
    });
    assertEquals(gzipped.headers.get("content-encoding"), "gzip");
    const css = await new Response(gzipped.body!.pipeThrough(new DecompressionStream("gzip")))
      .text();
    assertMatch(css, /\.swagger-ui/);
    const init = await api.app.request("/api/docs/init.js");
    assertMatch(await init.text(), /url: "\/api\/v1\/openapi.json"/);

    const missing = await api.call("GET", "/api/docs/../../etc/passwd");
    assertEquals(missing.status, 404);
    const unknown = await api.call("GET", "/api/docs/package.json", undefined, {
      authorization: "",
    });
    assertEquals([unknown.status, unknown.body.code], [404, "ROUTE_NOT_FOUND"]);
  });
});

Deno.test({
  name: "/api/docs renders every route in a real Chromium, with no request leaving the engine",
  ignore: !hasChromium,
  fn: async () => {
    await withApi(async (api) => {
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, api.app.fetch);
      const origin = `http://127.0.0.1:${server.addr.port}`;
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const elsewhere: string[] = [];
        const problems: string[] = [];
        page.on("request", (request) => {
          const url = request.url();
          if (!url.startsWith(origin) && !url.startsWith("data:")) elsewhere.push(url);
        });
        page.on("console", (message) => {
          if (message.type() === "error") problems.push(message.text());
        });
        page.on("pageerror", (error) => problems.push(error.message));
        await page.goto(`${origin}/api/docs`);
        await page.waitForSelector(".opblock", { timeout: 30_000 });
        const title = await page.textContent(".info .title");
        assertMatch(title ?? "", /Customer success engine API/);
        const operations = await page.$$eval(
          ".opblock-summary-path",
          (nodes) => nodes.map((node) => node.getAttribute("data-path") ?? node.textContent),
        );
        for (
          const path of [
            "/api/customer-success/health",
            "/api/customer-success/health/ml",
            "/api/v1/events",
            "/api/v1/customers/{id}/health",
            "/api/v1/cycles",
          ]
        ) {
          assert(operations.includes(path), `${path} is listed (listed: ${operations.join(", ")})`);
        }
        assertEquals(elsewhere, []);
        assertEquals(problems, []);
        const screenshot = Deno.env.get("DOCS_SCREENSHOT");
        if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
      } finally {
        await browser.close();
        await server.shutdown();
      }
    });
  },
});
