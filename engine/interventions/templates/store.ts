/**
 * Templates in PostgreSQL, versioned like rules: a draft that is edited,
 * versions that are published (publish.ts). The life cycle is the one every
 * versioned document has (engine/versioned: one transaction per change with
 * its audit entry, the revision the caller read checked, so a stale edit or
 * publish conflicts instead of overwriting); what is a template's own is
 * here: definitions are validated (nothing that fails is ever stored) and
 * the channel is fixed at creation.
 */
import type { Db, Queryable } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import {
  archiveDocument,
  createDocument,
  type DocumentChange,
  editDraft,
  listDocuments,
  readDocument,
} from "../../versioned/mod.ts";
import { TEMPLATES, type TemplateView } from "./template_kind.ts";
import { type ValidatedTemplate, validateTemplateDefinition } from "./validate.ts";

/** The metadata a person edits. */
export interface TemplateMetadata {
  name: string;
  description?: string | undefined;
}

/** Creates template `id` as a draft; TEMPLATE_EXISTS if the id is taken. */
export async function createTemplate(
  db: Db,
  input: TemplateMetadata & { id: string; definition: unknown },
  change: DocumentChange,
): Promise<TemplateView> {
  const checked = validateTemplateDefinition(input.definition, ["definition"]);
  return await createDocument(db, TEMPLATES, input.id, {
    sql: `insert into templates (id, name, description, channel, status, draft, draft_variables,
         created_at, created_by, updated_at, updated_by)
       values ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $7, $8)
       on conflict (id) do nothing returning id`,
    params: [
      input.id,
      input.name,
      input.description ?? "",
      checked.definition.channel,
      checked.definition,
      checked.variables,
      change.now,
      change.actor,
    ],
  }, change);
}

/** One template, or TEMPLATE_NOT_FOUND. */
export async function getTemplate(db: Queryable, id: string): Promise<TemplateView> {
  return await readDocument(db, TEMPLATES, id);
}

/** A page of templates in id order, optionally of one status or channel. */
export async function listTemplates(
  db: Queryable,
  options: {
    limit: number;
    cursor?: string | undefined;
    status?: string | undefined;
    channel?: string | undefined;
  },
): Promise<{ items: TemplateView[]; nextCursor: string | null }> {
  return await listDocuments(db, TEMPLATES, "t.channel = $3", {
    limit: options.limit,
    cursor: options.cursor,
    status: options.status,
    filterValue: options.channel,
  });
}

/**
 * Replaces the draft's metadata and, when given, its definition (else the
 * draft starts from the published version). The revision must be the one
 * the caller read (`ifRevision`).
 */
export async function updateTemplateDraft(
  db: Db,
  id: string,
  input: TemplateMetadata & { definition?: unknown },
  ifRevision: number,
  change: DocumentChange,
): Promise<TemplateView> {
  const checked = input.definition === undefined
    ? undefined
    : validateTemplateDefinition(input.definition, ["definition"]);
  return await editDraft(db, TEMPLATES, id, ifRevision, change, async (tx, before) => {
    if (checked) assertSameChannel(before, checked);
    await tx.query(
      `update templates set name = $2, description = $3,
         draft = coalesce($4, draft, (select definition from template_versions
           where template_id = $1 and version = templates.published_version)),
         draft_variables = coalesce($5, draft_variables, (select variables from template_versions
           where template_id = $1 and version = templates.published_version)),
         revision = revision + 1, updated_at = $6, updated_by = $7
       where id = $1`,
      [
        id,
        input.name,
        input.description ?? before.description,
        checked?.definition ?? null,
        checked?.variables ?? null,
        change.now,
        change.actor,
      ],
    );
  });
}

/** Archives the template: nothing of it is sent any more; its history stays. */
export async function archiveTemplate(
  db: Db,
  id: string,
  ifRevision: number,
  change: DocumentChange,
): Promise<TemplateView> {
  return await archiveDocument(db, TEMPLATES, id, ifRevision, change);
}

/**
 * The templates a rule's intervention may name, with their channels: every template that is
 * not archived (a draft-only template may be named; it is sent once published).
 */
export async function loadTemplateChannels(db: Queryable): Promise<ReadonlyMap<string, string>> {
  const rows = await db.query<{ id: string; channel: string }>(
    "select id, channel from templates where status <> 'archived' order by id",
  );
  return new Map(rows.map((row) => [row.id, row.channel]));
}

/** A template's channel is fixed: rules name the template together with its channel. */
export function assertSameChannel(template: TemplateView, checked: ValidatedTemplate): void {
  if (checked.definition.channel === template.channel) return;
  const message = `must stay "${template.channel}": rules send this template on that ` +
    "channel. Create a new template for another channel";
  throw new EngineError(
    "VALIDATION_FAILED",
    `Invalid template: definition.channel: ${message}`,
    { issues: [{ path: "definition.channel", message }] },
  );
}
