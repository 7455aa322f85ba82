/**
 * A template's published versions, newest first: who published each, when
 * and why, what changed from the version before as a line diff of each
 * part, and (for editors) a form to roll back to it with a reason. Also the
 * diff a conflicting save shows between their version and yours.
 */
import type { TemplateVersion } from "../../interventions/templates/mod.ts";
import { FormContext } from "../forms.tsx";
import { type FormValues, formValuesOf } from "../template_editor/form.ts";
import { changed, diffLines } from "../template_editor/line_diff.ts";

/** The line diff of every field between `before` and `after`, changed fields only. */
export function PartsDiff(props: { before: FormValues; after: FormValues; caption: string }) {
  const fields = [...new Set([...Object.keys(props.before), ...Object.keys(props.after)])].sort();
  const diffs = fields
    .map((field) => ({
      field,
      lines: diffLines(props.before[field] ?? "", props.after[field] ?? ""),
    }))
    .filter((diff) => changed(diff.lines));
  if (diffs.length === 0) return <p class="muted">No part changed.</p>;
  return (
    <div class="parts-diff" aria-label={props.caption} role="group">
      {diffs.map((diff) => (
        <div class="part-diff">
          <p class="part-name">
            <code>{diff.field}</code>
          </p>
          <pre class="line-diff">{diff.lines.map((line) => (
            <span class={`dl ${line.kind}`}>
              <span class="visually-hidden">
                {line.kind === "added" ? "added: " : line.kind === "removed" ? "removed: " : ""}
              </span>
              {line.kind === "added" ? "+ " : line.kind === "removed" ? "- " : "  "}
              {line.text}
            </span>
          ))}</pre>
        </div>
      ))}
    </div>
  );
}

/** The history with diffs and rollback forms. */
export function TemplateHistory(props: {
  templateId: string;
  versions: readonly TemplateVersion[];
  current: number | null;
  revision: number;
  csrf: string;
  canWrite: boolean;
  page: string;
}) {
  const { versions } = props;
  if (versions.length === 0) return <p>Not published yet: nothing of it has been sent.</p>;
  return (
    <ol class="versions">
      {versions.map((version, i) => {
        const before = versions[i + 1];
        const prefix = `v${version.version}`;
        return (
          <li class="entry">
            <p class="entry-head">
              <strong>Version {version.version}</strong>
              {version.version === props.current ? " (published: this is sent)" : ""}
              {version.restoredFrom !== null
                ? `, a rollback to version ${version.restoredFrom}`
                : ""}
            </p>
            <p class="entry-meta">
              <time datetime={version.publishedAt}>
                {version.publishedAt.slice(0, 16).replace("T", " ")} UTC
              </time>
              {` · by ${version.publishedBy}`}
              {version.reason ? ` · reason: ${version.reason}` : ""}
            </p>
            <details>
              <summary>
                {before ? `Changes from version ${before.version}` : "The first version"}
              </summary>
              <PartsDiff
                before={before ? formValuesOf(before.definition) : {}}
                after={formValuesOf(version.definition)}
                caption={`Changes of version ${version.version}`}
              />
            </details>
            {props.canWrite && version.version !== props.current
              ? (
                <form
                  method="post"
                  action={`/console/templates/${props.templateId}/rollback`}
                  class="inline rollback"
                >
                  <FormContext csrf={props.csrf} page={props.page} />
                  <input type="hidden" name="version" value={String(version.version)} />
                  <input type="hidden" name="revision" value={String(props.revision)} />
                  <label for={`${prefix}-reason`}>Reason</label>
                  <input id={`${prefix}-reason`} name="reason" required />
                  <button type="submit">Roll back to version {version.version}</button>
                </form>
              )
              : null}
          </li>
        );
      })}
    </ol>
  );
}
