/** The keyring: AES-256-GCM per data type, bound to its field, and the email blind index. */
import { derivedKeys, isEncrypted, keyIdOf, Keyring } from "../../../../engine/privacy/mod.ts";
import { EngineError } from "../../../../engine/errors.ts";
import { measureSchema } from "../../../../engine/health/mod.ts";
import { assert, assertEquals, assertNotEquals, assertRejects } from "../../../helpers/assert.ts";
import { keyringOf, NEW_KEY, OLD_KEY } from "./keys.ts";

Deno.test("a value round-trips, names its key id, and encrypts differently each time", async () => {
  const keyring = await keyringOf(OLD_KEY);
  const a = await keyring.encrypt("name", "customers.name", "Ada Florist");
  const b = await keyring.encrypt("name", "customers.name", "Ada Florist");
  assert(isEncrypted(a));
  assert(!a.includes("Ada"));
  assertNotEquals(a, b); // a random IV each time: equal names do not look equal
  assertEquals(keyIdOf(a), keyring.activeKeyId("name"));
  assertEquals(await keyring.decrypt("customers.name", a), "Ada Florist");
  // Each data type has its own key.
  const email = await keyring.encrypt("contact", "customers.attributes.email", "ada@example.com");
  assertNotEquals(keyIdOf(email), keyIdOf(a));
});

Deno.test("a value copied into another field, or changed, does not decrypt", async () => {
  const keyring = await keyringOf(OLD_KEY);
  const name = await keyring.encrypt("name", "customers.name", "Ada Florist");
  const moved = await assertRejects(
    () => keyring.decrypt("in_app_messages.body", name),
    EngineError,
  );
  assertEquals(moved.code, "PII_DECRYPT_FAILED");
  const flipped = name.slice(0, -2) + (name.endsWith("A") ? "BA" : "AA");
  const changed = await assertRejects(
    () => keyring.decrypt("customers.name", flipped),
    EngineError,
  );
  assertEquals(changed.code, "PII_DECRYPT_FAILED");
});

Deno.test("plaintext from before encryption reads as it is; an unknown key id is named", async () => {
  const keyring = await keyringOf(NEW_KEY);
  assertEquals(await keyring.decrypt("customers.name", "Ada Florist"), "Ada Florist");
  const old = await (await keyringOf(OLD_KEY)).encrypt("name", "customers.name", "Ada");
  const error = await assertRejects(() => keyring.decrypt("customers.name", old), EngineError);
  assertEquals(error.code, "PII_KEY_MISSING");
  assert(error.message.includes(keyIdOf(old)!));
  // With the old key as a previous one, it reads.
  assertEquals(await (await keyringOf(NEW_KEY, [OLD_KEY])).decrypt("customers.name", old), "Ada");
});

Deno.test("the blind index ignores case and spaces, hides the address, and depends on the key", async () => {
  const keyring = await keyringOf(OLD_KEY);
  const index = await keyring.blindIndex("email", "Ada@Example.com ");
  assertEquals(await keyring.blindIndex("email", "ada@example.com"), index);
  assert(!index.includes("ada"));
  assert(index.startsWith(`${keyring.activeKeyId("index")}:`));
  const rotated = await keyringOf(NEW_KEY, [OLD_KEY]);
  const candidates = await rotated.blindIndexCandidates("email", "ada@example.com");
  assertEquals(candidates.includes(index), true); // rows not yet rotated are still found
  assertEquals(candidates.length, 2);
});

Deno.test("a key set without exactly one active key per purpose is refused, naming it", async () => {
  const twoActive = [...await derivedKeys(OLD_KEY, true), ...await derivedKeys(NEW_KEY, true)];
  const error = await assertRejects(() => Keyring.create(twoActive), EngineError);
  assertEquals(error.code, "PII_KEYS_INVALID");
  assert(error.message.includes("name keys: 2 active"));
  const inactive = await derivedKeys(OLD_KEY, false);
  const none = await assertRejects(() => Keyring.create(inactive), EngineError);
  assert(none.message.includes("0 active"));
});

Deno.test("a health model cannot count distinct values of a free-text property (stored encrypted)", () => {
  const measure = (property: string) =>
    measureSchema.safeParse({
      kind: "distinct_property",
      event: "feature_used",
      property,
      windowDays: 30,
    });
  assertEquals(measure("feature").success, true);
  const refused = measure("note");
  assertEquals(refused.success, false);
  assert(refused.error!.issues[0]!.message.includes("stored encrypted"));
});
