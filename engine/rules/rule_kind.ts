/**
 * Rules as a kind of versioned document (engine/versioned): the `rules`
 * table with its drafts, `rule_versions` with what each version copies, and
 * how the API shows a rule.
 */
import type { Version, VersionedKind } from "../versioned/mod.ts";
import type { RuleDefinition } from "./rule_schema.ts";

/** A rule as the API shows it. */
export interface RuleView {
  id: string;
  name: string;
  description: string;
  tags: string[];
  owner: string | null;
  status: "draft" | "published" | "archived";
  /** The published version that runs (or ran, when archived); null before the first publish. */
  version: number | null;
  /** The definition being edited; null when there is no draft. */
  draft: RuleDefinition | null;
  /** The definition of the published version; null before the first publish. */
  published: RuleDefinition | null;
  /** Bumped by every change; the ETag is derived from it. */
  revision: number;
  /**
   * When the engine switched the published version off because it threw in
   * several cycles in a row (null while it runs); publishing switches it on.
   */
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** What a published version of a rule keeps: its definition and the metadata it had. */
export interface RuleSnapshot {
  definition: RuleDefinition;
  name: string;
  description: string;
  tags: string[];
}

/** A published version of a rule. */
export type RuleVersion = Version<RuleSnapshot>;

interface RuleRow {
  id: string;
  name: string;
  description: string;
  tags: string[];
  owner: string | null;
  status: RuleView["status"];
  draft: RuleDefinition | null;
  published_version: number | null;
  published: RuleDefinition | null;
  revision: number;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

/** Rules: their tables, error codes and words. */
export const RULES: VersionedKind<RuleRow, RuleView, RuleSnapshot> = {
  subject: "rule",
  path: "/api/v1/rules",
  use: "run",
  codes: {
    notFound: "RULE_NOT_FOUND",
    versionNotFound: "RULE_VERSION_NOT_FOUND",
    exists: "RULE_EXISTS",
    archived: "RULE_ARCHIVED",
    nothingToPublish: "RULE_NOTHING_TO_PUBLISH",
  },
  table: "rules",
  select: `select r.id, r.name, r.description, r.tags, r.owner, r.status, r.draft,
    r.published_version, v.definition as published, r.revision, r.disabled_at, r.disabled_reason,
    r.created_at, r.created_by,
    r.updated_at, r.updated_by
  from rules r left join rule_versions v on v.rule_id = r.id and v.version = r.published_version`,
  alias: "r",
  toView,
  versions: {
    table: "rule_versions",
    key: "rule_id",
    columns: ["definition", "name", "description", "tags"],
  },
  // Publishing switches a rule the engine disabled back on (failure_streaks.ts).
  publishResets: ["failing_cycles = 0", "disabled_at = null", "disabled_reason = null"],
};

function toView(row: RuleRow): RuleView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    owner: row.owner,
    status: row.status,
    version: row.published_version,
    draft: row.draft,
    published: row.published,
    revision: row.revision,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}
