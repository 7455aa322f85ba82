/**
 * Open and click tracking for email: the HTML part's links go through a
 * signed redirect (`/t/c/{token}`) and a one-pixel image (`/t/o/{token}`)
 * is added. The token carries the intervention and, for a click, where to
 * go, under the engine's link signature: no one can make the engine
 * redirect elsewhere (no open redirect) or count an open for another send.
 */
import type { LinkSigner } from "./links.ts";

// href="…" and href='…' to http(s) addresses; mailto:, #anchors and the rest stay.
const HREF = /href=(["'])(https?:\/\/[^"']+)\1/gi;

/** `html` with its links tracked and the open pixel added. */
export async function trackedHtml(
  html: string,
  options: {
    signer: LinkSigner;
    publicUrl: string;
    interventionId: number;
    /** Links left as they are (the unsubscribe link). */
    untracked: readonly string[];
  },
): Promise<string> {
  const base = options.publicUrl.replace(/\/+$/, "");
  const id = String(options.interventionId);
  const links = new Map<string, string>();
  for (const match of html.matchAll(HREF)) {
    const url = unescapeHtml(match[2]!);
    if (links.has(url) || options.untracked.includes(url)) continue;
    links.set(url, `${base}/t/c/${await options.signer.sign({ u: "click", i: id, to: url })}`);
  }
  const linked = html.replace(HREF, (whole, quote: string, href: string) => {
    const tracked = links.get(unescapeHtml(href));
    return tracked === undefined ? whole : `href=${quote}${tracked}${quote}`;
  });
  const pixel = `<img src="${base}/t/o/${await options.signer.sign({ u: "open", i: id })}" ` +
    `width="1" height="1" alt="" style="display:none">`;
  return /<\/body>/i.test(linked) ? linked.replace(/<\/body>/i, `${pixel}</body>`) : linked + pixel;
}

/** What a tracking token says: an open, or a click and where it goes. */
export type Tracked =
  | { kind: "opened"; interventionId: number }
  | { kind: "clicked"; interventionId: number; to: string };

/** The open or click a token records, or null when it is not one of ours. */
export async function readTrackingToken(
  signer: LinkSigner,
  token: string,
): Promise<Tracked | null> {
  const payload = await signer.verify(token);
  const interventionId = Number(payload?.i);
  if (!payload || !Number.isSafeInteger(interventionId) || interventionId < 1) return null;
  if (payload.u === "open") return { kind: "opened", interventionId };
  if (payload.u === "click" && typeof payload.to === "string" && /^https?:\/\//.test(payload.to)) {
    return { kind: "clicked", interventionId, to: payload.to };
  }
  return null;
}

// Handlebars escapes `&` in attribute values; the address itself has a plain `&`.
function unescapeHtml(text: string): string {
  return text.replaceAll("&amp;", "&").replaceAll("&#x3D;", "=").replaceAll("&#x27;", "'");
}
