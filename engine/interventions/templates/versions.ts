/**
 * A template's published versions: its history, newest first, and single
 * versions for previews and sends. Versions never change once written.
 */
import type { Queryable } from "../../db/mod.ts";
import { EngineError } from "../../errors.ts";
import type { TemplateDefinition } from "./template_schema.ts";

/** A published version of a template. */
export interface TemplateVersion {
  version: number;
  definition: TemplateDefinition;
  name: string;
  variables: string[];
  publishedAt: string;
  publishedBy: string;
  restoredFrom: number | null;
  reason: string | null;
}

/** The published versions of a template, newest first; TEMPLATE_NOT_FOUND if there is none. */
export async function listTemplateVersions(
  db: Queryable,
  id: string,
): Promise<TemplateVersion[]> {
  await assertTemplateExists(db, id);
  const rows = await db.query<VersionRow>(
    `${SELECT_VERSION} where template_id = $1 order by version desc`,
    [id],
  );
  return rows.map(toVersion);
}

/** One published version; TEMPLATE_VERSION_NOT_FOUND if there is no such version. */
export async function getTemplateVersion(
  db: Queryable,
  id: string,
  version: number,
): Promise<TemplateVersion> {
  await assertTemplateExists(db, id);
  return await readVersion(db, id, version);
}

interface VersionRow {
  version: number;
  definition: TemplateDefinition;
  name: string;
  variables: string[];
  published_at: Date;
  published_by: string;
  restored_from: number | null;
  reason: string | null;
}

const SELECT_VERSION = `select version, definition, name, variables, published_at, published_by,
    restored_from, reason
  from template_versions`;

/** One version of a template known to exist; TEMPLATE_VERSION_NOT_FOUND if there is no such version. */
export async function readVersion(
  db: Queryable,
  id: string,
  version: number,
): Promise<TemplateVersion> {
  const [row] = await db.query<VersionRow>(
    `${SELECT_VERSION} where template_id = $1 and version = $2`,
    [id, version],
  );
  if (!row) {
    throw new EngineError(
      "TEMPLATE_VERSION_NOT_FOUND",
      `Template "${id}" has no version ${version}; GET /api/v1/templates/${id}/versions lists them`,
    );
  }
  return toVersion(row);
}

function toVersion(row: VersionRow): TemplateVersion {
  return {
    version: row.version,
    definition: row.definition,
    name: row.name,
    variables: row.variables,
    publishedAt: row.published_at.toISOString(),
    publishedBy: row.published_by,
    restoredFrom: row.restored_from,
    reason: row.reason,
  };
}

/** TEMPLATE_NOT_FOUND for template `id`. */
export function templateNotFound(id: string): EngineError {
  return new EngineError(
    "TEMPLATE_NOT_FOUND",
    `No template "${id}": GET /api/v1/templates lists them; POST /api/v1/templates creates one`,
  );
}

async function assertTemplateExists(db: Queryable, id: string): Promise<void> {
  const rows = await db.query("select 1 from templates where id = $1", [id]);
  if (rows.length === 0) throw templateNotFound(id);
}
