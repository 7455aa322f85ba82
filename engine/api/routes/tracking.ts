/**
 * Tracking, for email: `/t/o/{token}` is the open pixel, `/t/c/{token}` the
 * redirect every link goes through. Public: the signed token is the proof.
 * A token that is not the engine's is a 404 — the redirect never goes
 * anywhere a token did not name.
 */
import { isEngineError } from "../../errors.ts";
import { lazyLinkSigner, readTrackingToken, recordOutcome } from "../../interventions/mod.ts";
import type { Api, ApiDeps } from "../deps.ts";

// The smallest transparent GIF.
const PIXEL = Uint8Array.from(
  atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"),
  (c) => c.charCodeAt(0),
);

/** Registers the open pixel and the click redirect. */
export function registerTrackingRoutes(app: Api, deps: ApiDeps): void {
  const signer = lazyLinkSigner(deps.db, () => deps.clock.now());
  const record = async (tracked: NonNullable<Awaited<ReturnType<typeof readTrackingToken>>>) => {
    try {
      await recordOutcome(deps.db, {
        interventionId: tracked.interventionId,
        kind: tracked.kind,
        detail: tracked.kind === "clicked" ? { url: tracked.to } : {},
        occurredAt: deps.clock.now(),
        source: tracked.kind === "clicked" ? "link" : "pixel",
      });
    } catch (error) {
      // A message whose intervention was deleted since (privacy) still opens and links.
      if (!isEngineError(error, "INTERVENTION_NOT_FOUND")) throw error;
    }
  };
  const notOurs = () =>
    new Response("This link is not recognised", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  app.get("/t/o/:token", async (c) => {
    const tracked = await readTrackingToken(await signer(), c.req.param("token"));
    if (tracked?.kind !== "opened") return notOurs();
    await record(tracked);
    return new Response(PIXEL, {
      headers: { "content-type": "image/gif", "cache-control": "no-store, private" },
    });
  });
  app.get("/t/c/:token", async (c) => {
    const tracked = await readTrackingToken(await signer(), c.req.param("token"));
    if (tracked?.kind !== "clicked") return notOurs();
    await record(tracked);
    return new Response(null, {
      status: 302,
      headers: { location: tracked.to, "cache-control": "no-store, private" },
    });
  });
}
