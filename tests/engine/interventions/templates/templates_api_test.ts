import { assert, assertEquals, assertRejects } from "../../../helpers/assert.ts";
import { withApi } from "../../../helpers/api.ts";
import { customer, NOW } from "../../../helpers/fixtures.ts";

const nudge = {
  channel: "email",
  subject: "{{customer.name}}, your profile is nearly there",
  html: "<p>Hi {{customer.name}}</p>",
  text: "Hi {{customer.name}}",
};
const warmer = { ...nudge, subject: "{{customer.name}}, couples are looking" };

Deno.test("a template goes from draft to published versions, with ETags, history and audit entries", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/templates", {
      id: "profile_nudge",
      name: "Profile nudge",
      definition: nudge,
    });
    assertEquals(created.status, 201);
    assertEquals(created.headers.get("location"), "/api/v1/templates/profile_nudge");
    assertEquals(created.headers.get("etag"), '"profile_nudge.1"');
    assertEquals([created.body.status, created.body.version, created.body.channel], [
      "draft",
      null,
      "email",
    ]);
    assertEquals(created.body.variables, ["customer.name"]);

    const withoutEtag = await api.call("POST", "/api/v1/templates/profile_nudge/publish");
    assertEquals([withoutEtag.status, withoutEtag.body.code], [428, "IF_MATCH_REQUIRED"]);
    const published = await api.call("POST", "/api/v1/templates/profile_nudge/publish", {
      reason: "first version",
    }, { "if-match": created.headers.get("etag")! });
    assertEquals(published.status, 200);
    assertEquals([published.body.status, published.body.version, published.body.draft], [
      "published",
      1,
      null,
    ]);

    // An edit from the old ETag conflicts; from the new one it makes a draft.
    const stale = await api.call("PUT", "/api/v1/templates/profile_nudge", {
      name: "Profile nudge",
      definition: warmer,
    }, { "if-match": created.headers.get("etag")! });
    assertEquals([stale.status, stale.body.code], [412, "ETAG_MISMATCH"]);
    assertEquals(stale.headers.get("etag"), '"profile_nudge.2"');
    const edited = await api.call("PUT", "/api/v1/templates/profile_nudge", {
      name: "Profile nudge",
      definition: warmer,
    }, { "if-match": published.headers.get("etag")! });
    assertEquals(edited.status, 200);
    assertEquals([edited.body.version, edited.body.draft.subject], [1, warmer.subject]);
    assertEquals(edited.body.published.subject, nudge.subject); // still what is sent
    // The channel is fixed: rules send the template on it.
    const otherChannel = await api.call("PUT", "/api/v1/templates/profile_nudge", {
      name: "Profile nudge",
      definition: { channel: "slack", text: "Hi" },
    }, { "if-match": edited.headers.get("etag")! });
    assertEquals([otherChannel.status, otherChannel.body.errors[0].path], [
      400,
      "definition.channel",
    ]);
    const second = await api.call("POST", "/api/v1/templates/profile_nudge/publish", undefined, {
      "if-match": edited.headers.get("etag")!,
    });
    assertEquals(second.body.version, 2);
    const nothing = await api.call("POST", "/api/v1/templates/profile_nudge/publish", undefined, {
      "if-match": second.headers.get("etag")!,
    });
    assertEquals([nothing.status, nothing.body.code], [409, "TEMPLATE_NOTHING_TO_PUBLISH"]);

    const rolled = await api.call("POST", "/api/v1/templates/profile_nudge/rollback", {
      version: 1,
      reason: "the old subject was opened more",
    }, { "if-match": second.headers.get("etag")! });
    assertEquals([rolled.status, rolled.body.version], [200, 3]);
    assertEquals(rolled.body.published.subject, nudge.subject);

    const versions = await api.call("GET", "/api/v1/templates/profile_nudge/versions");
    assertEquals(versions.body.items.map((v: { version: number }) => v.version), [3, 2, 1]);
    assertEquals(versions.body.items[0].restoredFrom, 1);
    assertEquals(versions.body.items[0].changes, [
      { path: "subject", before: warmer.subject, after: nudge.subject },
    ]);
    assertEquals(versions.body.items[1].changes, [
      { path: "subject", before: nudge.subject, after: warmer.subject },
    ]);
    assertEquals(versions.body.items[2].reason, "first version");
    assertEquals(versions.body.items[2].variables, ["customer.name"]);
    const missing = await api.call("POST", "/api/v1/templates/profile_nudge/rollback", {
      version: 9,
    }, { "if-match": rolled.headers.get("etag")! });
    assertEquals([missing.status, missing.body.code], [404, "TEMPLATE_VERSION_NOT_FOUND"]);

    const archived = await api.call("POST", "/api/v1/templates/profile_nudge/archive", {}, {
      "if-match": rolled.headers.get("etag")!,
    });
    assertEquals(archived.body.status, "archived");
    const afterArchive = await api.call("PUT", "/api/v1/templates/profile_nudge", {
      name: "Profile nudge",
    }, { "if-match": archived.headers.get("etag")! });
    assertEquals([afterArchive.status, afterArchive.body.code], [409, "TEMPLATE_ARCHIVED"]);

    const audit = await api.call("GET", "/api/v1/audit?subjectType=template&limit=50");
    assertEquals(audit.body.items.map((e: { action: string }) => e.action).reverse(), [
      "template.created",
      "template.published",
      "template.edited",
      "template.published",
      "template.rolled_back",
      "template.archived",
    ]);
    assert(audit.body.items.every((e: { actor: string }) => e.actor.startsWith("token:")));
    assertEquals(audit.body.items[1].reason, "the old subject was opened more");
    const verified = await api.call("GET", "/api/v1/audit/verify");
    assertEquals(verified.body.valid, true);

    const listed = await api.call("GET", "/api/v1/templates?status=archived&channel=email");
    assertEquals(listed.body.items.map((t: { id: string }) => t.id), ["profile_nudge"]);
    const none = await api.call("GET", "/api/v1/templates?channel=slack");
    assertEquals(none.body.items, []);
  }, { defaultTemplates: false });
});

