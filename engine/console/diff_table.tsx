/** A field-level diff (diff.ts) as a table: each field added, removed or changed, before and after. */
import type { FieldChange } from "./diff.ts";

/** The table of `changes`, captioned for screen readers with `caption`. */
export function DiffTable(props: { changes: readonly FieldChange[]; caption: string }) {
  return (
    <table class="diff">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Change</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {props.changes.map((change) => (
          <tr class={change.kind}>
            <th scope="row">
              <code>{change.path}</code>
            </th>
            <td>{change.kind}</td>
            <td>{change.before === undefined ? "" : <code>{change.before}</code>}</td>
            <td>{change.after === undefined ? "" : <code>{change.after}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
