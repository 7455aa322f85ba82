/**
 * Deciding a rule's change request (approvals on, rules/approvals.ts): a
 * second person with publish rights approves it, which publishes it, or
 * rejects it, with a reason. The author cannot decide their own request;
 * the store refuses it, and the page says so. The form is PendingRequest
 * (rule_builder/pending_request.tsx), on the rule's page.
 */
import type { Hono } from "hono";
import { isEngineError } from "../../errors.ts";
import { approvePublish, rejectPublish } from "../../rules/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { errorPage } from "../error_pages.tsx";
import { ruleContextOf } from "../rule_builder/context.ts";
import { ruleFormValues } from "../rule_builder/form.ts";
import { requireSession } from "../session.ts";

/** Registers POST /rules/:id/decision. */
export function registerRuleApproval(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.post("/rules/:id/decision", requireSession(deps, "write:rules"), async (c) => {
    const id = c.req.param("id");
    const form = ruleFormValues(await c.req.parseBody());
    const reason = (form.reason ?? "").trim().slice(0, 1000);
    const change = {
      actor: c.get("actor")!.id,
      now: deps.clock.now(),
      requestId: c.get("requestId") ?? null,
      reason: reason === "" ? null : reason,
    };
    try {
      if (form.decision === "approve") {
        await approvePublish(deps.db, id, await ruleContextOf(deps.db, deps), change);
      } else {
        await rejectPublish(deps.db, id, change);
      }
    } catch (error) {
      if (isEngineError(error, "FORBIDDEN")) {
        return errorPage(c, 403, "Not yours to approve", error.message);
      }
      if (!isEngineError(error, "RULE_NO_PENDING_CHANGE")) throw error;
      return c.redirect(`/console/rules/${encodeURIComponent(id)}?done=decided`, 303);
    }
    const done = form.decision === "approve" ? "approved" : "rejected";
    return c.redirect(`/console/rules/${encodeURIComponent(id)}?done=${done}`, 303);
  });
}
