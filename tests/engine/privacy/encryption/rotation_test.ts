/**
 * Key rotation: every value moves to the new keys in batches, an interrupted
 * run resumes, nothing personal is lost on the way, and the old keys are
 * retired so the engine starts without them.
 */
import { EngineError } from "../../../../engine/errors.ts";
import { silentLogger } from "../../../../engine/log.ts";
import {
  derivedKeys,
  openKeyring,
  registeredKeys,
  rotateKeys,
} from "../../../../engine/privacy/mod.ts";
import { assert, assertEquals, assertRejects } from "../../../helpers/assert.ts";
import { withTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";
import { NEW_KEY, OLD_KEY } from "./keys.ts";
import { allStoredText, assertPersonalDataReadable, plantPersonalData } from "./personal_data.ts";

const start = (key: string, previous?: string) =>
  ({
    PRIVACY_ENCRYPTION_KEY: key,
    ...(previous === undefined ? {} : { PRIVACY_ENCRYPTION_KEY_PREVIOUS: previous }),
    DATA_DIR: "unused",
  }) as const;
const options = { now: NOW, log: silentLogger };

Deno.test("keys:rotate moves every value to the new keys, resumes when interrupted, and retires the old ones", async () => {
  await withTestDb(async (db) => {
    await openKeyring(db, start(OLD_KEY), options);
    await plantPersonalData(db);
    const oldIds = (await derivedKeys(OLD_KEY, false)).map((k) => k.id).sort();

    await openKeyring(db, start(NEW_KEY, OLD_KEY), options);
    // Interrupted after two batches of one row: some rows moved, others not yet.
    const first = await rotateKeys(db, { batchSize: 1, maxBatches: 2, now: NOW });
    assertEquals([first.complete, first.retired], [false, []]);
    assertEquals(first.tables.map((t) => [t.table, t.done, t.total]), [["customers", 2, 3]]);
    assert(first.remaining > 0);
    await assertPersonalDataReadable(db); // midway, every value reads (old key still configured)

    const second = await rotateKeys(db, { batchSize: 2, now: NOW });
    assertEquals(second.complete, true);
    assertEquals(second.remaining, 0);
    assertEquals(second.tables.map((t) => [t.table, t.done]), [
      ["customers", 1],
      ["usage_events", 2],
      ["in_app_messages", 1],
      ["template_test_sends", 0],
      ["marketing_outbox", 0],
      ["offline_push_receipts", 0],
      ["success_interventions", 0],
    ]);
    assertEquals(second.retired.sort(), oldIds);
    const stored = (await allStoredText(db)).join("\n");
    // Values name their key as "<id>:" (pii_keys still lists the id, retired).
    for (const id of oldIds) assert(!stored.includes(`${id}:`), `${id} is still used`);
    assert(!stored.includes("Legacy Lavender"), "the plaintext row from before was encrypted");

    // The old key removed from the configuration: the engine starts and reads everything.
    await openKeyring(db, start(NEW_KEY), options);
    await assertPersonalDataReadable(db);
    const again = await rotateKeys(db, { batchSize: 2, now: NOW });
    assertEquals([again.remaining, again.tables.every((t) => t.total === 0)], [0, true]);
  });
});

Deno.test("removing the old key before rotation finished stops the start, naming the key", async () => {
  await withTestDb(async (db) => {
    await openKeyring(db, start(OLD_KEY), options);
    await plantPersonalData(db);
    await openKeyring(db, start(NEW_KEY, OLD_KEY), options);
    await rotateKeys(db, { batchSize: 1, maxBatches: 1, now: NOW });
    const error = await assertRejects(() => openKeyring(db, start(NEW_KEY), options), EngineError);
    assertEquals(error.code, "PII_KEY_MISSING");
    const oldIds = (await derivedKeys(OLD_KEY, false)).map((k) => k.id);
    assert(oldIds.some((id) => error.message.includes(`"${id}"`)), error.message);
    assert(error.message.includes("PRIVACY_ENCRYPTION_KEY_PREVIOUS"), error.message);
    // Nothing was lost: with the old key back, every value reads.
    await openKeyring(db, start(NEW_KEY, OLD_KEY), options);
    await assertPersonalDataReadable(db);
    assertEquals((await registeredKeys(db)).every((k) => k.retiredAt === null), true);
  });
});
