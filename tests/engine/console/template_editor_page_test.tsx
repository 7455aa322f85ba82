/** The template editor's page for a role that may read templates but not change them. */
import type { Session } from "../../../engine/access/mod.ts";
import {
  storedValues,
  TemplateEditorPage,
} from "../../../engine/console/pages/template_editor.tsx";
import { assert } from "../../helpers/assert.ts";

Deno.test("TemplateEditorPage: a role that cannot write templates reads them, without inputs to change", async () => {
  const template = {
    id: "tip",
    name: "A tip",
    description: "Shown in the app",
    channel: "in-app" as const,
    status: "published" as const,
    version: 1,
    draft: null,
    published: { channel: "in-app" as const, text: "Hi {{customer.name}}" },
    variables: ["customer.name"],
    revision: 2,
    createdAt: "2026-06-15T12:00:00.000Z",
    createdBy: "test",
    updatedAt: "2026-06-15T12:00:00.000Z",
    updatedBy: "test",
  };
  const session = {
    user: { id: 1, email: "r@example.com", displayName: "Reader", role: "success-manager" },
    csrfToken: "token",
    draft: null,
  } as unknown as Session;
  const html = String(
    await (
      <TemplateEditorPage
        session={session}
        view={{
          template,
          channel: "in-app",
          values: storedValues(template),
          revision: 2,
          issues: [],
          preview: null,
          customer: "",
          locale: "",
          versions: [],
          canWrite: false,
        }}
      />
    ).toString(),
  );
  assert(html.includes("the editor is read-only"));
  assert(html.includes(' readonly=""'), "the parts are read-only");
  assert(!html.includes('name="name"') && !html.includes("Save draft"), html);
  assert(!html.includes("Roll back") && !html.includes("Preview"));
});
