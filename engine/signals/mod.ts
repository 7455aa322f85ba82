/**
 * Signals in: customers (wedding suppliers), their usage events, and the
 * milestones those events reach.
 *
 * @example
 * ```ts
 * const batch = parseOrThrow(eventBatchSchema(1000), body, { what: "event batch" });
 * const result = await ingestEvents(db, batch.events, { now: clock.now(), limits });
 * ```
 */
export {
  type Customer,
  customerIdSchema,
  type CustomerInput,
  customerInputSchema,
  type CustomerRecord,
  customerRecordSchema,
  vendorTypes,
} from "./customer_schema.ts";
export {
  assertCustomerExists,
  customerColumns,
  customerNotFound,
  type CustomerRow,
  findCustomersByEmail,
  getCustomer,
  type ItemPath,
  lockCustomerDeletion,
  lockCustomerForUpdate,
  lockCustomers,
  readCustomers,
  upsertCustomers,
  type UpsertResult,
} from "./customers.ts";
export {
  CUSTOMER_FIELDS,
  type CustomerPersonalFields,
  emailIndexes,
  openCustomerFields,
  openCustomerRows,
  personalAttributeType,
  sealCustomerFields,
} from "./customer_sealing.ts";
export {
  EVENT_PROPERTIES_FIELD,
  openEventProperties,
  sealEventProperties,
} from "./property_sealing.ts";
export {
  eventBatchSchema,
  knownEventProperties,
  type KnownEventType,
  type UsageEvent,
  usageEventSchema,
} from "./event_schema.ts";
export { type DailyUsageRefresh, refreshDailyUsage } from "./daily_usage.ts";
export { lastActivity } from "./last_activity.ts";
export { eventTimeProblem, ingestEvents, type IngestLimits, type IngestResult } from "./ingest.ts";
export {
  defaultMilestoneCatalog,
  ensureMilestoneCatalog,
  evaluateMilestones,
  getCustomerMilestones,
  listMilestoneDefinitions,
  type MilestoneDefinition,
  milestoneDefinitionSchema,
  type MilestoneProgress,
  type MilestoneScope,
} from "./milestones.ts";
export { ensureEventPartitions, ensurePartitionsFor, monthOf } from "./partitions.ts";
export { type EventPartition, partitionsBefore } from "./retention.ts";
