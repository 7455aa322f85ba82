/**
 * Publishing a template: the draft, or an earlier version again (a
 * rollback), becomes the next version in `template_versions`, which is what
 * is sent from then on. Validated again first: the context may have changed
 * since the definition was saved.
 */
import { EngineError } from "../../errors.ts";
import type { Db, Queryable } from "../../db/mod.ts";
import {
  archived,
  assertSameChannel,
  auditTemplateChange,
  getTemplate,
  lockTemplate,
  type TemplateChange,
  type TemplateView,
} from "./store.ts";
import { type ValidatedTemplate, validateTemplateDefinition } from "./validate.ts";
import { readVersion } from "./versions.ts";

/**
 * Publishes the draft as the next version, which is what is sent from then
 * on. The draft is validated again (the context may have changed since).
 */
export async function publishTemplate(
  db: Db,
  id: string,
  ifRevision: number,
  change: TemplateChange,
): Promise<TemplateView> {
  return await db.transaction(async (tx) => {
    const before = await lockTemplate(tx, id, ifRevision);
    if (before.status === "archived") throw archived(id);
    if (before.draft === null) {
      throw new EngineError(
        "TEMPLATE_NOTHING_TO_PUBLISH",
        `Template "${id}" has no draft: version ${before.version} is published already. Edit ` +
          "it (PUT) to make a draft, or roll back to an earlier version",
      );
    }
    const checked = validateTemplateDefinition(before.draft, ["draft"]);
    return await publishVersion(tx, before, checked, null, change);
  });
}

/** Publishes an earlier version's definition again, as a new version (also of an archived one). */
export async function rollbackTemplate(
  db: Db,
  id: string,
  toVersion: number,
  ifRevision: number,
  change: TemplateChange,
): Promise<TemplateView> {
  return await db.transaction(async (tx) => {
    const before = await lockTemplate(tx, id, ifRevision);
    const old = await readVersion(tx, id, toVersion);
    const checked = validateTemplateDefinition(old.definition, ["definition"]);
    return await publishVersion(tx, before, checked, toVersion, change);
  });
}

async function publishVersion(
  tx: Queryable,
  template: TemplateView,
  checked: ValidatedTemplate,
  restoredFrom: number | null,
  change: TemplateChange,
): Promise<TemplateView> {
  assertSameChannel(template, checked);
  const [top] = await tx.query<{ max: number | null }>(
    "select max(version) as max from template_versions where template_id = $1",
    [template.id],
  );
  const next = (top?.max ?? 0) + 1;
  await tx.query(
    `insert into template_versions (template_id, version, definition, name, variables,
       published_at, published_by, restored_from, reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      template.id,
      next,
      checked.definition,
      template.name,
      checked.variables,
      change.now,
      change.actor,
      restoredFrom,
      change.reason ?? null,
    ],
  );
  await tx.query(
    `update templates set status = 'published', published_version = $2, draft = null,
       draft_variables = null, revision = revision + 1, updated_at = $3, updated_by = $4
     where id = $1`,
    [template.id, next, change.now, change.actor],
  );
  const after = await getTemplate(tx, template.id);
  const action = restoredFrom === null ? "template.published" : "template.rolled_back";
  await auditTemplateChange(tx, change, action, template.id, template, after);
  return after;
}
