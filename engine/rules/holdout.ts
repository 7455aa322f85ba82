/**
 * A rule's control group. Its size is the rule's (the `holdout` of its
 * intervention event); who falls in it depends on nothing but the rule and
 * the customer, so the rules stage can say it when a rule fires and the
 * planner decides by the same test.
 */
import { stablePosition } from "../hash.ts";

/**
 * Where a customer falls for a rule's holdout: a number in [0, 1) from a hash
 * of the rule and the customer, the same in every cycle, so a customer stays
 * in its group. FNV-1a: fast, and evenly spread enough for group assignment.
 */
export function holdoutPosition(ruleId: string, customerId: string): number {
  return stablePosition(`${ruleId}\u0000${customerId}`);
}
