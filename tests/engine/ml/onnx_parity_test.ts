import { assert, assertEquals } from "../../helpers/assert.ts";
import { encodeOnnxModel } from "../../../engine/ml/onnx_export.ts";
import { decodeOnnxModel } from "../../../engine/ml/onnx_import.ts";
import { type ChurnScorer, loadChurnScorer } from "../../../engine/ml/scorer.ts";
import { predictProbabilities, type TreeEnsemble } from "../../../engine/ml/trees.ts";
import { sklearnStyleClassifier, splitModes, withEverySplitMode } from "./_onnx_fixtures.ts";
import { randomEnsemble, randomRows } from "./_random_ensemble.ts";

const model = randomEnsemble({ trees: 100, depth: 6, features: 20, seed: 2026 });
const ROWS = 6000;
const rows = randomRows(model, ROWS, 42);
const expected = predictProbabilities(model, rows);

async function scorers(bytes: Uint8Array): Promise<[ChurnScorer, ChurnScorer]> {
  const options = { featureNames: model.featureNames };
  const ort = await loadChurnScorer(bytes, { ...options, prefer: "onnxruntime" });
  const ts = await loadChurnScorer(bytes, { ...options, prefer: "typescript" });
  assertEquals([ort.kind, ts.kind], ["onnxruntime", "typescript"], ort.reason);
  return [ort, ts];
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  assertEquals(a.length, b.length);
  return a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);
}

function missingAndTies(m: TreeEnsemble): { missing: number; ties: number } {
  let missing = 0;
  let ties = 0;
  const thresholds = new Set(m.trees.flatMap((t) => t.threshold));
  for (const value of rows) {
    if (Number.isNaN(value)) missing++;
    else if (thresholds.has(value)) ties++;
  }
  return { missing, ties };
}

Deno.test("onnxruntime-node and the TypeScript model agree to 1e-6 on 6,000 rows (100 trees, depth 6)", async () => {
  const { missing, ties } = missingAndTies(model);
  assert(missing > 1000 && ties > 5000, `rows exercise NaN (${missing}) and ties (${ties})`);
  const bytes = encodeOnnxModel(model, { version: "parity" });
  const [ort, ts] = await scorers(bytes);
  try {
    const fromOrt = await ort.score(rows, ROWS);
    assert(
      maxDifference(fromOrt, expected) <= 1e-6,
      `max difference ${maxDifference(fromOrt, expected)}`,
    );
    // The fallback scores the decoded file: exactly the trained model.
    assertEquals(await ts.score(rows, ROWS), expected);
  } finally {
    await ort.close();
  }
});

Deno.test("BRANCH_LT, BRANCH_GT and BRANCH_GTE splits are read as onnxruntime reads them", async () => {
  const bytes = withEverySplitMode(encodeOnnxModel(model, { version: "modes" }));
  assertEquals(splitModes(bytes), ["BRANCH_GT", "BRANCH_GTE", "BRANCH_LEQ", "BRANCH_LT", "LEAF"]);
  const [ort, ts] = await scorers(bytes);
  try {
    const fromOrt = await ort.score(rows, ROWS);
    const fromTs = await ts.score(rows, ROWS);
    assert(
      maxDifference(fromOrt, expected) <= 1e-6,
      `onnxruntime ${maxDifference(fromOrt, expected)}`,
    );
    assert(
      maxDifference(fromTs, expected) <= 1e-6,
      `typescript ${maxDifference(fromTs, expected)}`,
    );
  } finally {
    await ort.close();
  }
});

Deno.test("a binary TreeEnsembleClassifier as skl2onnx writes it scores the same in both scorers", async () => {
  const bytes = sklearnStyleClassifier(model);
  const decoded = decodeOnnxModel(bytes, { featureNames: model.featureNames });
  assertEquals(decoded.graph, {
    inputName: "float_input",
    width: 20,
    outputName: "probabilities",
    outputColumns: 2,
    probabilityColumn: 1,
  });
  assertEquals(decoded.version, null);
  // Its leaves are float32 and its covers unknown; the splits are the model's.
  assertEquals(decoded.model.trees[0]!.threshold, model.trees[0]!.threshold);
  assertEquals(decoded.model.baseScore, Math.fround(model.baseScore));
  const [ort, ts] = await scorers(bytes);
  try {
    const fromOrt = await ort.score(rows, ROWS);
    const fromTs = await ts.score(rows, ROWS);
    assert(
      maxDifference(fromOrt, fromTs) <= 1e-6,
      `scorers differ by ${maxDifference(fromOrt, fromTs)}`,
    );
    assert(
      maxDifference(fromTs, expected) <= 1e-6,
      `float32 leaves move it by ${maxDifference(fromTs, expected)}`,
    );
  } finally {
    await ort.close();
  }
});
