/**
 * The errors of the versioned life cycle, worded once for every kind: the
 * codes are the kind's own (RULE_NOT_FOUND, TEMPLATE_NOT_FOUND), the hints
 * point to the kind's routes.
 */
import { EngineError } from "../errors.ts";
import type { KindNames } from "./kind.ts";

/** The kind's name at the start of a sentence: "Rule". */
export function capitalized(kind: Pick<KindNames, "subject">): string {
  return kind.subject.charAt(0).toUpperCase() + kind.subject.slice(1);
}

/** No document `id` of this kind. */
export function notFound(kind: KindNames, id: string): EngineError {
  return new EngineError(
    kind.codes.notFound,
    `No ${kind.subject} "${id}": GET ${kind.path} lists them; POST ${kind.path} creates one`,
  );
}

/** Document `id` has no version `version`. */
export function versionNotFound(kind: KindNames, id: string, version: number): EngineError {
  return new EngineError(
    kind.codes.versionNotFound,
    `${capitalized(kind)} "${id}" has no version ${version}; GET ${kind.path}/${id}/versions ` +
      "lists them",
  );
}

/** The id of a new document is taken. */
export function exists(kind: KindNames, id: string): EngineError {
  return new EngineError(
    kind.codes.exists,
    `A ${kind.subject} "${id}" exists already: edit it with PUT ${kind.path}/${id}, or choose ` +
      "another id",
  );
}

/** Document `id` is archived, so it cannot be edited or published. */
export function archived(kind: KindNames, id: string): EngineError {
  return new EngineError(
    kind.codes.archived,
    `${capitalized(kind)} "${id}" is archived: it can no longer be edited or published. Create ` +
      `a new ${kind.subject}, or roll this one back to a version to ${kind.use} it again`,
  );
}

/** Document `id` has no draft, and version `version` is published. */
export function nothingToPublish(kind: KindNames, id: string, version: number | null): EngineError {
  return new EngineError(
    kind.codes.nothingToPublish,
    `${capitalized(kind)} "${id}" has no draft: version ${version} is published already. Edit ` +
      "it (PUT) to make a draft, or roll back to an earlier version",
  );
}
