/** The default templates: installed once, cover the default rules, render for any customer. */
import { assert, assertEquals } from "../../../helpers/assert.ts";
import { withApi } from "../../../helpers/api.ts";
import { customer, NOW } from "../../../helpers/fixtures.ts";
import {
  installDefaultTemplates,
  listTemplates,
  loadTemplateChannels,
} from "../../../../engine/interventions/templates/mod.ts";
import {
  DEFAULT_RULE_PACKS,
  loadFactCatalog,
  packFiles,
  readRulePacks,
} from "../../../../engine/rules/mod.ts";

Deno.test("installDefaultTemplates() publishes the packs once, covering every template the default rules name", async () => {
  await withApi(async (api) => {
    const installed = await installDefaultTemplates(api.db, { now: NOW });
    assert(installed >= 10, `only ${installed} default templates`);
    assertEquals(await installDefaultTemplates(api.db, { now: NOW }), 0);

    const { items } = await listTemplates(api.db, { limit: 100 });
    assertEquals(items.length, installed);
    assert(items.every((t) => t.status === "published" && t.version === 1 && t.draft === null));
    const channels = new Map(items.map((t) => [t.id, t.channel]));
    const rules = await readRulePacks(await packFiles(DEFAULT_RULE_PACKS), {
      catalog: await loadFactCatalog(api.db),
    });
    const named = rules.flatMap((rule) => {
      const event = (rule.definition as { event: { type: string; params: Record<string, string> } })
        .event;
      return event.type === "intervention" ? [[event.params.template, event.params.channel]] : [];
    });
    assert(named.length >= 7, "the default rules name templates");
    for (const [template, channel] of named) {
      assertEquals(channels.get(template!), channel, `template ${template} on ${channel}`);
    }
    // Every channel has a default; at least two templates speak German.
    assertEquals([...new Set(channels.values())].sort(), ["email", "in-app", "slack", "webhook"]);
    const german = items.filter((t) => t.published?.locales?.de !== undefined);
    assert(german.length >= 2, `only ${german.length} templates in German`);
    assertEquals(
      [...(await loadTemplateChannels(api.db)).keys()].sort(),
      [...channels.keys()].sort(),
    );

    const audit = await api.call("GET", "/api/v1/audit?subjectType=template&limit=100");
    assert(audit.body.items.every((e: { actor: string }) => e.actor === "system:install"));
  }, { defaultTemplates: false });
});

Deno.test("every default template renders in every locale for customers with and without health", async () => {
  await withApi(async (api) => {
    await installDefaultTemplates(api.db, { now: NOW });
    const { id: _a, ...scored } = customer("sup_scored", {
      name: "Villa <Rosa> & Garden",
      vendorType: "venue",
      attributes: { successManager: { name: "Mia Berger", email: "mia@success.example" } },
    });
    const { id: _b, ...fresh } = customer("sup_fresh", { attributes: { locale: "de-DE" } });
    await api.call("PUT", "/api/v1/customers/sup_scored", scored);
    await api.call("PUT", "/api/v1/customers/sup_fresh", fresh);
    await api.db.query(
      `insert into customer_health_latest (customer_id, health_id, score, at_risk_score,
         components, at_risk_factors, model_version, scored_at)
       values ('sup_scored', 1, 38.25, 71, $1, '{}', 'default-1', $2)`,
      [{ engagement: { score: 20 }, adoption: { score: 45 }, billing: { score: 100 } }, NOW],
    );
    const { items } = await listTemplates(api.db, { limit: 100 });
    let renders = 0;
    for (const template of items) {
      const locales = ["en", ...Object.keys(template.published?.locales ?? {})];
      for (const customerId of ["sup_scored", "sup_fresh"]) {
        for (const locale of locales) {
          const where = `${template.id} for ${customerId} in ${locale}`;
          const preview = await api.call("POST", `/api/v1/templates/${template.id}/preview`, {
            customerId,
            locale,
          });
          assertEquals(preview.status, 200, `${where}: ${JSON.stringify(preview.body)}`);
          const { subject, html, text } = preview.body;
          assertEquals(preview.body.locale, locale === "en" ? null : locale, where);
          assert(text.trim().length > 20, `${where}: text ${text}`);
          assert(![subject, html, text].some((part) => part?.includes("{{")), where);
          if (template.channel === "email") {
            assert(subject.length > 5 && !subject.includes("\n"), `${where}: subject ${subject}`);
          } else {
            assertEquals([subject, html], [null, null], where);
          }
          if (customerId === "sup_scored" && html !== null) {
            assert(!html.includes("<Rosa>"), `${where}: the name is escaped in HTML`);
          }
          renders++;
        }
      }
    }
    assert(renders >= 30, `only ${renders} renders`);
  }, { defaultTemplates: false });
});
