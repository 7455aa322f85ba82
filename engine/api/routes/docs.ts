/**
 * `GET /api/docs`: the OpenAPI document, browsable. Swagger UI's files come
 * from the pinned swagger-ui-dist npm package and are served by the engine
 * itself, so the page works on a machine without internet access; its
 * Content-Security-Policy lets it load nothing from anywhere else.
 */
import swaggerUiPath from "swagger-ui-dist/absolute-path.js";
import type { Api } from "../deps.ts";
import { EngineError } from "../../errors.ts";

const DOCUMENT_URL = "/api/v1/openapi.json";

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer success engine API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
<noscript>This page needs JavaScript. The API is described at
<a href="${DOCUMENT_URL}">${DOCUMENT_URL}</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the policy can forbid inline scripts.
// validatorUrl null: Swagger UI would otherwise send the document to
// validator.swagger.io for its badge.
const init = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(DOCUMENT_URL)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
`;

// Swagger UI sets inline styles and uses data: images for its icons.
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; " +
  "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const packageFiles: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  gzipped: Uint8Array<ArrayBuffer>;
  type: string;
}

const assets = new Map<string, Promise<Asset>>();

/** Registers the documentation page and its files. */
export function registerDocsRoutes(app: Api): void {
  app.get("/api/docs", (c) => {
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    return c.html(page);
  });

  app.get("/api/docs/:file", async (c) => {
    const name = c.req.param("file");
    let asset = assets.get(name);
    if (!asset) {
      asset = loadAsset(name);
      assets.set(name, asset);
      asset.catch(() => assets.delete(name));
    }
    const { body, gzipped, type } = await asset;
    const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    return c.body(gzip ? gzipped : body, 200, {
      "Content-Type": type,
      "Cache-Control": "public, max-age=3600",
      "X-Content-Type-Options": "nosniff",
      Vary: "Accept-Encoding",
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    });
  });
}

async function loadAsset(name: string): Promise<Asset> {
  let body: Uint8Array<ArrayBuffer>;
  let type: string;
  if (name === "init.js") {
    body = new TextEncoder().encode(init);
    type = "text/javascript; charset=utf-8";
  } else if (Object.hasOwn(packageFiles, name)) {
    body = await Deno.readFile(`${swaggerUiPath()}/${name}`);
    type = packageFiles[name]!;
  } else {
    throw new EngineError(
      "ROUTE_NOT_FOUND",
      `No file ${name} in the API documentation; the page is at /api/docs`,
    );
  }
  // Compressed once: the bundle is 1.7 MB as is, about a third of that gzipped.
  const stream = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
  const gzipped = new Uint8Array(await new Response(stream).arrayBuffer());
  return { body, gzipped, type };
}
