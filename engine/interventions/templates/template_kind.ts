/**
 * Templates as a kind of versioned document (engine/versioned), versioned
 * like rules: the `templates` table with its drafts and the variables they
 * use, `template_versions` with what each version copies, and how the API
 * shows a template.
 */
import type { Version, VersionedKind } from "../../versioned/mod.ts";
import type { TemplateChannel, TemplateDefinition } from "./template_schema.ts";

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

/** What a published version of a template keeps: its definition, name and variables. */
export interface TemplateSnapshot {
  definition: TemplateDefinition;
  name: string;
  variables: string[];
}

/** A published version of a template. */
export type TemplateVersion = Version<TemplateSnapshot>;

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

/** Templates: their tables, error codes and words. */
export const TEMPLATES: VersionedKind<TemplateRow, TemplateView, TemplateSnapshot> = {
  subject: "template",
  path: "/api/v1/templates",
  use: "send",
  codes: {
    notFound: "TEMPLATE_NOT_FOUND",
    versionNotFound: "TEMPLATE_VERSION_NOT_FOUND",
    exists: "TEMPLATE_EXISTS",
    archived: "TEMPLATE_ARCHIVED",
    nothingToPublish: "TEMPLATE_NOTHING_TO_PUBLISH",
  },
  table: "templates",
  select: `select t.id, t.name, t.description, t.channel, t.status, t.draft,
    t.draft_variables, t.published_version, v.definition as published,
    v.variables as published_variables, t.revision, t.created_at, t.created_by, t.updated_at,
    t.updated_by
  from templates t
  left join template_versions v on v.template_id = t.id and v.version = t.published_version`,
  alias: "t",
  toView,
  versions: {
    table: "template_versions",
    key: "template_id",
    columns: ["definition", "name", "variables"],
  },
  // The draft's variables go with the draft (the table checks they are null together).
  publishResets: ["draft_variables = null"],
};

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
