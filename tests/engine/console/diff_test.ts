/** The audit viewer's field-level diff. */
import { assertEquals } from "../../helpers/assert.ts";
import { diffFields } from "../../../engine/console/diff.ts";

Deno.test("diffFields() lists added, removed and changed leaves by path, not unchanged ones", () => {
  assertEquals(
    diffFields(
      { name: "Trial", tags: ["a", "b"], conditions: { all: [{ fact: "health", value: 40 }] } },
      {
        name: "Trial",
        tags: ["a"],
        conditions: { all: [{ fact: "health", value: 35 }] },
        on: true,
      },
    ),
    [
      { path: "conditions.all[0].value", kind: "changed", before: "40", after: "35" },
      { path: "on", kind: "added", after: "true" },
      { path: "tags[1]", kind: "removed", before: '"b"' },
    ],
  );
});

Deno.test("diffFields() shows a created subject as all added and empty containers as values", () => {
  assertEquals(diffFields(null, { id: 3, tags: [], meta: {} }), [
    { path: "id", kind: "added", after: "3" },
    { path: "meta", kind: "added", after: "{}" },
    { path: "tags", kind: "added", after: "[]" },
  ]);
  assertEquals(diffFields({ a: 1 }, { a: 1 }), []);
});
