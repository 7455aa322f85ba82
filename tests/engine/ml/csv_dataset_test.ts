import { assert, assertEquals, assertMatch, assertRejects } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { loadCsvDataset } from "../../../engine/ml/csv_dataset.ts";
import { encodeTable } from "../../../engine/ml/csv_encoding.ts";

/** Writes `text` to a temporary CSV file and returns its path. */
async function csvFile(text: string, name = "data.csv"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "csv_dataset_test_" });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, text);
  return path;
}

/** `n` rows of id, plan, charges and churned (every third churns). */
function rows(n: number, cell: (r: number) => Partial<Record<string, string>> = () => ({})) {
  const lines = ["id,plan,charges,churned"];
  for (let r = 0; r < n; r++) {
    const row = {
      id: `c-${r}`,
      plan: ["basic", "pro", "team"][r % 3]!,
      charges: String(10 + r * 1.5),
      churned: r % 3 === 0 ? "Yes" : "No",
      ...cell(r),
    };
    lines.push([row.id, row.plan, row.charges, row.churned].join(","));
  }
  return lines.join("\n") + "\n";
}

async function datasetError(text: string, label = "churned"): Promise<EngineError> {
  const file = await csvFile(text);
  const error = await assertRejects(() => loadCsvDataset({ file, label }), EngineError);
  assertEquals(error.code, "DATASET_INVALID");
  return error;
}

Deno.test("loadCsvDataset() names a missing label column and the columns there are", async () => {
  const error = await datasetError(rows(30), "Churn");
  assertMatch(error.message, /has no label column "Churn"; its columns are id, plan, charges/);
});

Deno.test("loadCsvDataset() refuses a constant label", async () => {
  const error = await datasetError(rows(30, () => ({ churned: "No" })));
  assertMatch(error.message, /Column "churned" holds only No in all 30 rows/);
});

Deno.test("loadCsvDataset() names the row of a label it cannot read", async () => {
  const error = await datasetError(rows(30, (r) => (r === 11 ? { churned: "Maybe" } : {})));
  assertMatch(error.message, /Column "churned", row 12: "Maybe" is not a label value/);
  const blank = await datasetError(rows(30, (r) => (r === 4 ? { churned: "" } : {})));
  assertMatch(blank.message, /Column "churned", row 5: is blank/);
});

Deno.test("loadCsvDataset() names the column and row of garbage in a numeric column", async () => {
  const error = await datasetError(rows(40, (r) => (r === 488 % 40 ? { charges: "abc" } : {})));
  assertEquals(
    error.message,
    `Column "charges", row 9: "abc" is not a number; fix the cell or leave it blank for a missing value`,
  );
});

Deno.test("loadCsvDataset() reads a blank numeric cell as a missing value", async () => {
  const file = await csvFile(rows(40, (r) => (r === 3 ? { charges: " " } : {})));
  const data = await loadCsvDataset({ file, label: "churned", testFraction: 0.25 });
  const charges = data.encoding.featureNames.indexOf("charges");
  const all = [data.train, data.test];
  const missing = all.flatMap((set) =>
    [...set.positions].filter((_, i) => Number.isNaN(set.features[i * 4 + charges]!))
  );
  assertEquals(missing, [3]);
});

Deno.test("loadCsvDataset() one-hot encodes text, skips identifiers and keeps the labels", async () => {
  const file = await csvFile(rows(40));
  const data = await loadCsvDataset({ file, label: "churned" });
  assertEquals(data.encoding.featureNames, ["plan=basic", "plan=pro", "plan=team", "charges"]);
  assertEquals(data.encoding.ignored, [{ column: "id", reason: "identifier" }]);
  assertEquals(data.encoding.label, { column: "churned", positive: ["Yes"], negative: ["No"] });
  assertEquals(data.train.labels.length + data.test.labels.length, 40);
  // Row 0 (basic, 10, churned) wherever it landed.
  const set = data.train.positions.includes(0) ? data.train : data.test;
  const i = set.positions.indexOf(0);
  assertEquals([...set.features.subarray(i * 4, i * 4 + 4)], [1, 0, 0, 10]);
  assertEquals(set.labels[i], 1);
});

Deno.test("loadCsvDataset() splits 80/20 stratified and the same way for a seed", async () => {
  const file = await csvFile(rows(300));
  const a = await loadCsvDataset({ file, label: "churned", seed: 7 });
  const b = await loadCsvDataset({ file, label: "churned", seed: 7 });
  assertEquals([...a.test.positions], [...b.test.positions]);
  assertEquals(a.test.labels.length, 60);
  assertEquals(a.test.labels.reduce((sum, label) => sum + label, 0), 20);
  assertEquals(a.split, "stratified 80/20, seed 42".replace("42", "7"));
});

Deno.test("loadCsvDataset() uses a split file and checks its positions", async () => {
  const file = await csvFile(rows(30));
  const splitFile = await csvFile(
    JSON.stringify({ train: [...Array(24).keys()], test: [24, 25, 26, 27, 28, 29] }),
    "split.json",
  );
  const data = await loadCsvDataset({ file, label: "churned", splitFile, ignore: ["id"] });
  assertEquals([...data.test.positions], [24, 25, 26, 27, 28, 29]);
  assertEquals(data.encoding.ignored, [{ column: "id", reason: "listed" }]);
  const outside = await csvFile(JSON.stringify({ train: [0, 1], test: [30] }), "split.json");
  const error = await assertRejects(
    () => loadCsvDataset({ file, label: "churned", splitFile: outside }),
    EngineError,
  );
  assertMatch(error.message, /lists position 30 in "test", but the data has 30 rows/);
});

Deno.test("loadCsvDataset() refuses an ignore list naming no column", async () => {
  const file = await csvFile(rows(30));
  const error = await assertRejects(
    () => loadCsvDataset({ file, label: "churned", ignore: ["customerID"] }),
    EngineError,
  );
  assertMatch(error.message, /The ignore list names "customerID", which is not a column/);
});

Deno.test("encodeTable() encodes unseen categories as no category, and ordinal as indexes", async () => {
  const file = await csvFile(rows(30));
  const data = await loadCsvDataset({ file, label: "churned", categorical: "ordinal" });
  assertEquals(data.encoding.featureNames, ["plan", "charges"]);
  const table = {
    source: "new.csv",
    columns: ["plan", "charges", "id"],
    rows: [["team", "5", "x"], ["enterprise", "", "y"], ["", "1e2", "z"]],
  };
  assertEquals([...encodeTable(table, data.encoding, Uint32Array.of(0, 1, 2))], [
    2,
    5,
    NaN,
    NaN,
    NaN,
    100,
  ]);
  const oneHot = await loadCsvDataset({ file, label: "churned" });
  const encoded = encodeTable(table, oneHot.encoding, Uint32Array.of(1, 2));
  assertEquals([...encoded], [0, 0, 0, NaN, NaN, NaN, NaN, 100]);
  assert(Number.isNaN(encoded[3]!), "blank charges is missing");
});
