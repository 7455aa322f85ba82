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
