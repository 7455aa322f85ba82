/**
 * Form parts: a labelled field with its hint and its error beside it (tied
 * with aria-describedby, marked aria-invalid), and the hidden fields every
 * console form carries (CSRF token, the page to return to).
 */
import type { FieldIssue } from "../errors.ts";

/** Errors by field name, from a VALIDATION_FAILED's issues. */
export type FieldErrors = Record<string, string>;

/** The issues of a failed validation, keyed by their field. */
export function fieldErrors(issues: readonly FieldIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) errors[issue.path] ??= issue.message;
  return errors;
}

/** A labelled input with an optional hint and its error. */
export function Field(props: {
  name: string;
  label: string;
  value?: string | undefined;
  type?: string;
  hint?: string;
  error?: string | undefined;
  required?: boolean;
  autocomplete?: string;
  list?: string;
  idPrefix?: string;
}) {
  const id = `${props.idPrefix ?? "f"}-${props.name}`;
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""]
    .filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.hint ? <p class="hint" id={`${id}-hint`}>{props.hint}</p> : null}
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        required={props.required}
        autocomplete={props.autocomplete}
        list={props.list}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {props.error ? <p class="error" id={`${id}-error`}>{props.error}</p> : null}
    </div>
  );
}

/** A labelled select; an option is its value, or a value with its own label. */
export function Choice(props: {
  name: string;
  label: string;
  options: ReadonlyArray<string | { value: string; label: string }>;
  value?: string | undefined;
  error?: string | undefined;
  idPrefix?: string;
}) {
  const id = `${props.idPrefix ?? "f"}-${props.name}`;
  return (
    <div class={props.error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      >
        {props.options.map((option) => {
          const { value, label } = typeof option === "string"
            ? { value: option, label: option }
            : option;
          return (
            <option key={value} value={value} selected={value === props.value}>{label}</option>
          );
        })}
      </select>
      {props.error ? <p class="error" id={`${id}-error`}>{props.error}</p> : null}
    </div>
  );
}

/** The CSRF token and the page a form belongs to (where a sign-in returns). */
export function FormContext(props: { csrf: string; page: string }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={props.csrf} />
      <input type="hidden" name="_page" value={props.page} />
    </>
  );
}
