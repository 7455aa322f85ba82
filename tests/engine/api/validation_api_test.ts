/** `GET /api/v1/validation`: the running engine's production validation, for admins. */
import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";

Deno.test("GET /api/v1/validation lists every check with its verdict; analysts may not see it", async () => {
  await withApi(async (api) => {
    const response = await api.call("GET", "/api/v1/validation");
    assertEquals(response.status, 200);
    const checks = response.body.results.map((r: { check: string }) => r.check);
    assertEquals(checks, [
      "database",
      "migrations",
      "churn model",
      "plugins",
      "endpoints",
      "configuration",
      "schedules",
      "health monitor",
      "encryption key",
      "audit chain",
    ]);
    const byCheck = new Map(
      response.body.results.map((r: { check: string; status: string }) => [r.check, r.status]),
    );
    assertEquals(byCheck.get("migrations"), "pass");
    assertEquals(byCheck.get("churn model"), "skip");
    // Without PII_KEY_FILE or PRIVACY_ENCRYPTION_KEY the deployment is not ready, and the
    // count says so.
    assertEquals(byCheck.get("encryption key"), "fail");
    assertEquals(response.body.ready, false);
    assert(response.body.problems >= 1);

    const analyst = await api.call("GET", "/api/v1/validation", undefined, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals(analyst.status, 403);
  }, { env: { ML_CHURN_PREDICTION_ENABLED: "false", PUBLIC_URL: "https://success.example.com" } });
});
