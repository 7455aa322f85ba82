/** `deno task ml:train` as a user runs it: from a CSV file, and from the engine's database. */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { createTestDbEnv, withDbAt } from "../helpers/db.ts";
import { runScript } from "../helpers/processes.ts";

const TELCO = "data/telco-customer-churn/telco-customer-churn.csv";
const SPLIT = "data/telco-customer-churn/telco-customer-churn.split.json";

Deno.test("ml:train --csv writes the ONNX file and its card, and names a bad column", async () => {
  const out = await Deno.makeTempDir({ prefix: "ml-train-" });
  try {
    const trained = await runScript("cli/ml_train.ts", [
      "--csv",
      TELCO,
      "--label",
      "Churn",
      "--split",
      SPLIT,
      "--out",
      out,
    ], {});
    assertEquals(trained.code, 0, trained.stderr);
    assertMatch(trained.stderr, /Training trees: \d+ trees kept of \d+/);
    assertMatch(
      trained.stdout,
      /Held-out test \(1409 rows\): ROC AUC 0\.8\d\d, PR AUC 0\.\d+, accuracy 0\.\d+ at 0\.5 \(majority class 0\.735\)/,
    );
    const files = [...Deno.readDirSync(out)].map((f) => f.name).sort();
    assertEquals(files, [
      "churn-1.0.0-telco-customer-churn.card.json",
      "churn-1.0.0-telco-customer-churn.card.md",
      "churn-1.0.0-telco-customer-churn.onnx",
    ]);
    const card = JSON.parse(await Deno.readTextFile(`${out}/${files[0]}`));
    assertEquals(card.data.rows.test, 1409);
    assert(card.metrics.test.rocAuc >= 0.825, `ROC AUC ${card.metrics.test.rocAuc}`);

    const missing = await runScript("cli/ml_train.ts", ["--csv", TELCO, "--label", "Left"], {});
    assertEquals(missing.code, 1);
    assertMatch(missing.stderr, /Left/);
    const noLabel = await runScript("cli/ml_train.ts", ["--csv", TELCO], {});
    assertMatch(noLabel.stderr, /--csv needs --label COLUMN/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("ml:train from the database registers the first model and activates it", async () => {
  const test = await createTestDbEnv();
  const out = await Deno.makeTempDir({ prefix: "ml-train-db-" });
  try {
    const seeded = await runScript("cli/seed.ts", [
      "--customers",
      "150",
      "--days",
      "270",
      "--history-weeks",
      "1",
    ], test.env);
    assertEquals(seeded.code, 0, seeded.stderr);
    const trained = await runScript(
      "cli/ml_train.ts",
      ["--out", out, "--max-trees", "40"],
      test.env,
    );
    assertEquals(trained.code, 0, trained.stderr);
    assertMatch(trained.stdout, /Model 1\.0\.0 is registered and active/);
    const models = await withDbAt(
      test.env,
      (db) =>
        db.query<{ version: string; status: string }>("select version, status from churn_models"),
    );
    assertEquals(models, [{ version: "1.0.0", status: "active" }]);
    const bad = await runScript("cli/ml_train.ts", ["--snapshots", "none"], test.env);
    assertMatch(bad.stderr, /--snapshots must be a whole number from 1 to 24, not "none"/);

    // A file dropped in: registered under a new version with its card, and activated.
    const imported = await runScript("cli/ml_import.ts", [
      `${out}/churn-1.0.0.onnx`,
      "--version",
      "2.0.0-imported",
      "--activate",
    ], test.env);
    assertEquals(imported.code, 0, imported.stderr);
    assertMatch(imported.stdout, /Model 2\.0\.0-imported from .* is registered and active/);
    // A model of other features (the Telco one) is refused, and the active model stays.
    const telco = await runScript("cli/ml_train.ts", [
      "--csv",
      TELCO,
      "--label",
      "Churn",
      "--out",
      out,
      "--max-trees",
      "5",
    ], {});
    assertEquals(telco.code, 0, telco.stderr);
    const refused = await runScript("cli/ml_import.ts", [
      `${out}/churn-1.0.0-telco-customer-churn.onnx`,
    ], test.env);
    assertEquals(refused.code, 1);
    assertMatch(refused.stderr, /features/);
    const active = await withDbAt(
      test.env,
      (db) =>
        db.query<{ version: string }>("select version from churn_models where status = 'active'"),
    );
    assertEquals(active, [{ version: "2.0.0-imported" }]);
  } finally {
    await Deno.remove(out, { recursive: true });
    await test.drop();
  }
});
