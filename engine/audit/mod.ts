/**
 * The audit log: append-only, hash-chained entries of who changed what, when
 * and why, with before and after.
 *
 * @example
 * ```ts
 * await db.transaction((tx) => appendAudit(tx, { at, actor, action: "token.revoked", subjectType: "token", subjectId: "12" }));
 * const check = await verifyAuditChain(db); // { valid: true, entries: 1, … }
 * ```
 */
export {
  appendAudit,
  type AuditEntry,
  type AuditInput,
  type ChainCheck,
  listAudit,
  verifyAuditChain,
} from "./audit_log.ts";
export { type AuditFacets, auditFacets } from "./facets.ts";
