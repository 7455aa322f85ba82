/**
 * Interventions: the planner and its policies (cooldown, frequency cap,
 * priority, quiet hours, suppression, holdout), the decisions recorded in
 * `success_interventions`, and the outbox delivery works from.
 *
 * @example
 * ```ts
 * const result = await planBatch(tx, { after: "", last: "sup_0005000" }, {
 *   cycleId, asOf, policy: interventionPolicy(config), capabilities,
 * });
 * ```
 */
export { emailProblem, type InterventionPolicy, interventionPolicy } from "./policy.ts";
export { holdoutPosition } from "../rules/mod.ts";
export { parseQuietHours, type QuietHours, sendTime } from "../quiet_hours.ts";
export {
  type Capabilities,
  type CustomerState,
  type Decision,
  planCustomer,
  type Proposal,
  type SuppressionReason,
} from "./planner.ts";
export { idempotencyKey, planBatch, type PlanBatchResult } from "./plan_batch.ts";
export { capabilitiesOf, type PlanParams, planParams } from "./plan_stage.ts";
export {
  type TemplateContext,
  templateContextSchema,
  templateVariables,
} from "./template_context.ts";
export {
  deliverToInbox,
  type InboxDelivery,
  type InboxMessage,
  listInbox,
  markInboxRead,
} from "./inbox.ts";
export {
  getIntervention,
  type Intervention,
  type InterventionFilters,
  listInterventions,
  replayDeadLetters,
  type ReplayFilters,
  retryIntervention,
} from "./store.ts";
export { claimDueSends, type ClaimedSend, recordSendResults, type SendResult } from "./outbox.ts";
export {
  Dispatcher,
  type DispatcherOptions,
  type DispatchPass,
  type MessageBuilder,
} from "./dispatcher.ts";
export { lazyLinkSigner, type LinkSigner, linkSigner } from "./links.ts";
export { readUnsubscribeToken, unsubscribe, unsubscribeUrl } from "./unsubscribe.ts";
export { messageBuilder } from "./message_builder.ts";
export {
  contextFromRow,
  type ContextOptions,
  type ContextRow,
  loadContextRows,
} from "./context.ts";
export { sendTemplateTest, type TestSend } from "./test_send.ts";
export {
  type EffectsMeasured,
  type InterventionEffect,
  interventionEffects,
  measureEffects,
} from "./effects.ts";
export {
  type InterventionReport,
  interventionReport,
  type ReportFilters,
  type ReportLine,
  type RetentionComparison,
  retentionWindows,
} from "./report.ts";
export { type Outcome, type OutcomeKind, outcomeKinds, recordOutcome } from "./outcomes.ts";
export { readTrackingToken, type Tracked, trackedHtml } from "./tracking.ts";
