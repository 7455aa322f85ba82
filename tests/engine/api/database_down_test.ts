import { assert, assertEquals } from "../../helpers/assert.ts";
import { withApi } from "../../helpers/api.ts";

Deno.test("a database lost while serving answers 503 DATABASE_UNAVAILABLE with Retry-After", async () => {
  await withApi(async (api) => {
    await api.db.close();
    const listed = await api.call("GET", "/api/v1/customers");
    assertEquals(listed.status, 503);
    assertEquals(listed.headers.get("content-type"), "application/problem+json");
    assertEquals(listed.headers.get("retry-after"), "5");
    assertEquals(listed.body.code, "DATABASE_UNAVAILABLE");
    assert(listed.body.detail.startsWith("The database stopped answering"), listed.body.detail);
  });
});
