/**
 * What the engine did for the customer: interventions with their decision,
 * status and outcome (opened, clicked, replied; health 14 days after and
 * whether still a customer 30, 60, 90 days after), and the in-app inbox with
 * read and unread messages. Rules and templates link to their pages.
 */
import type { InboxMessage, Intervention, InterventionEffect } from "../../interventions/mod.ts";
import { utc, whole } from "./bands.ts";

const statusWords: Record<string, string> = {
  planned: "planned",
  sending: "sending",
  sent: "sent",
  delivered: "delivered",
  failed: "failed, retrying",
  dead: "failed, gave up",
  held_out: "held out (control group, not sent)",
  suppressed: "not sent",
};

// What the customer did with it, then what was measured after (sends and holdouts alike).
function outcome(i: Intervention, effect: InterventionEffect | undefined): string {
  const seen = [
    i.openedAt ? `opened ${utc(i.openedAt)}` : "",
    i.clickedAt ? `clicked ${utc(i.clickedAt)}` : "",
    i.repliedAt ? `replied ${utc(i.repliedAt)}` : "",
  ].filter(Boolean);
  if (seen.length === 0 && i.decision === "send" && ["sent", "delivered"].includes(i.status)) {
    seen.push("no response yet");
  }
  if (effect?.healthBefore != null && effect.healthAfter14d !== null) {
    seen.push(`health ${whole(effect.healthBefore)} → ${whole(effect.healthAfter14d)} in 14 days`);
  }
  const retained =
    ([[30, effect?.retained30d], [60, effect?.retained60d], [90, effect?.retained90d]]
      .filter(([, kept]) => kept != null) as Array<[number, boolean]>).at(-1);
  if (retained) {
    seen.push(`${retained[1] ? "still a customer" : "churned"} ${retained[0]} days after`);
  }
  return seen.length > 0 ? seen.join("; ") : "—";
}

/** The interventions section. */
export function InterventionsSection(
  props: {
    interventions: readonly Intervention[];
    effects: ReadonlyMap<number, InterventionEffect>;
    more: boolean;
    ruleNames: ReadonlyMap<string, string>;
  },
) {
  if (props.interventions.length === 0) {
    return <p>No intervention has been planned for this customer yet.</p>;
  }
  return (
    <>
      <div class="table-scroll" tabindex={0} role="region" aria-label="Interventions">
        <table class="stack-on-phone interventions">
          <thead>
            <tr>
              <th scope="col">Planned</th>
              <th scope="col">Rule</th>
              <th scope="col">Template</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {props.interventions.map((i) => (
              <tr>
                <th scope="row">{utc(i.plannedAt)}</th>
                <td data-label="Rule">
                  {i.ruleId === null
                    ? "— (a test send)"
                    : (
                      <a href={`/console/rules/${encodeURIComponent(i.ruleId)}`}>
                        {props.ruleNames.get(i.ruleId) ?? i.ruleId}
                      </a>
                    )}
                </td>
                <td data-label="Template">
                  <a href={`/console/templates/${encodeURIComponent(i.templateId)}`}>
                    {i.templateId}
                  </a>
                </td>
                <td data-label="Channel">{i.channel}</td>
                <td data-label="Status">
                  {statusWords[i.status] ?? i.status}
                  {i.reason ? ` (${i.reason.replaceAll("_", " ")})` : ""}
                  {i.lastError ? `: ${i.lastError}` : ""}
                </td>
                <td data-label="Outcome">{outcome(i, props.effects.get(i.id))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.more
        ? <p class="muted">Only the newest {props.interventions.length} are shown.</p>
        : null}
    </>
  );
}

/** The in-app inbox section. */
export function InboxSection(props: { messages: readonly InboxMessage[]; more: boolean }) {
  if (props.messages.length === 0) {
    return <p>The in-app inbox is empty: no in-app message was delivered to this customer.</p>;
  }
  const unread = props.messages.filter((m) => m.readAt === null).length;
  return (
    <>
      <p>{unread} unread of the {props.messages.length} newest.</p>
      <ol class="entries inbox">
        {props.messages.map((m) => (
          <li class={m.readAt === null ? "entry unread" : "entry"}>
            <p class="entry-head">
              <strong>{m.subject ?? "(no subject)"}</strong>{" "}
              <span class="muted">
                {m.readAt === null ? "unread" : `read ${utc(m.readAt)}`}
                {m.test ? ", a test" : ""}
              </span>
            </p>
            <p class="entry-meta">Delivered {utc(m.createdAt)}</p>
            <p class="message-body">{m.body}</p>
          </li>
        ))}
      </ol>
      {props.more ? <p class="muted">Only the newest {props.messages.length} are shown.</p> : null}
    </>
  );
}
