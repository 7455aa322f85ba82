/** A rule's change request waiting for approval, and the form to decide it (pages/rule_approval.tsx). */
import { type Session, userActor } from "../../access/mod.ts";
import type { RuleChangeRequest } from "../../rules/mod.ts";
import { FormContext } from "../forms.tsx";

/** The request waiting for approval, and, for someone else with publish rights, the decision. */
export function PendingRequest(props: {
  request: RuleChangeRequest;
  session: Session;
  canWrite: boolean;
}) {
  const { request, session } = props;
  const own = request.requestedBy === userActor(session.user).id;
  const page = `/console/rules/${request.ruleId}`;
  return (
    <div class="notice pending">
      <p>
        Waiting for approval since {request.requestedAt.slice(0, 16).replace("T", " ")}{" "}
        UTC (asked by {request.requestedBy}
        {request.reason ? `: ${request.reason}` : ""}).
        {own ? " Someone else with publish rights must approve it." : ""}
      </p>
      {props.canWrite && !own
        ? (
          <form method="post" action={`${page}/decision`} class="decision">
            <FormContext csrf={session.csrfToken} page={page} />
            <label for="f-decision-reason">Reason for your decision</label>
            <input id="f-decision-reason" name="reason" type="text" />
            <button type="submit" name="decision" value="approve">Approve and publish</button>
            <button type="submit" name="decision" value="reject" class="secondary">Reject</button>
          </form>
        )
        : null}
    </div>
  );
}
