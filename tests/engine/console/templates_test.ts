/**
 * The console's template editor over HTTP: who sees what, validation with
 * line and column beside the editor, the live preview for a chosen
 * customer on each channel, CSRF, publishing and rolling back with a reason
 * (audited like the API's), and a stale save refused with both versions.
 */
import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { type ConsoleClient, PASSWORD, withConsole } from "../../helpers/console.ts";
import { customer, NOW } from "../../helpers/fixtures.ts";
import { listAudit } from "../../../engine/audit/mod.ts";
import { upsertCustomers } from "../../../engine/signals/mod.ts";
import { getTemplate } from "../../../engine/interventions/templates/mod.ts";
import type { Db } from "../../../engine/db/mod.ts";

async function seedCustomers(db: Db): Promise<void> {
  await upsertCustomers(db, [
    customer("sup_0000001", { name: "Atelier Sommer" }),
    customer("sup_0000002", { name: "Rosa Blooms", attributes: { locale: "de" } }),
  ], { now: NOW });
}

/** The editor's fields of `id` as the page has them (name, parts, revision). */
function formOf(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields[match[1]!] = unescape(match[2]!);
  }
  for (const match of html.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) {
    fields[match[1]!] = unescape(match[2]!);
  }
  delete fields._csrf;
  delete fields.customer;
  return fields;
}

function unescape(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** POSTs `fields` to the preview endpoint as the editor's script does. */
async function preview(
  client: ConsoleClient,
  origin: string,
  fields: Record<string, string>,
  token = client.csrf,
): Promise<Response> {
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  return await fetch(`${origin}/console/template-preview`, {
    method: "POST",
    headers: { cookie, "X-CSRF-Token": token },
    body: new URLSearchParams(fields),
  });
}

Deno.test("console templates: managers and admins see the list and the editor, analysts neither", async () => {
  await withConsole(async (t) => {
    const manager = await t.signedIn("success-manager");
    const list = await manager.get("/console/templates");
    assertEquals(list.status, 200);
    assertMatch(
      list.html,
      /<a href="\/console\/templates\/onboarding_nudge">Finish your profile<\/a>/,
    );
    assertMatch(list.html, /<td data-label="Channel">slack<\/td>/);
    assertMatch(list.html, /New template/);
    const editor = await manager.get("/console/templates/owner_alert");
    assertEquals(editor.status, 200);
    assertMatch(editor.html, /<label for="tpl-text">Slack message \(mrkdwn\)<\/label>/);
    assertMatch(editor.html, /data-insert="\{\{customer.name\}\}"/);
    assertMatch(
      editor.html,
      /<script src="\/console\/static\/template_editor.js" defer=""><\/script>/,
    );
    assertEquals((await manager.get("/console/templates/nope")).status, 404);

    const analyst = await t.signedIn("success-analyst");
    for (const path of ["/console/templates", "/console/templates/owner_alert"]) {
      assertEquals((await analyst.get(path)).status, 403, path);
    }
    assertEquals((await analyst.get("/console/templates/new")).status, 403);
  });
});

Deno.test("console templates: a broken template is refused with line and column beside the editor, the text kept", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t.api.db);
    const admin = await t.signedIn("admin");
    const page = await admin.get("/console/templates/feature_tip");
    const form = formOf(page.html);
    const broken = "Hi {{customer.name}},\n{{#if health}Your score is {{health.score}}{{/if}}";
    const answer = await admin.post("/console/templates/feature_tip", {
      ...form,
      text: broken,
      _action: "save",
    });
    assertEquals(answer.status, 422);
    assertMatch(answer.html, /Nothing was saved: correct what is marked below\./);
    assertMatch(
      answer.html,
      /<ul class="editor-issues" id="tpl-text-errors" data-issues-for="text"><li class="error">line 2, column \d+: syntax error/,
    );
    assertMatch(answer.html, /<span class="ln marked">\{\{#if health\}Your score/);
    assertMatch(answer.html, /aria-invalid="true" aria-describedby="tpl-text-errors"/);
    assert(answer.html.includes("{{#if health}Your score is {{health.score}}{{/if}}</textarea>"));

    const unknown = await admin.post("/console/templates/feature_tip", {
      ...form,
      text: "Hi {{customer.nmae}}",
      _action: "save",
    });
    assertMatch(unknown.html, /line 1, column 6: unknown variable &quot;customer.nmae&quot;/);

    const noSubject = await admin.post("/console/templates/new", {
      id: "open_day",
      name: "Open day",
      channel: "email",
      subject: "",
      text: "Hi {{customer.name}}",
    });
    assertEquals(noSubject.status, 422);
    assertMatch(
      noSubject.html,
      /id="tpl-subject-errors"[^>]*><li class="error">is required: an email needs a subject line/,
    );
    assertMatch(noSubject.html, /value="open_day"/);
  });
});

