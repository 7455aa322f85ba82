/** What the rule builder's tests share: a valid rule, a stored one, the page's text decoded. */
import type { ConsoleClient, ConsoleTest } from "../../helpers/console.ts";
import { NOW } from "../../helpers/fixtures.ts";
import { createRule, loadFactCatalog } from "../../../engine/rules/mod.ts";

/** Who changes rules in these tests, outside the console. */
export const change = { actor: "test", now: NOW, requestId: null };

/** A valid definition: an email nudge for low health. */
export function lowHealth(threshold = 40) {
  return {
    conditions: { all: [{ fact: "healthScore", operator: "lessThan", value: threshold }] },
    event: {
      type: "intervention",
      params: {
        template: "onboarding_nudge",
        channel: "email",
        priority: 50,
        cooldownDays: 14,
        holdout: 0,
      },
    },
    priority: 5,
  };
}

/** Text as the page's HTML shows it, decoded. */
export function decoded(html: string): string {
  return html.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** What the validation endpoint answers for `definition`. */
export async function validate(client: ConsoleClient, origin: string, definition: string) {
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const response = await fetch(`${origin}/console/rules/validate`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: client.csrf, _page: "/console/rules/new", definition }),
  });
  return { status: response.status, body: await response.text() };
}

/** Rule `id` (low health), stored as a draft. */
export async function ruleExists(t: ConsoleTest, id = "low-health") {
  const context = { catalog: await loadFactCatalog(t.api.db) };
  return await createRule(
    t.api.db,
    {
      id,
      name: "Low health",
      description: "Health under 40",
      owner: "ana@example.com",
      definition: lowHealth(),
    },
    context,
    change,
  );
}
