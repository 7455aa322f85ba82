/**
 * `/unsubscribe/{token}`: the signed link in every intervention. GET shows a
 * page with one button (mail scanners follow links; they do not press
 * buttons), POST unsubscribes — also what List-Unsubscribe-Post one-click
 * (RFC 8058) sends. No token is needed: the link itself is the proof.
 */
import { lazyLinkSigner, readUnsubscribeToken, unsubscribe } from "../../interventions/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";

const CHANNEL_NAMES: Record<string, string> = {
  email: "emails",
  slack: "Slack messages",
  webhook: "messages",
  "in-app": "in-app messages",
};

function page(title: string, body: string, status: 200 | 404): Response {
  return new Response(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
${body}
</body></html>
`,
    {
      status,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy":
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      },
    },
  );
}

const unknown = () =>
  page(
    "Link not recognised",
    "<h1>This link is not recognised</h1><p>It may have been cut short. Use the whole link from the message.</p>",
    404,
  );

/** Registers the unsubscribe page and its one-click endpoint. */
export function registerUnsubscribeRoutes(app: Api, deps: ApiDeps): void {
  const signer = lazyLinkSigner(deps.db, () => deps.clock.now());
  const target = async (token: string) => readUnsubscribeToken(await signer(), token);
  app.get("/unsubscribe/:token", async (c) => {
    const found = await target(c.req.param("token"));
    if (!found) return unknown();
    const what = CHANNEL_NAMES[found.channel] ?? "messages";
    return page(
      "Unsubscribe",
      `<h1>Unsubscribe</h1><p>Stop ${what} from your success team?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`,
      200,
    );
  });
  app.post("/unsubscribe/:token", async (c) => {
    const found = await target(c.req.param("token"));
    if (!found) return unknown();
    await unsubscribe(deps.db, found, { now: deps.clock.now(), source: "link" });
    const what = CHANNEL_NAMES[found.channel] ?? "messages";
    return page(
      "Unsubscribed",
      `<h1>You are unsubscribed</h1><p>You will get no more ${what} from us.</p>`,
      200,
    );
  });
}
