/**
 * Where keys come from, and the start refusing keys that do not match the
 * database: a wrong key (same id, other bytes), no key with DATABASE_URL, and
 * the embedded default that makes a local key file once.
 */
import { EngineError } from "../../../../engine/errors.ts";
import { silentLogger } from "../../../../engine/log.ts";
import {
  type KeyFile,
  loadKeyMaterial,
  localKeyFilePath,
  openKeyring,
  sealText,
} from "../../../../engine/privacy/mod.ts";
import { assert, assertEquals, assertRejects } from "../../../helpers/assert.ts";
import { withTestDb } from "../../../helpers/db.ts";
import { NOW } from "../../../helpers/fixtures.ts";

const options = { now: NOW, log: silentLogger };

Deno.test("a key file whose key has the id the data uses but other bytes is refused at start", async () => {
  await withTestDb(async (db) => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/keys.json`;
      const made = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "cli/keys_generate.ts", "--file", path],
        cwd: new URL("../../../../", import.meta.url).pathname,
      }).output();
      assertEquals(made.code, 0, new TextDecoder().decode(made.stderr));
      assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
      await openKeyring(db, { PII_KEY_FILE: path, DATA_DIR: dir }, options);
      await sealText("name", "customers.name", "Ada"); // the keys are in use

      const file = JSON.parse(await Deno.readTextFile(path)) as KeyFile;
      const nameKey = file.keys.find((k) => k.purpose === "name")!;
      nameKey.key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      await Deno.writeTextFile(path, JSON.stringify(file));
      const error = await assertRejects(
        () => openKeyring(db, { PII_KEY_FILE: path, DATA_DIR: dir }, options),
        EngineError,
      );
      assertEquals(error.code, "PII_KEY_WRONG");
      assert(error.message.includes(`"${nameKey.id}"`), error.message);
      // keys:generate never replaces a key file.
      const again = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "cli/keys_generate.ts", "--file", path],
        cwd: new URL("../../../../", import.meta.url).pathname,
      }).output();
      assertEquals(again.code, 1);
      assert(new TextDecoder().decode(again.stderr).includes("never replaced"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("with DATABASE_URL and no key configured, the start is refused saying what to set", async () => {
  const error = await assertRejects(
    () =>
      loadKeyMaterial({ DATABASE_URL: "postgres://db.example/cs", DATA_DIR: ".data" }, {
        now: NOW,
        mayCreateLocal: true,
      }),
    EngineError,
  );
  assertEquals(error.code, "PII_KEYS_INVALID");
  assert(error.message.includes("PRIVACY_ENCRYPTION_KEY"), error.message);
});

Deno.test("the embedded database gets a local key file once, and is refused if it is lost", async () => {
  await withTestDb(async (db) => {
    const dir = await Deno.makeTempDir();
    try {
      const dataDir = `${dir}/data`;
      const first = await openKeyring(db, { DATA_DIR: dataDir }, options);
      assertEquals(first.source, { kind: "local", path: `${dataDir}-keys.json`, created: true });
      assertEquals(localKeyFilePath(`${dataDir}/`), `${dataDir}-keys.json`);
      const second = await openKeyring(db, { DATA_DIR: dataDir }, options);
      assertEquals(second.source.created, false);
      assertEquals(second.keyring.keys(), first.keyring.keys());

      await Deno.remove(`${dataDir}-keys.json`);
      const error = await assertRejects(
        () => openKeyring(db, { DATA_DIR: dataDir }, options),
        EngineError,
      );
      assertEquals(error.code, "PII_KEY_MISSING");
      assert(error.message.includes("restore the file"), error.message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
