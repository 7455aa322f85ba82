/** The customer's milestones: achieved (when) and pending (progress, due, overdue). */
import type { MilestoneProgress } from "../../signals/mod.ts";
import { utc } from "./bands.ts";

/** The milestones section. */
export function MilestonesSection(props: { milestones: readonly MilestoneProgress[] }) {
  if (props.milestones.length === 0) {
    return <p>No milestones are tracked for this customer (the milestone catalog is empty).</p>;
  }
  const achieved = props.milestones.filter((m) => m.achieved);
  const pending = props.milestones.filter((m) => !m.achieved);
  return (
    <div class="milestones">
      <div>
        <h3>Achieved ({achieved.length})</h3>
        {achieved.length === 0 ? <p>None achieved yet.</p> : (
          <ul>
            {achieved.map((m) => (
              <li>
                <strong>{m.name}</strong>{" "}
                <span class="muted">
                  {m.achievedAt ? `on ${utc(m.achievedAt)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h3>Pending ({pending.length})</h3>
        {pending.length === 0 ? <p>All achieved.</p> : (
          <ul>
            {pending.map((m) => (
              <li>
                <strong>{m.name}</strong>: {m.progress} of {m.target}
                {m.dueAt && !m.overdue ? `, due ${utc(m.dueAt)}` : ""}
                {m.dueAt && m.overdue
                  ? (
                    <>
                      , <strong class="overdue">overdue</strong> since {utc(m.dueAt)}
                    </>
                  )
                  : null}
                <br />
                <span class="muted">{m.description}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
