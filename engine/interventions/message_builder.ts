/**
 * Building the messages of a batch of claimed sends: three statements for
 * the whole batch (the templates' published versions, the customers' data
 * and latest health, the rules' names), then each send's context is
 * assembled and its template rendered. A send whose template cannot render fails alone, with
 * the reason (a failure retrying cannot fix).
 */
import type { Queryable } from "../db/mod.ts";
import { isEngineError } from "../errors.ts";
import type { OutgoingMessage } from "../plugins/mod.ts";
import type { MessageBuilder } from "./dispatcher.ts";
import type { LinkSigner } from "./links.ts";
import type { ClaimedSend } from "./outbox.ts";
import type { TemplateContext } from "./template_context.ts";
import { contextFromRow, loadContextRows } from "./context.ts";
import { type RenderSource, TemplateRenderer } from "./templates/mod.ts";
import { trackedHtml } from "./tracking.ts";
import { unsubscribeUrl } from "./unsubscribe.ts";

/** A MessageBuilder over `db`, rendering with one renderer (compiled versions are cached). */
export function messageBuilder(
  db: Queryable,
  options: {
    signer: LinkSigner;
    publicUrl: string;
    now: () => Date;
    renderer?: TemplateRenderer;
  },
): MessageBuilder {
  const renderer = options.renderer ?? new TemplateRenderer();
  return async (sends) => {
    const [templates, customers, rules] = await Promise.all([
      publishedVersions(db, unique(sends.map((s) => s.templateId))),
      loadContextRows(db, unique(sends.map((s) => s.customerId)), options.now()),
      ruleNames(db, unique(sends.flatMap((s) => (s.ruleId ? [s.ruleId] : [])))),
    ]);
    return await Promise.all(sends.map(async (send) => {
      const template = templates.get(send.templateId);
      if (!template) {
        return {
          error: `template "${send.templateId}" is not published (archived since planning?)`,
        };
      }
      const unsubscribe = await unsubscribeUrl(options.signer, options.publicUrl, {
        customerId: send.customerId,
        channel: send.channel,
      });
      const row = customers.get(send.customerId);
      if (!row) return { error: `customer "${send.customerId}" no longer exists` };
      const context = contextFromRow(row, {
        rule: send.ruleId && send.ruleVersion !== null
          ? {
            id: send.ruleId,
            name: rules.get(send.ruleId) ?? send.ruleId,
            version: send.ruleVersion,
          }
          : null,
        publicUrl: options.publicUrl,
        unsubscribeUrl: unsubscribe,
      });
      try {
        const rendered = renderer.render(template, context);
        if (send.channel === "email" && rendered.html !== null) {
          rendered.html = await trackedHtml(rendered.html, {
            signer: options.signer,
            publicUrl: options.publicUrl,
            interventionId: send.id,
            untracked: [unsubscribe],
          });
        }
        return message(send, context, rendered, template, unsubscribe);
      } catch (error) {
        if (!isEngineError(error, "TEMPLATE_RENDER_FAILED")) throw error;
        return { error: error.message };
      }
    }));
  };
}

function message(
  send: ClaimedSend,
  context: TemplateContext,
  rendered: { subject: string | null; html: string | null; text: string },
  template: RenderSource,
  unsubscribe: string,
): OutgoingMessage {
  const email = send.customer.attributes.email;
  return {
    interventionId: String(send.id),
    dedupKey: send.idempotencyKey,
    channel: send.channel as OutgoingMessage["channel"],
    customer: {
      id: send.customerId,
      name: send.customer.name,
      email: typeof email === "string" ? email : null,
      timeZone: send.customer.timeZone,
      locale: context.customer.locale,
    },
    subject: send.channel === "email" ? rendered.subject : null,
    html: send.channel === "email" ? rendered.html : null,
    text: rendered.text,
    links: { unsubscribe },
    test: send.test,
    source: {
      ruleId: send.ruleId,
      templateId: template.id,
      templateVersion: template.version ?? 0,
    },
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

async function publishedVersions(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, RenderSource>> {
  const rows = await db.query<RenderSource>(
    `select t.id, v.version, v.definition from templates t
     join template_versions v on v.template_id = t.id and v.version = t.published_version
     where t.id = any($1::text[]) and t.status = 'published'`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

async function ruleNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; name: string }>(
    "select id, name from rules where id = any($1::text[])",
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}