Deno.test("console templates: the preview renders what is typed for the chosen customer, per channel", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t.api.db);
    const manager = await t.signedIn("success-manager");
    const page = await manager.get("/console/templates/onboarding_nudge");
    // The page renders the preview for the first customer.
    assertMatch(page.html, /Rendered for <strong>Atelier Sommer<\/strong>/);
    const form = formOf(page.html);

    const email = await preview(manager, t.origin, {
      ...form,
      template: "onboarding_nudge",
      text: "Dear {{customer.name}}, a new sentence.",
      customer: "rosa",
      locale: "",
    });
    assertEquals(email.status, 200);
    const emailView = await email.json();
    assertEquals(emailView.customer, { id: "sup_0000002", name: "Rosa Blooms" });
    // Rosa's locale is German: the de variant is rendered, subject included.
    assertMatch(emailView.html, /in the de variant/);
    assertMatch(emailView.html, /Rosa Blooms, Brautpaare suchen Sie/);
    assertMatch(emailView.html, /<iframe class="email-frame" sandbox="" srcdoc="[^"]*Rosa Blooms/);

    const base = await preview(manager, t.origin, {
      ...form,
      template: "onboarding_nudge",
      text: "Dear {{customer.name}}, a new sentence.",
      customer: "sup_0000001",
    });
    assertMatch((await base.json()).html, /Dear Atelier Sommer, a new sentence\./);

    const slack = await (await preview(manager, t.origin, {
      channel: "slack",
      template: "owner_alert",
      text: "*{{customer.name}}* needs a look <{{links.app}}|Open>",
      customer: "Atelier",
    })).json();
    assertMatch(slack.html, /<strong>Atelier Sommer<\/strong> needs a look <a href="http/);

    const inApp = await (await preview(manager, t.origin, {
      channel: "in-app",
      template: "feature_tip",
      text: "**Hi {{customer.name}}**\n\n- add a couple",
      customer: "sup_0000002",
    })).json();
    assertMatch(inApp.html, /In-app inbox/);
    assertMatch(
      inApp.html,
      /<p><strong>Hi Rosa Blooms<\/strong><\/p><ul><li>add a couple<\/li><\/ul>/,
    );

    const broken = await (await preview(manager, t.origin, {
      channel: "in-app",
      template: "feature_tip",
      text: "Hi\n{{#if health}",
      customer: "",
    })).json();
    assertEquals(broken.issues[0].field, "text");
    assertEquals(broken.issues[0].line, 2);

    const nobody = await (await preview(manager, t.origin, {
      channel: "in-app",
      text: "Hi",
      customer: "nobody at all",
    })).json();
    assertMatch(
      nobody.html,
      /No customer has the id or a name containing &quot;nobody at all&quot;/,
    );

    const picked = await manager.get("/console/template-customers?q=blooms");
    assertMatch(picked.html, /"id":"sup_0000002","name":"Rosa Blooms"/);
  });
});

Deno.test("console templates: the preview and every form need the session's CSRF token", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t.api.db);
    const manager = await t.signedIn("success-manager");
    await manager.get("/console/templates/feature_tip");
    const refused = await preview(manager, t.origin, { channel: "in-app", text: "Hi" }, "forged");
    assertEquals(refused.status, 403);
    const before = await getTemplate(t.api.db, "feature_tip");
    const save = await manager.post("/console/templates/feature_tip", {
      _csrf: "forged",
      name: "Hijacked",
      text: "Hi",
      revision: String(before.revision),
      _action: "save",
    });
    assertEquals(save.status, 403);
    assertMatch(save.html, /This form cannot be accepted/);
    assertEquals((await getTemplate(t.api.db, "feature_tip")).name, before.name);
  });
});

