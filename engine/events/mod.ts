/**
 * The domain event log: every change worth telling plugins about
 * (`milestone.achieved`, `health.changed`, `customer.updated`, …) is appended
 * to `event_log` in the transaction of the change that caused it. The event
 * hub (engine/plugins) routes it onwards.
 *
 * @example
 * ```ts
 * await appendDomainEvents(tx, [{ type: "customer.updated", customerId: "sup_1", payload: {}, occurredAt: now }]);
 * const { events } = await readDomainEvents(db, { customerId: "sup_1" });
 * ```
 */
export {
  appendDomainEvents,
  type DomainEvent,
  type DomainEventType,
  domainEventTypes,
  readDomainEvents,
  type StoredDomainEvent,
} from "./event_log.ts";
export { type EventLogSummary, eventLogSummary } from "./summary.ts";
