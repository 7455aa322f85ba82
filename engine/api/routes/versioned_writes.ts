/**
 * The request side of a change to a versioned document (a rule, a
 * template): the revision its If-Match names, who writes, and why; and the
 * ETag that rides on every answer showing one document.
 */
import type { Context } from "hono";
import { EngineError } from "../../errors.ts";
import { etagOf, type KindNames } from "../../versioned/mod.ts";
import { changeOf } from "../actor.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";

/** The revision a write's If-Match names, and who writes why. */
export function writeOf(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  kind: KindNames,
  id: string,
  reason: string | undefined,
) {
  return {
    revision: revisionOf(c.req.header("if-match"), kind, id),
    change: { ...changeOf(c, deps.clock), reason: reason ?? null },
  };
}

/**
 * The revision an If-Match header names for document `id`:
 * IF_MATCH_REQUIRED or ETAG_MISMATCH otherwise.
 */
export function revisionOf(ifMatch: string | undefined, kind: KindNames, id: string): number {
  const { subject, path } = kind;
  if (ifMatch === undefined) {
    throw new EngineError(
      "IF_MATCH_REQUIRED",
      `Changing ${subject} "${id}" needs If-Match: GET ${path}/${id} and send its ETag back`,
    );
  }
  // The characters of every kind's ids: an ETag naming another id, of whatever kind, is not
  // one of this document.
  const match = /^"([a-z0-9_-]+)\.(\d{1,9})"$/.exec(ifMatch.trim());
  if (!match || match[1] !== id) {
    throw new EngineError(
      "ETAG_MISMATCH",
      `If-Match ${ifMatch} is not an ETag of ${subject} "${id}"; GET ${path}/${id} gives it`,
    );
  }
  return Number(match[2]);
}

/** `document`, with its ETag set on the answer. */
export function tagged<V extends { id: string; revision: number }>(
  c: Context<ApiEnv>,
  document: V,
): V {
  c.header("ETag", etagOf(document));
  return document;
}
