/**
 * A template's validation issues as the editor shows them: by field, with
 * the line and column a gutter marks. The messages are validation's own
 * ("line 2, column 3: unknown variable …"), so the page and the API say the
 * same thing.
 */
import { isEngineError } from "../../errors.ts";
import { fieldOfIssue } from "./form.ts";

/** One problem in the form. */
export interface EditorIssue {
  /** The form field (`text`, `locales.de.html`, `name`). */
  field: string;
  message: string;
  /** 1-based line and column in the field, when the problem is inside a part. */
  line?: number;
  column?: number;
}

/** The issues of a VALIDATION_FAILED, or null for any other error. */
export function editorIssues(error: unknown): EditorIssue[] | null {
  if (!isEngineError(error, "VALIDATION_FAILED")) return null;
  return error.issues.map((issue) => {
    // Validation's TemplateIssue adds line and column to the field issue.
    const { line, column } = issue as { line?: unknown; column?: unknown };
    return {
      field: fieldOfIssue(issue.path),
      message: issue.message,
      ...(typeof line === "number" && typeof column === "number" ? { line, column } : {}),
    };
  });
}

/** The issues of `field`. */
export function issuesOf(issues: readonly EditorIssue[], field: string): EditorIssue[] {
  return issues.filter((issue) => issue.field === field);
}
