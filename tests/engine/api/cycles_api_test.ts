import { assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";

Deno.test("GET /api/v1/cycles/schedule shows the schedule, its next runs and the policies", async () => {
  await withApi(async (api) => {
    const schedule = await api.call("GET", "/api/v1/cycles/schedule");
    assertEquals(schedule.status, 200);
    // NOW is 2026-06-15T12:00:00Z; every 15 minutes.
    assertEquals(schedule.body, {
      schedule: "*/15 * * * *",
      timeZone: "UTC",
      enabled: true,
      nextRuns: [
        "2026-06-15T12:15:00.000Z",
        "2026-06-15T12:30:00.000Z",
        "2026-06-15T12:45:00.000Z",
        "2026-06-15T13:00:00.000Z",
        "2026-06-15T13:15:00.000Z",
      ],
      catchUp: "skip",
      leaseSeconds: 60,
      ruleFailureLimit: 3,
    });
    const analyst = await api.call("GET", "/api/v1/cycles/schedule", undefined, {
      authorization: `Bearer ${api.tokens["success-analyst"]}`,
    });
    assertEquals(analyst.status, 200);
  }, { env: { CYCLE_SCHEDULE: "*/15 * * * *", CYCLE_CATCH_UP: "skip" } });
});
