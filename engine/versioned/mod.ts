/**
 * Versioned documents: the life cycle rules and intervention templates
 * share (draft → publish → rollback → archive, with revisions, version rows
 * and audit entries). A kind names its tables, codes and words; the steps
 * here are the same for every kind.
 *
 * @example
 * ```ts
 * const rule = await archiveDocument(db, RULES, "low-health", 3, change);
 * const history = await listVersions(db, RULES, "low-health");
 * ```
 */
export type {
  DocumentChange,
  KindNames,
  Version,
  VersionedDocument,
  VersionedKind,
  VersionSnapshot,
} from "./kind.ts";
export { capitalized } from "./errors.ts";
export {
  assertExists,
  type DocumentPageOptions,
  listDocuments,
  readDocument,
} from "./documents.ts";
export { etagOf, lockRevision } from "./revision.ts";
export { auditChange } from "./audit.ts";
export { listVersions, type PublishOptions, publishVersion, readVersion } from "./versions.ts";
export {
  archiveDocument,
  createDocument,
  editDraft,
  publishDraft,
  rollbackDocument,
  type Statement,
} from "./lifecycle.ts";