Deno.test("an invalid template is refused with paths, lines and columns, and is not stored", async () => {
  await withApi(async (api) => {
    const bad = await api.call("POST", "/api/v1/templates", {
      id: "typo",
      name: "Typo",
      definition: { channel: "email", text: "Hi\n{{customer.nmae}}" },
    });
    assertEquals([bad.status, bad.body.code], [400, "VALIDATION_FAILED"]);
    assertEquals(bad.body.errors, [
      { path: "definition.subject", message: "is required: an email needs a subject line" },
      {
        path: "definition.text",
        message: 'line 2, column 3: unknown variable "customer.nmae". Did you mean ' +
          '"customer.name"? docs/templates.md lists the variables',
        line: 2,
        column: 3,
      },
    ]);
    assertEquals((await api.call("GET", "/api/v1/templates/typo")).status, 404);

    const body = { id: "twice", name: "Twice", definition: nudge };
    assertEquals((await api.call("POST", "/api/v1/templates", body)).status, 201);
    const again = await api.call("POST", "/api/v1/templates", body);
    assertEquals([again.status, again.body.code], [409, "TEMPLATE_EXISTS"]);
    const badId = await api.call("POST", "/api/v1/templates", { ...body, id: "Has Spaces" });
    assertEquals([badId.status, badId.body.errors[0].path], [400, "id"]);
  }, { defaultTemplates: false });
});

Deno.test("two publishes from the same ETag: one wins; versions are append-only", async () => {
  await withApi(async (api) => {
    const created = await api.call("POST", "/api/v1/templates", {
      id: "race",
      name: "Race",
      definition: nudge,
    });
    const etag = created.headers.get("etag")!;
    const results = await Promise.all(
      [1, 2].map(() =>
        api.call("POST", "/api/v1/templates/race/publish", undefined, { "if-match": etag })
      ),
    );
    assertEquals(results.map((r) => r.status).sort(), [200, 412]);
    const versions = await api.call("GET", "/api/v1/templates/race/versions");
    assertEquals(versions.body.items.length, 1);
    await assertRejects(
      () =>
        api.db.query("update template_versions set reason = 'edited' where template_id = 'race'"),
      Error,
    );
    await assertRejects(
      () => api.db.query("delete from template_versions where template_id = 'race'"),
      Error,
    );
  }, { defaultTemplates: false });
});

