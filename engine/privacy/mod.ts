/**
 * Privacy: requests (access, deletion, portability) with their tombstones,
 * the retention job (DATA_RETENTION_DAYS) and encryption of personal data at
 * rest (encryption/mod.ts, re-exported here). DESIGN.md, "privacy/".
 *
 * @example
 * ```ts
 * const request = await createPrivacyRequest(db, { type: "deletion", customerId, requestedBy, now });
 * await processPrivacyRequests(db, { holders: pluginHost, now: () => new Date() });
 * const report = await runRetention(db, { retentionDays: 730, now: () => new Date() });
 * ```
 */
export { type CustomerExport, EXPORT_SCHEMA_VERSION, exportCustomer } from "./customer_export.ts";
export { eraseCustomer, type ErasureOutcome, type ErasureResult } from "./erase_customer.ts";
export {
  noPersonalDataHolders,
  type PersonalDataHolders,
  type RowsByTable,
} from "./personal_data.ts";
export {
  type ManifestFile,
  portabilityArchive,
  type PortabilityManifest,
} from "./portability_archive.ts";
export {
  createPrivacyRequest,
  getPrivacyRequest,
  listPrivacyRequests,
  overduePrivacyRequests,
  PRIVACY_DUE_DAYS,
  PRIVACY_EXPORT_DAYS,
  type PrivacyRequest,
  type PrivacyRequestStatus,
  privacyRequestStatuses,
  type PrivacyRequestType,
  privacyRequestTypes,
} from "./privacy_requests.ts";
export { processPrivacyRequests } from "./request_processing.ts";
export {
  PRIVACY_REQUEST_JOB,
  type PrivacyRequestDeps,
  runScheduledPrivacyRequests,
  schedulePrivacyRequests,
} from "./request_schedule.ts";
export { type DigestKind, personDigest } from "./tombstone_digest.ts";
export { assertNotErased, customerErased, erasedAmong } from "./tombstones.ts";
export {
  retentionCutoff,
  type RetentionOptions,
  type RetentionReport,
  runRetention,
} from "./retention.ts";
export type { PluginTable } from "./retention_batches.ts";
export {
  lastRetentionRun,
  type RemovedFrom,
  type RetentionRun,
  type RetentionTrigger,
} from "./retention_runs.ts";
export {
  RETENTION_JOB,
  type RetentionDeps,
  runScheduledRetention,
  scheduleRetention,
} from "./retention_schedule.ts";
export * from "./encryption/mod.ts";
