import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { loadConfig } from "../../engine/config.ts";
import { EngineError } from "../../engine/errors.ts";

Deno.test("loadConfig() fills defaults and treats empty values as unset", () => {
  const config = loadConfig({ PORT: "", DATA_DIR: " ", UNRELATED: "x" });
  assertEquals(config.PORT, 8080);
  assertEquals(config.DATA_DIR, ".data");
  assertEquals(config.DATABASE_URL, undefined);
  assertEquals(config.DATA_RETENTION_DAYS, 730);
  assertEquals(config.CUSTOMER_SUCCESS_ENABLED, true);
  assertEquals(Object.isFrozen(config), true);
});

Deno.test("loadConfig() reports one line per bad variable, naming it", () => {
  const error = assertThrows(
    () =>
      loadConfig({
        PORT: "eighty",
        DATABASE_URL: "mysql://db",
        CUSTOMER_SUCCESS_ENABLED: "maybe",
        CYCLE_SCHEDULE: "hourly",
      }),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues.map((i) => i.path).sort(), [
    "CUSTOMER_SUCCESS_ENABLED",
    "CYCLE_SCHEDULE",
    "DATABASE_URL",
    "PORT",
  ]);
  assertEquals(error.message, "Invalid configuration: 4 environment variable(s) must be fixed");
});

Deno.test("loadConfig() checks CYCLE_SCHEDULE field by field", () => {
  const problemOf = (schedule: string) => {
    const error = assertThrows(() => loadConfig({ CYCLE_SCHEDULE: schedule }), EngineError);
    return error.issues[0]?.message;
  };
  assertEquals(problemOf("75 * * * *"), 'minute field "75": 75 is outside 0–59');
  assertEquals(
    problemOf("0 9 * * 0"),
    'day of week field "0": 0 is outside 1–7 (1 = Sunday … 7 = Saturday)',
  );
  assertEquals(problemOf("0 */0 * * *"), 'hour field "*/0": a step must be at least 1');
  assertEquals(problemOf("0 0 * 12-3 *"), 'month field "12-3": the range 12-3 runs backwards');
  assertEquals(
    problemOf("0 0 * * mon"),
    'day of week field "mon" is not understood: use *, a number, a range a-b, ' +
      "a step */n or a-b/n, or a list of those separated by commas",
  );
  for (const valid of ["*/15 * * * *", "0 6,18 1-15 * 1-5", "30 2 * 4-9/2 1"]) {
    assertEquals(loadConfig({ CYCLE_SCHEDULE: valid }).CYCLE_SCHEDULE, valid);
  }
});
