import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertMatch,
  assertThrows,
} from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { encodeOnnxModel } from "../../../engine/ml/onnx_export.ts";
import { decodeOnnxModel } from "../../../engine/ml/onnx_import.ts";
import { explain, rawScore, type TreeEnsemble } from "../../../engine/ml/trees.ts";
import { mutateModel } from "./_onnx_fixtures.ts";
import { randomEnsemble, randomRows } from "./_random_ensemble.ts";

const model = randomEnsemble({ trees: 20, depth: 4, features: 8, seed: 11 });

Deno.test("decodeOnnxModel() gives back the trees encodeOnnxModel() wrote, exactly", () => {
  const bytes = encodeOnnxModel(model, { version: "2026-05-01.1", metadata: { trainedOn: "csv" } });
  const decoded = decodeOnnxModel(bytes, { featureNames: model.featureNames });
  assertEquals(decoded.model, model);
  assertEquals(decoded.version, "2026-05-01.1");
  assertEquals(decoded.metadata, { trainedOn: "csv" });
  assertEquals(decoded.graph, {
    inputName: "features",
    width: 8,
    outputName: "probability",
    outputColumns: 1,
    probabilityColumn: 0,
  });
});

Deno.test("encodeOnnxModel() writes the same bytes for the same model", () => {
  const a = encodeOnnxModel(model, { version: "v1", metadata: { a: "1", b: "2" } });
  const b = encodeOnnxModel(structuredClone(model), {
    version: "v1",
    metadata: { b: "2", a: "1" },
  });
  assertEquals(a, b);
  assert(a.constructor === Uint8Array, "a plain Uint8Array, not a Node Buffer");
});

Deno.test("explain() contributions and bias add up to the raw score after a round trip", () => {
  const decoded = decodeOnnxModel(encodeOnnxModel(model, { version: "v1" })).model;
  const rows = randomRows(model, 200, 5);
  for (let r = 0; r < 200; r++) {
    const row = rows.subarray(r * 8, (r + 1) * 8);
    const { bias, contributions } = explain(decoded, row);
    const sum = contributions.reduce((total, c) => total + c.contribution, bias);
    assertAlmostEquals(sum, rawScore(model, row), 1e-12);
    assertEquals(explain(decoded, row), explain(model, row));
  }
});

Deno.test("decodeOnnxModel() without node metadata weighs leaves equally and still explains", () => {
  const bytes = mutateModel(encodeOnnxModel(model, { version: "v1" }), (proto) => {
    proto.metadataProps = proto.metadataProps.filter((e) => !e.key?.startsWith("cs.node_"));
  });
  const decoded = decodeOnnxModel(bytes).model;
  const tree = decoded.trees[0]!;
  // A depth-4 tree: 16 leaves of cover 1, the root the plain mean of the (float32) leaves.
  assertEquals(tree.cover[0], 16);
  const leaves = tree.value.filter((_, i) => tree.left[i]! < 0);
  assertAlmostEquals(tree.value[0]!, leaves.reduce((a, b) => a + b, 0) / 16, 1e-15);
  assertEquals(leaves, model.trees[0]!.value.filter((_, i) => tree.left[i]! < 0).map(Math.fround));
  const row = randomRows(model, 1, 9);
  const { bias, contributions } = explain(decoded, row);
  assertAlmostEquals(
    contributions.reduce((t, c) => t + c.contribution, bias),
    rawScore(decoded, row),
    1e-12,
  );
});

Deno.test("encodeOnnxModel() refuses what the file could not carry faithfully", () => {
  const refuse = (broken: TreeEnsemble, pattern: RegExp, metadata: Record<string, string> = {}) => {
    const error = assertThrows(
      () => encodeOnnxModel(broken, { version: "v1", metadata }),
      EngineError,
    );
    assertEquals(error.code, "MODEL_INVALID");
    assertMatch(error.message, pattern);
  };
  const copy = () => structuredClone(model);
  const unrounded = copy();
  unrounded.trees[3]!.threshold[0] = 0.1;
  refuse(unrounded, /tree 3: node 0 has threshold 0\.1, not a float32 value \(use Math\.fround\)/);
  const nan = copy();
  nan.trees[0]!.value[5] = NaN;
  refuse(nan, /tree 0: node 5 has a non-finite value or cover/);
  const outside = copy();
  outside.trees[1]!.feature[0] = 8;
  refuse(outside, /tree 1: node 0 splits on feature 8, outside 0\.\.7/);
  refuse(
    { ...copy(), featureNames: ["a", "a", ...model.featureNames.slice(2)] },
    /two features have the same name/,
  );
  refuse(copy(), /metadata key "cs\.feature_names" is the engine's own/, {
    "cs.feature_names": "[]",
  });
});
