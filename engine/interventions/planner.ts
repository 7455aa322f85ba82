/**
 * The planner: for one customer's intervention proposals of a cycle (rule
 * firings whose event is an intervention), decides what is sent. Highest
 * priority first; each proposal is suppressed (with its reason), held out as
 * the rule's control group, or sent — deferred past quiet hours. Every
 * decision is returned, so "why didn't they get it" has an answer.
 */
import { DAY_MS } from "../clock.ts";
import { holdoutPosition } from "../rules/mod.ts";
import { emailProblem, type InterventionPolicy } from "./policy.ts";
import { sendTime } from "../quiet_hours.ts";

/** A rule firing that proposes an intervention. */
export interface Proposal {
  firingId: number;
  ruleId: string;
  ruleVersion: number;
  /** The intervention's priority (its event's), then the rule's. */
  priority: number;
  rulePriority: number;
  template: string;
  channel: string;
  cooldownDays: number;
  holdout: number;
}

/** What the planner knows of the customer. */
export interface CustomerState {
  customerId: string;
  timeZone: string;
  email: unknown;
  churned: boolean;
  /** Channels the customer unsubscribed from. */
  unsubscribed: ReadonlySet<string>;
  /** Earlier interventions sent or held out: for cooldowns and the frequency cap. */
  history: ReadonlyArray<{ ruleId: string; plannedAt: Date; decision: "send" | "holdout" }>;
}

/** What the engine can send: published templates (id → channel) and registered channels. */
export interface Capabilities {
  templates: ReadonlyMap<string, string>;
  channels: ReadonlySet<string>;
}

/** Why a proposal was not sent. */
export type SuppressionReason =
  | "churned"
  | "unsubscribed"
  | "cooldown"
  | "frequency_cap"
  | "no_email_address"
  | "invalid_email_address"
  | "template_unavailable"
  | "template_channel_mismatch"
  | "channel_unavailable";

/** One decision about one proposal. */
export interface Decision {
  proposal: Proposal;
  decision: "send" | "holdout" | "suppressed";
  reason: SuppressionReason | null;
  /** When it may go out (past quiet hours); the planning time otherwise. */
  scheduledFor: Date;
}

/** Decides every proposal of one customer, highest priority first. */
export function planCustomer(
  proposals: readonly Proposal[],
  customer: CustomerState,
  options: { now: Date; policy: InterventionPolicy; capabilities: Capabilities },
): Decision[] {
  const { now, policy, capabilities } = options;
  const ordered = [...proposals].sort((a, b) =>
    b.priority - a.priority || b.rulePriority - a.rulePriority ||
    (a.ruleId < b.ruleId ? -1 : 1)
  );
  const capSince = now.getTime() - policy.frequencyDays * DAY_MS;
  let sends =
    customer.history.filter((h) => h.decision === "send" && h.plannedAt.getTime() > capSince)
      .length;
  const decided: Decision[] = [];
  const decide = (
    proposal: Proposal,
    decision: Decision["decision"],
    reason = null as SuppressionReason | null,
  ) =>
    decided.push({
      proposal,
      decision,
      reason,
      scheduledFor: decision === "send" ? sendTime(now, customer.timeZone, policy.quietHours) : now,
    });
  for (const proposal of ordered) {
    const reason = suppression(proposal, customer, capabilities, now);
    if (reason) decide(proposal, "suppressed", reason);
    // The cap applies before the control group is split off, so both groups
    // hold only customers who would have been sent it: uplift compares like with like.
    else if (sends >= policy.frequencyCap) decide(proposal, "suppressed", "frequency_cap");
    else if (holdoutPosition(proposal.ruleId, customer.customerId) < proposal.holdout) {
      // The control group: recorded, never sent, not counted against the cap.
      decide(proposal, "holdout");
    } else {
      sends++;
      decide(proposal, "send");
    }
  }
  return decided;
}

/** The first policy that stops `proposal` for this customer, or null. */
function suppression(
  proposal: Proposal,
  customer: CustomerState,
  capabilities: Capabilities,
  now: Date,
): SuppressionReason | null {
  if (customer.churned) return "churned";
  if (customer.unsubscribed.has(proposal.channel)) return "unsubscribed";
  const cooldownSince = now.getTime() - proposal.cooldownDays * DAY_MS;
  if (
    proposal.cooldownDays > 0 &&
    customer.history.some((h) =>
      h.ruleId === proposal.ruleId && h.plannedAt.getTime() > cooldownSince
    )
  ) return "cooldown";
  const templateChannel = capabilities.templates.get(proposal.template);
  if (templateChannel === undefined) return "template_unavailable";
  if (templateChannel !== proposal.channel) return "template_channel_mismatch";
  if (!capabilities.channels.has(proposal.channel)) return "channel_unavailable";
  if (proposal.channel === "email") return emailProblem(customer.email);
  return null;
}
