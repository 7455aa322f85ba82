import { assertEquals, assertMatch } from "../../helpers/assert.ts";
import { addCustomers, withOffline } from "./helpers.ts";

Deno.test("PUT /plugins/offline/assignments/:caller - an admin gives a caller its customers; audited once per change", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1", "sup_2", "sup_3"]);
    const analyst = await test.client("success-analyst");
    const path = `/plugins/offline/assignments/${analyst.key}`;

    const set = await test.call("PUT", path, {
      body: { customerIds: ["sup_2", "sup_1"], reason: "Her book of business" },
    });
    assertEquals([set.status, set.body], [200, {
      caller: analyst.key,
      customerIds: ["sup_1", "sup_2"],
      revision: 1,
    }]);
    const same = await test.call("PUT", path, { body: { customerIds: ["sup_1", "sup_2"] } });
    assertEquals(same.body.revision, 1);
    const moved = await test.call("PUT", path, { body: { customerIds: ["sup_3"] } });
    assertEquals([moved.body.customerIds, moved.body.revision], [["sup_3"], 2]);

    const audit = await test.call("GET", "/api/v1/audit?subjectType=offline-caller");
    assertEquals(
      audit.body.items.map((
        e: Record<string, unknown>,
      ) => [e.action, e.subjectId, e.reason, e.after]),
      [
        ["offline.assignments_changed", analyst.key, null, { customerIds: ["sup_3"] }],
        [
          "offline.assignments_changed",
          analyst.key,
          "Her book of business",
          { customerIds: ["sup_1", "sup_2"] },
        ],
      ],
    );

    const listed = await test.call("GET", "/plugins/offline/assignments");
    assertEquals(listed.body.items, [{ caller: analyst.key, customerIds: ["sup_3"], revision: 2 }]);
    const one = await test.call("GET", path);
    assertEquals(one.body.customerIds, ["sup_3"]);

    const me = await test.call("GET", "/plugins/offline/me", { as: analyst });
    assertEquals(me.body, {
      caller: analyst.key,
      role: "success-analyst",
      readsAll: false,
      writesAll: false,
      customerIds: ["sup_3"],
      revision: 2,
    });
    const admin = await test.client("admin");
    const adminMe = await test.call("GET", "/plugins/offline/me", { as: admin });
    assertEquals([adminMe.body.readsAll, adminMe.body.writesAll], [true, true]);
  });
});

Deno.test("PUT /plugins/offline/assignments/:caller - refuses non-admins, unknown customers and tokens, with what to fix", async () => {
  await withOffline(async (test) => {
    await addCustomers(test.db, ["sup_1"]);
    const analyst = await test.client("success-analyst");
    const manager = await test.client("success-manager");
    const path = `/plugins/offline/assignments/${analyst.key}`;

    const own = await test.call("PUT", path, { as: analyst, body: { customerIds: ["sup_1"] } });
    assertEquals([own.status, own.body.code], [403, "FORBIDDEN"]);
    const list = await test.call("GET", "/plugins/offline/assignments", { as: manager });
    assertEquals(list.status, 403);

    const unknown = await test.call("PUT", path, { body: { customerIds: ["sup_1", "sup_9"] } });
    assertEquals([unknown.status, unknown.body.code], [422, "UNKNOWN_CUSTOMER"]);
    assertEquals(unknown.body.errors, [{ path: "customerIds[1]", message: 'no customer "sup_9"' }]);
    assertEquals((await test.call("GET", path)).body.customerIds, []);

    const noToken = await test.call("PUT", "/plugins/offline/assignments/token:99999", {
      body: { customerIds: [] },
    });
    assertEquals([noToken.status, noToken.body.code], [404, "TOKEN_NOT_FOUND"]);
    const notACaller = await test.call("PUT", "/plugins/offline/assignments/bob", {
      body: { customerIds: [] },
    });
    assertEquals([notACaller.status, notACaller.body.errors[0].path], [400, "caller"]);
    assertMatch(notACaller.body.errors[0].message, /token:<id>/);

    const nowhere = await test.call("GET", "/plugins/offline/nowhere");
    assertEquals([nowhere.status, nowhere.body.code], [404, "ROUTE_NOT_FOUND"]);
  });
});