Deno.test("console templates: publish needs a reason and is audited; rollback publishes an earlier version again", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t.api.db);
    const manager = await t.signedIn("success-manager", "ben@example.com");
    const form = formOf((await manager.get("/console/templates/feature_tip")).html);
    const text = "New tip for {{customer.name}}: add your first couple.";

    const noReason = await manager.post("/console/templates/feature_tip", {
      ...form,
      text,
      reason: " ",
      _action: "publish",
    });
    assertEquals(noReason.status, 422);
    assertMatch(noReason.html, /id="tpl-reason-error">is required: say why/);
    assert(noReason.html.includes(`${text}</textarea>`), "the typed text is kept");
    assertEquals((await getTemplate(t.api.db, "feature_tip")).version, 1);

    const published = await manager.post("/console/templates/feature_tip", {
      ...form,
      text,
      reason: "clearer tip",
      _action: "publish",
    });
    assertEquals(published.status, 303);
    assertEquals(published.location, "/console/templates/feature_tip?done=published");
    const after = await getTemplate(t.api.db, "feature_tip");
    assertEquals([after.version, after.published?.text, after.draft], [2, text, null]);
    const audit = await listAudit(t.api.db, { limit: 10, subjectType: "template" });
    const entry = audit.entries.find((e) => e.action === "template.published")!;
    assertEquals([entry.reason, entry.subjectId], ["clearer tip", "feature_tip"]);
    assertMatch(entry.actor, /^user:/);

    const page = await manager.get(published.location!);
    assertMatch(page.html, /Published: this version is sent from now on\./);
    assertMatch(page.html, /<strong>Version 2<\/strong> \(published: this is sent\)/);
    assertMatch(page.html, /reason: clearer tip/);
    assertMatch(
      page.html,
      /<span class="dl added"><span class="visually-hidden">added: <\/span>\+ New tip/,
    );

    const revision = formOf(page.html).revision!;
    const noRollbackReason = await manager.post("/console/templates/feature_tip/rollback", {
      version: "1",
      revision,
      reason: "",
    });
    assertEquals(noRollbackReason.status, 422);
    const rolledBack = await manager.post("/console/templates/feature_tip/rollback", {
      version: "1",
      revision,
      reason: "the old one converted better",
    });
    assertEquals(rolledBack.status, 303);
    const restored = await getTemplate(t.api.db, "feature_tip");
    assertEquals(restored.version, 3);
    assertEquals(restored.published?.text, form.text);
    const rollbackEntry = (await listAudit(t.api.db, { limit: 5, action: "template.rolled_back" }))
      .entries[0]!;
    assertEquals(rollbackEntry.reason, "the old one converted better");
  });
});

Deno.test("console templates: a save from a stale form is refused with both versions shown", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t.api.db);
    const ana = await t.signedIn("admin", "ana@example.com");
    const ben = await t.signedIn("success-manager", "ben@example.com");
    const anaForm = formOf((await ana.get("/console/templates/feature_tip")).html);
    const benForm = formOf((await ben.get("/console/templates/feature_tip")).html);
    const first = await ben.post("/console/templates/feature_tip", {
      ...benForm,
      text: "Ben's version for {{customer.name}}",
      _action: "save",
    });
    assertEquals(first.status, 303);

    const stale = await ana.post("/console/templates/feature_tip", {
      ...anaForm,
      text: "Ana's version for {{customer.name}}",
      _action: "save",
    });
    assertEquals(stale.status, 409);
    assertMatch(stale.html, /Someone else changed this template/);
    assertMatch(stale.html, /<span class="dl removed">[^]*?- Ben&#39;s version/);
    assertMatch(stale.html, /<span class="dl added">[^]*?\+ Ana&#39;s version/);
    assert(stale.html.includes("Ana&#39;s version for {{customer.name}}</textarea>"));
    assertEquals(
      (await getTemplate(t.api.db, "feature_tip")).draft?.text,
      "Ben's version for {{customer.name}}",
    );
    // Saving again from the conflict page replaces Ben's draft, knowingly.
    const again = await ana.post("/console/templates/feature_tip", {
      ...formOf(stale.html),
      _action: "save",
    });
    assertEquals(again.status, 303);
    assertEquals(
      (await getTemplate(t.api.db, "feature_tip")).draft?.text,
      "Ana's version for {{customer.name}}",
    );
  });
});

