/**
 * Publishing a template: the draft, or an earlier version again (a
 * rollback), becomes the next version in `template_versions`, which is what
 * is sent from then on. Validated again first: the context may have changed
 * since the definition was saved.
 */
import type { Db, Queryable } from "../../db/mod.ts";
import {
  type DocumentChange,
  publishDraft,
  publishVersion,
  rollbackDocument,
} from "../../versioned/mod.ts";
import { assertSameChannel } from "./store.ts";
import { TEMPLATES, type TemplateView } from "./template_kind.ts";
import { type ValidatedTemplate, validateTemplateDefinition } from "./validate.ts";

/**
 * Publishes the draft as the next version, which is what is sent from then
 * on. The draft is validated again (the context may have changed since).
 */
export async function publishTemplate(
  db: Db,
  id: string,
  ifRevision: number,
  change: DocumentChange,
): Promise<TemplateView> {
  return await publishDraft(db, TEMPLATES, id, ifRevision, async (tx, before, draft) => {
    const checked = validateTemplateDefinition(draft, ["draft"]);
    return await publish(tx, before, checked, null, change);
  });
}

/** Publishes an earlier version's definition again, as a new version (also of an archived one). */
export async function rollbackTemplate(
  db: Db,
  id: string,
  toVersion: number,
  ifRevision: number,
  change: DocumentChange,
): Promise<TemplateView> {
  return await rollbackDocument(
    db,
    TEMPLATES,
    id,
    toVersion,
    ifRevision,
    async (tx, before, old) => {
      const checked = validateTemplateDefinition(old, ["definition"]);
      return await publish(tx, before, checked, toVersion, change);
    },
  );
}

/** Publishes `checked` as the template's next version: on the channel it was created for. */
async function publish(
  tx: Queryable,
  template: TemplateView,
  checked: ValidatedTemplate,
  restoredFrom: number | null,
  change: DocumentChange,
): Promise<TemplateView> {
  assertSameChannel(template, checked);
  const { definition, variables } = checked;
  const snapshot = { definition, name: template.name, variables };
  return await publishVersion(tx, TEMPLATES, template, snapshot, change, { restoredFrom });
}
