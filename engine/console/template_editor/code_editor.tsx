/**
 * The code editor of a template part: a labelled textarea with line numbers,
 * its lines with a problem marked in the gutter, and the problems listed
 * below it (tied with aria-describedby). The server draws the lines; the
 * editor's script (static/template_editor.js) lays the textarea over them,
 * highlights handlebars and keeps both in step as you type. Without the
 * script it is a plain textarea.
 */
import { fieldId } from "./form.ts";
import type { EditorIssue } from "./issues.ts";

/** A part's editor. */
export function CodeEditor(props: {
  name: string;
  label: string;
  value: string;
  issues: readonly EditorIssue[];
  hint?: string;
  readOnly: boolean;
}) {
  const id = fieldId(props.name);
  const marked = new Set(props.issues.map((issue) => issue.line));
  const lines = props.value.split("\n");
  const invalid = props.issues.length > 0;
  return (
    <div class={invalid ? "field code-field invalid" : "field code-field"}>
      <label for={id}>{props.label}</label>
      {props.hint ? <p class="hint" id={`${id}-hint`}>{props.hint}</p> : null}
      <div class="code-editor">
        <pre class="code-view" aria-hidden="true"><code>{lines.map((line, i) => (
          <span class={marked.has(i + 1) ? "ln marked" : "ln"}>{line === "" ? "\u200b" : line}</span>
        ))}</code></pre>
        <textarea
          id={id}
          name={props.name}
          rows={Math.min(Math.max(lines.length + 1, 4), 30)}
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          readonly={props.readOnly}
          data-code-editor=""
          aria-invalid={invalid ? "true" : undefined}
          aria-describedby={[props.hint ? `${id}-hint` : "", `${id}-errors`].filter(Boolean)
            .join(" ")}
        >
          {/* A textarea drops one leading line break: keep a first empty line. */}
          {props.value.startsWith("\n") ? `\n${props.value}` : props.value}
        </textarea>
      </div>
      <IssueList id={`${id}-errors`} field={props.name} issues={props.issues} />
    </div>
  );
}

/** A one-line part (an email's subject), its problems listed below it like a code editor's. */
export function LineEditor(props: {
  name: string;
  label: string;
  value: string;
  issues: readonly EditorIssue[];
  readOnly: boolean;
}) {
  const id = fieldId(props.name);
  const invalid = props.issues.length > 0;
  return (
    <div class={invalid ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        value={props.value}
        readonly={props.readOnly}
        autocomplete="off"
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={`${id}-errors`}
      />
      <IssueList id={`${id}-errors`} field={props.name} issues={props.issues} />
    </div>
  );
}

/** A field's problems, where the editor's script also puts those it finds as you type. */
function IssueList(props: { id: string; field: string; issues: readonly EditorIssue[] }) {
  return (
    <ul class="editor-issues" id={props.id} data-issues-for={props.field}>
      {props.issues.map((issue, i) => <li key={i} class="error">{issue.message}</li>)}
    </ul>
  );
}