Deno.test("console templates: a new template is created as a draft and can then be published", async () => {
  await withConsole(async (t) => {
    await seedCustomers(t.api.db);
    const manager = await t.signedIn("success-manager");
    await manager.get("/console/templates/new");
    const created = await manager.post("/console/templates/new", {
      id: "open_day",
      name: "Open day",
      channel: "slack",
      text: "*{{customer.name}}* has an open day",
    });
    assertEquals(created.status, 303);
    const page = await manager.get(created.location!);
    assertMatch(page.html, /Created the template as a draft/);
    assertMatch(page.html, /Not published yet/);
    const taken = await manager.post("/console/templates/new", {
      id: "open_day",
      name: "Again",
      channel: "slack",
      text: "Hi",
    });
    assertEquals(taken.status, 422);
    assertMatch(taken.html, /id="tpl-id-error">another template has this id/);
  });
});

Deno.test("console templates: text typed into an editor whose session ended comes back after signing in", async () => {
  await withConsole(async (t) => {
    const manager = await t.signedIn("success-manager");
    const form = formOf((await manager.get("/console/templates/feature_tip")).html);
    t.clock.advance(31 * 60_000);
    const sent = await manager.post("/console/templates/feature_tip", {
      ...form,
      text: "Typed while away, {{customer.name}}",
      _action: "save",
    });
    assertEquals(sent.status, 401);
    const draft = sent.html.match(/name="draft" value="([^"]+)"/)![1]!;
    const back = await manager.post("/console/sign-in", {
      _sign_in: manager.signInToken,
      return: "/console/templates/feature_tip",
      draft: unescape(draft),
      email: "success-manager@example.com",
      password: PASSWORD,
    });
    assertEquals(back.location, "/console/templates/feature_tip");
    const page = await manager.get("/console/templates/feature_tip");
    assertMatch(page.html, /This is what you had typed before your session ended/);
    assert(page.html.includes("Typed while away, {{customer.name}}</textarea>"));
    assertEquals((await getTemplate(t.api.db, "feature_tip")).draft, null, "nothing saved yet");
    // Offered once.
    const again = await manager.get("/console/templates/feature_tip");
    assert(!again.html.includes("Typed while away"));
  });
});

Deno.test("console templates: a locale variant is added to the form, and saved once written", async () => {
  await withConsole(async (t) => {
    const manager = await t.signedIn("success-manager");
    const form = formOf((await manager.get("/console/templates/owner_alert")).html);
    const bad = await manager.post("/console/templates/owner_alert", {
      ...form,
      newLocale: "French",
      _action: "add-locale",
    });
    assertMatch(bad.html, /id="tpl-newLocale-error">must be a language like de/);
    const added = await manager.post("/console/templates/owner_alert", {
      ...form,
      newLocale: "fr",
      _action: "add-locale",
    });
    assertEquals(added.status, 200);
    assertMatch(
      added.html,
      /<details class="locale" open=""><summary>Locale variant fr<\/summary>/,
    );
    assertMatch(added.html, /<textarea id="tpl-locales-fr-text" name="locales.fr.text"/);
    assertEquals((await getTemplate(t.api.db, "owner_alert")).draft, null, "nothing saved yet");
    const saved = await manager.post("/console/templates/owner_alert", {
      ...formOf(added.html),
      "locales.fr.text": "*{{customer.name}}* a besoin d'aide",
      _action: "save",
    });
    assertEquals(saved.status, 303);
    assertEquals(
      (await getTemplate(t.api.db, "owner_alert")).draft?.locales?.fr?.text,
      "*{{customer.name}}* a besoin d'aide",
    );
  });
});
