/**
 * Pages that stay usable when the database is slow: the page is streamed,
 * its frame and headings at once, and each section that reads the database
 * shows "Loading …" until its data arrives (Hono's Suspense puts it in
 * place with a small inline script carrying the response's CSP nonce). A
 * section that fails or takes too long says so in its place, and the rest of
 * the page still works. Without JavaScript the same page comes in one piece.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { renderToReadableStream, StreamingContext, Suspense } from "hono/jsx/streaming";
import { databaseUnavailable } from "../db/mod.ts";
import type { ConsoleEnv } from "./deps.ts";

/** How long a section may wait for the database before it gives up and says so. */
export const SECTION_TIMEOUT_MS = 20_000;

/** A section filled in when `load` answers; `what` names it in "Loading …" and errors. */
export function Deferred<T>(props: {
  what: string;
  load: () => Promise<T>;
  render: (data: T) => Child;
  log: (error: unknown) => void;
}) {
  return (
    <Suspense
      fallback={
        <p class="loading" role="status">
          Loading {props.what}…
        </p>
      }
    >
      <Loaded {...props} />
    </Suspense>
  );
}

async function Loaded<T>(props: {
  what: string;
  load: () => Promise<T>;
  render: (data: T) => Child;
  log: (error: unknown) => void;
}) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const data = await Promise.race([
      props.load(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SectionTimeout()), SECTION_TIMEOUT_MS);
      }),
    ]);
    return <>{props.render(data)}</>;
  } catch (error) {
    if (!(error instanceof SectionTimeout) && !databaseUnavailable(error)) props.log(error);
    return <p class="section-error" role="alert">{failure(props.what, error)}</p>;
  } finally {
    clearTimeout(timer);
  }
}

class SectionTimeout extends Error {}

function failure(what: string, error: unknown): string {
  if (error instanceof SectionTimeout) {
    return `${capital(what)} did not load within ${SECTION_TIMEOUT_MS / 1000} s: the ` +
      "database is answering slowly. The rest of the page works; reload to try again.";
  }
  if (databaseUnavailable(error)) {
    return `${capital(what)} could not be loaded: the database is unreachable. Nothing was ` +
      "changed; reload in a minute.";
  }
  return `${capital(what)} could not be loaded because of an unexpected error (it was logged). ` +
    "The rest of the page works; reload to try again.";
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Streams `page` (a whole document) as the response, with the nonce its
 * scripts need; with `?whole=1` (what `WholePageLink` offers a browser
 * without JavaScript) it is sent in one piece once every section has loaded.
 */
export function streamedPage(
  c: Context<ConsoleEnv>,
  page: Child,
): Response | Promise<Response> {
  if (c.req.query("whole") === "1") return c.html(<>{page}</>);
  const stream = renderToReadableStream(
    <StreamingContext.Provider value={{ scriptNonce: c.get("cspNonce") }}>
      {page}
    </StreamingContext.Provider>,
  );
  return c.body(stream, 200, {
    "Content-Type": "text/html; charset=UTF-8",
  });
}

/** For browsers without JavaScript, which cannot put late sections in place: the page in one piece. */
export function WholePageLink(props: { path: string }) {
  return (
    <noscript>
      <p class="notice">
        Without JavaScript, sections that load late cannot fill in here:{" "}
        <a href={`${props.path}?whole=1`}>open this page in one piece</a>{" "}
        (it appears once everything has loaded).
      </p>
    </noscript>
  );
}
