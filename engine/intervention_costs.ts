/**
 * What one sent intervention costs, by channel, for the ROI report. The
 * defaults are assumptions a team should replace with its own figures
 * (REPORT_INTERVENTION_COSTS, docs/reports.md): automated channels cost
 * little per message; Slack and webhook interventions reach a success
 * manager, whose time is the real cost.
 */

/** Cost per sent intervention by channel; `*` covers channels not listed. */
export type InterventionCosts = Readonly<Record<string, number>>;

/** The defaults, in the customers' currency. */
export const defaultInterventionCosts: InterventionCosts = Object.freeze({
  // Sending, tracking and the upkeep of the template, spread over many messages.
  email: 0.05,
  "in-app": 0.02,
  // A message to a success manager who acts on it: about five minutes of their time.
  slack: 5,
  // A task in the CRM for a success manager, as above.
  webhook: 5,
  // Any other channel (a plugin's).
  "*": 1,
});

const ENTRY = /^([a-z0-9*][a-z0-9_-]*|\*)=(\d+(?:\.\d+)?)$/;

/**
 * `"email=0.10,slack=4"` over the defaults; `""` is the defaults. Undefined
 * when malformed.
 */
export function parseInterventionCosts(text: string): InterventionCosts | undefined {
  const costs: Record<string, number> = { ...defaultInterventionCosts };
  for (const entry of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const match = ENTRY.exec(entry);
    if (!match) return undefined;
    costs[match[1]!] = Number(match[2]);
  }
  return Object.freeze(costs);
}
