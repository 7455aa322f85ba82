/**
 * Two people editing one rule: when a save or publish names a revision that
 * is no longer the rule's, the store refuses it, and the page shows both
 * versions (theirs as stored now, yours as typed) with what differs. Yours
 * stays in the form, now based on their revision, so sending it again is a
 * choice made knowingly; "start from theirs" opens the rule as stored.
 */
import type { RuleView } from "../../rules/mod.ts";
import { diffFields } from "../diff.ts";
import { DiffTable } from "../diff_table.tsx";

/** What a person sees of a rule's content (name, description, owner, definition). */
export function contentOf(rule: {
  name: string;
  description: string;
  owner: string | null;
  definition: unknown;
}) {
  return {
    name: rule.name,
    description: rule.description,
    owner: rule.owner,
    definition: rule.definition,
  };
}

/** The panel: who changed the rule, both versions and their differences. */
export function ConflictPanel(props: { theirs: RuleView; yours: ReturnType<typeof contentOf> }) {
  const { theirs, yours } = props;
  const stored = contentOf({ ...theirs, definition: theirs.draft ?? theirs.published });
  const changes = diffFields(stored, yours);
  return (
    <section class="conflict" aria-labelledby="conflict-title" role="alert">
      <h2 id="conflict-title">Someone else changed this rule while you edited it</h2>
      <p>
        {theirs.updatedBy} saved it at {theirs.updatedAt.slice(0, 16).replace("T", " ")}{" "}
        UTC (now revision {theirs.revision}, {theirs.status}
        {theirs.version === null ? "" : `, version ${theirs.version} published`}). Nothing of yours
        was saved. Compare the two below: send yours again to replace theirs, or{" "}
        <a href={`/console/rules/${encodeURIComponent(theirs.id)}`}>start again from theirs</a>.
      </p>
      <h3>What differs (before: theirs, after: yours)</h3>
      {changes.length === 0
        ? <p>Nothing: your version is the same as theirs.</p>
        : <DiffTable changes={changes} caption="Their version against yours" />}
      <div class="both-versions">
        <div>
          <h3>Theirs, as stored now</h3>
          <pre class="json" tabindex={0}>{JSON.stringify(stored, null, 2)}</pre>
        </div>
        <div>
          <h3>Yours, as typed</h3>
          <pre class="json" tabindex={0}>{JSON.stringify(yours, null, 2)}</pre>
        </div>
      </div>
    </section>
  );
}
