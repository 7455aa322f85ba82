/**
 * Templates in PostgreSQL, versioned like rules: a draft that is edited,
 * versions that are published. Every change happens in one transaction with
 * its audit entry, checks the revision the caller read (so a stale edit or
 * publish conflicts instead of overwriting), and validates the definition,
 * so nothing that fails validation is ever stored.
 */
import type { ChangeContext } from "../../access/mod.ts";
import { appendAudit } from "../../audit/mod.ts";
import type { Db, Queryable } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import type { TemplateChannel, TemplateDefinition } from "./template_schema.ts";
import { type ValidatedTemplate, validateTemplateDefinition } from "./validate.ts";
import { templateNotFound } from "./versions.ts";

/** A template as the API shows it. */
export interface TemplateView {
  id: string;
  name: string;
  description: string;
  channel: TemplateChannel;
  status: "draft" | "published" | "archived";
  /** The published version that is sent (or was, when archived); null before the first publish. */
  version: number | null;
  /** The definition being edited; null when there is no draft. */
  draft: TemplateDefinition | null;
  /** The definition of the published version; null before the first publish. */
  published: TemplateDefinition | null;
  /** The variables the draft uses, else those of the published version. */
  variables: string[];
  /** Bumped by every change; the ETag is derived from it. */
  revision: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** The metadata a person edits. */
export interface TemplateMetadata {
  name: string;
  description?: string | undefined;
}

/** Who changes a template, when, and why. */
export type TemplateChange = ChangeContext & { reason?: string | null };

interface TemplateRow {
  id: string;
  name: string;
  description: string;
  channel: TemplateChannel;
  status: TemplateView["status"];
  draft: TemplateDefinition | null;
  draft_variables: string[] | null;
  published_version: number | null;
  published: TemplateDefinition | null;
  published_variables: string[] | null;
  revision: number;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

const SELECT_TEMPLATE = `select t.id, t.name, t.description, t.channel, t.status, t.draft,
    t.draft_variables, t.published_version, v.definition as published,
    v.variables as published_variables, t.revision, t.created_at, t.created_by, t.updated_at,
    t.updated_by
  from templates t
  left join template_versions v on v.template_id = t.id and v.version = t.published_version`;

/** The ETag of a template at `revision`. */
export function templateEtag(template: Pick<TemplateView, "id" | "revision">): string {
  return `"${template.id}.${template.revision}"`;
}

/** Creates template `id` as a draft; TEMPLATE_EXISTS if the id is taken. */
export async function createTemplate(
  db: Db,
  input: TemplateMetadata & { id: string; definition: unknown },
  change: TemplateChange,
): Promise<TemplateView> {
  const checked = validateTemplateDefinition(input.definition, ["definition"]);
  return await db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `insert into templates (id, name, description, channel, status, draft, draft_variables,
         created_at, created_by, updated_at, updated_by)
       values ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $7, $8)
       on conflict (id) do nothing returning id`,
      [
        input.id,
        input.name,
        input.description ?? "",
        checked.definition.channel,
        checked.definition,
        checked.variables,
        change.now,
        change.actor,
      ],
    );
    if (inserted.length === 0) {
      throw new EngineError(
        "TEMPLATE_EXISTS",
        `A template "${input.id}" exists already: edit it with PUT /api/v1/templates/` +
          `${input.id}, or choose another id`,
      );
    }
    const template = await readTemplate(tx, input.id);
    await auditTemplateChange(tx, change, "template.created", template.id, null, template);
    return template;
  });
}

/** One template, or TEMPLATE_NOT_FOUND. */
export async function getTemplate(db: Queryable, id: string): Promise<TemplateView> {
  return await readTemplate(db, id);
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
  const rows = await db.query<TemplateRow>(
    `${SELECT_TEMPLATE}
     where ($1::text is null or t.id > $1) and ($2::text is null or t.status = $2)
       and ($3::text is null or t.channel = $3)
     order by t.id limit $4`,
    [options.cursor ?? null, options.status ?? null, options.channel ?? null, options.limit + 1],
  );
  const items = rows.slice(0, options.limit).map(toView);
  return {
    items,
    nextCursor: rows.length > options.limit ? items.at(-1)?.id ?? null : null,
  };
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
  change: TemplateChange,
): Promise<TemplateView> {
  const checked = input.definition === undefined
    ? undefined
    : validateTemplateDefinition(input.definition, ["definition"]);
  return await db.transaction(async (tx) => {
    const before = await lockTemplate(tx, id, ifRevision);
    if (before.status === "archived") throw archived(id);
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
    const after = await readTemplate(tx, id);
    await auditTemplateChange(tx, change, "template.edited", id, before, after);
    return after;
  });
}

/** Archives the template: nothing of it is sent any more; its history stays. */
export async function archiveTemplate(
  db: Db,
  id: string,
  ifRevision: number,
  change: TemplateChange,
): Promise<TemplateView> {
  return await db.transaction(async (tx) => {
    const before = await lockTemplate(tx, id, ifRevision);
    if (before.status === "archived") return before;
    await tx.query(
      `update templates set status = 'archived', revision = revision + 1, updated_at = $2,
         updated_by = $3 where id = $1`,
      [id, change.now, change.actor],
    );
    const after = await readTemplate(tx, id);
    await auditTemplateChange(tx, change, "template.archived", id, before, after);
    return after;
  });
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

/** The template `id`, or TEMPLATE_NOT_FOUND. */
async function readTemplate(db: Queryable, id: string): Promise<TemplateView> {
  const [row] = await db.query<TemplateRow>(`${SELECT_TEMPLATE} where t.id = $1`, [id]);
  if (!row) throw templateNotFound(id);
  return toView(row);
}

/** Locks the template for this transaction and checks the caller read its current revision. */
export async function lockTemplate(
  tx: Queryable,
  id: string,
  ifRevision: number,
): Promise<TemplateView> {
  await tx.query("select 1 from templates where id = $1 for update", [id]);
  const template = await readTemplate(tx, id);
  if (template.revision !== ifRevision) {
    throw new EngineError(
      "ETAG_MISMATCH",
      `Template "${id}" changed since you read it (revision ${template.revision}, you sent ` +
        `${ifRevision}); someone else edited or published it. Read it again, apply your ` +
        "change to what is there, and send the new ETag",
      { headers: { ETag: templateEtag(template) } },
    );
  }
  return template;
}

function toView(row: TemplateRow): TemplateView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    channel: row.channel,
    status: row.status,
    version: row.published_version,
    draft: row.draft,
    published: row.published,
    variables: row.draft_variables ?? row.published_variables ?? [],
    revision: row.revision,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

/** The audit entry of a change, in the change's transaction: who, when, why, before and after. */
export async function auditTemplateChange(
  tx: Queryable,
  change: TemplateChange,
  action: string,
  templateId: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await appendAudit(tx, {
    at: change.now,
    actor: change.actor,
    action,
    subjectType: "template",
    subjectId: templateId,
    reason: change.reason ?? null,
    before,
    after,
    requestId: change.requestId ?? null,
  });
}

/** TEMPLATE_ARCHIVED for template `id`. */
export function archived(id: string): EngineError {
  return new EngineError(
    "TEMPLATE_ARCHIVED",
    `Template "${id}" is archived: it can no longer be edited or published. Create a new ` +
      "template, or roll this one back to a version to send it again",
  );
}