Deno.test("a preview renders the draft, the published or a given version for a real customer", async () => {
  await withApi(async (api) => {
    const { id: _id, ...fields } = customer("sup_rosen", {
      name: "Rosen & Dornen",
      vendorType: "florist",
      country: "AT",
      timeZone: "Europe/Vienna",
      signupDate: "2026-05-16",
      attributes: {
        locale: "de-AT",
        successManager: { name: "Mia Berger", email: "mia@success.example" },
      },
    });
    assertEquals((await api.call("PUT", "/api/v1/customers/sup_rosen", fields)).status, 201);
    await api.db.query(
      `insert into customer_health_latest (customer_id, health_id, score, at_risk_score,
         components, at_risk_factors, model_version, scored_at)
       values ('sup_rosen', 1, 41.5, 62, $1, '{}', 'default-1', $2)`,
      [{ engagement: { score: 30, value: 2, weight: 0.3 }, billing: { score: 100 } }, NOW],
    );
    const definition = {
      channel: "email",
      subject: "{{customer.name}}: {{owner.name}} here",
      html: '<p>{{customer.name}}</p><a href="{{links.booking}}">Book</a>',
      text: "{{#each health.components}}{{@key}}={{this}} {{/each}}{{customer.tenureDays}} days" +
        " {{links.unsubscribe}}",
      locales: { de: { subject: "Hallo {{customer.name}}", text: "Hallo {{owner.name}}" } },
    };
    const created = await api.call("POST", "/api/v1/templates", {
      id: "preview_me",
      name: "Preview me",
      definition,
    });
    const draft = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_rosen",
    });
    assertEquals(draft.status, 200);
    assertEquals(
      [draft.body.version, draft.body.locale, draft.body.subject, draft.body.html, draft.body.text],
      [null, "de", "Hallo Rosen & Dornen", null, "Hallo Mia Berger"],
    );
    assertEquals(draft.body.context.customer.locale, "de-AT");
    assertEquals(draft.body.context.health.components, { billing: 100, engagement: 30 });

    const english = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_rosen",
      locale: "en",
    });
    assertEquals(english.body, {
      templateId: "preview_me",
      version: null,
      channel: "email",
      locale: null,
      subject: "Rosen & Dornen: Mia Berger here",
      html: '<p>Rosen &amp; Dornen</p><a href="http://127.0.0.1:8080/book/sup_rosen">Book</a>',
      text: "billing=100 engagement=30 30 days http://127.0.0.1:8080/unsubscribe/preview",
      context: english.body.context,
    });
    assertEquals(english.body.context.links, {
      app: "http://127.0.0.1:8080",
      unsubscribe: "http://127.0.0.1:8080/unsubscribe/preview",
      booking: "http://127.0.0.1:8080/book/sup_rosen",
    });
    assertEquals([english.body.context.prediction, english.body.context.rule], [null, null]);

    // Published, then a new draft: the preview shows the draft unless a version is asked for.
    const published = await api.call("POST", "/api/v1/templates/preview_me/publish", {}, {
      "if-match": created.headers.get("etag")!,
    });
    const afterPublish = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_rosen",
      locale: "fr",
    });
    assertEquals([afterPublish.body.version, afterPublish.body.locale], [1, null]);
    await api.call("PUT", "/api/v1/templates/preview_me", {
      name: "Preview me",
      definition: { ...definition, locales: undefined, subject: "New {{customer.name}}" },
    }, { "if-match": published.headers.get("etag")! });
    const newDraft = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_rosen",
    });
    assertEquals([newDraft.body.version, newDraft.body.subject], [null, "New Rosen & Dornen"]);
    const v1 = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_rosen",
      version: 1,
    });
    assertEquals([v1.body.version, v1.body.subject], [1, "Hallo Rosen & Dornen"]);

    // A customer without attributes: English, the success team, no health yet.
    const { id: _plain, ...plainFields } = customer("sup_plain");
    await api.call("PUT", "/api/v1/customers/sup_plain", plainFields);
    const plain = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_plain",
    });
    assertEquals(plain.body.context.owner, { name: "Customer Success", email: null });
    assertEquals([plain.body.context.customer.locale, plain.body.context.health], ["en", null]);

    const nobody = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_nobody",
    });
    assertEquals([nobody.status, nobody.body.code], [404, "CUSTOMER_NOT_FOUND"]);
    const noVersion = await api.call("POST", "/api/v1/templates/preview_me/preview", {
      customerId: "sup_rosen",
      version: 7,
    });
    assertEquals([noVersion.status, noVersion.body.code], [404, "TEMPLATE_VERSION_NOT_FOUND"]);
    const noTemplate = await api.call("POST", "/api/v1/templates/nope/preview", {
      customerId: "sup_rosen",
    });
    assertEquals([noTemplate.status, noTemplate.body.code], [404, "TEMPLATE_NOT_FOUND"]);
  }, { defaultTemplates: false });
});

Deno.test("analysts read nothing of templates; managers edit and preview them", async () => {
  await withApi(async (api) => {
    const as = (role: "success-analyst" | "success-manager") => ({
      authorization: `Bearer ${api.tokens[role]}`,
    });
    const analyst = await api.call("GET", "/api/v1/templates", undefined, as("success-analyst"));
    assertEquals(analyst.status, 403);
    const manager = await api.call("POST", "/api/v1/templates", {
      id: "by_manager",
      name: "By a manager",
      definition: { channel: "in-app", text: "Hi {{customer.name}}" },
    }, as("success-manager"));
    assertEquals(manager.status, 201);
    assertEquals(manager.body.createdBy.startsWith("token:"), true);
  }, { defaultTemplates: false });
});
