/**
 * A template's published versions: its history, newest first, and single
 * versions for previews and sends. Versions never change once written.
 */
import type { Queryable } from "../../db/mod.ts";
import { assertExists, listVersions, readVersion } from "../../versioned/mod.ts";
import { TEMPLATES, type TemplateVersion } from "./template_kind.ts";

/** The published versions of a template, newest first; TEMPLATE_NOT_FOUND if there is none. */
export async function listTemplateVersions(
  db: Queryable,
  id: string,
): Promise<TemplateVersion[]> {
  return await listVersions(db, TEMPLATES, id);
}

/** One published version; TEMPLATE_VERSION_NOT_FOUND if there is no such version. */
export async function getTemplateVersion(
  db: Queryable,
  id: string,
  version: number,
): Promise<TemplateVersion> {
  await assertExists(db, TEMPLATES, id);
  return await readVersion(db, TEMPLATES, id, version);
}
