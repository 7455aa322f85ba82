import { assertEquals, assertMatch, assertThrows } from "../../helpers/assert.ts";
import { EngineError, type ErrorCode } from "../../../engine/errors.ts";
import { encodeOnnxModel } from "../../../engine/ml/onnx_export.ts";
import { decodeOnnxModel } from "../../../engine/ml/onnx_import.ts";
import { utf8 } from "../../../engine/ml/onnx_proto.ts";
import { mutateModel, setMetadata, sklearnStyleClassifier } from "./_onnx_fixtures.ts";
import { randomEnsemble } from "./_random_ensemble.ts";

const model = randomEnsemble({ trees: 10, depth: 3, features: 20, seed: 3 });
const names = model.featureNames;
const good = encodeOnnxModel(model, { version: "v1" });

function refused(bytes: Uint8Array, code: ErrorCode, pattern: RegExp, featureNames = names): void {
  const error = assertThrows(() => decodeOnnxModel(bytes, { featureNames }), EngineError);
  assertEquals(error.code, code, error.message);
  assertMatch(error.message, pattern);
}

Deno.test("decodeOnnxModel() refuses bytes that are not an ONNX model", () => {
  refused(new Uint8Array(), "MODEL_INVALID", /^The model file is not valid: the file is empty$/);
  refused(
    good.subarray(0, good.length / 2),
    "MODEL_INVALID",
    /it is not an ONNX model \(.+\); check that the file is a complete \.onnx model/,
  );
  refused(utf8("this is not a model at all"), "MODEL_INVALID", /^The model file is not valid: /);
  refused(new Uint8Array(64).fill(0xff), "MODEL_INVALID", /it is not an ONNX model/);
  refused(
    new Uint8Array([8, 8]),
    "MODEL_INVALID",
    /^The model file is not valid: it has no graph$/,
  );
});

Deno.test("decodeOnnxModel() refuses a model whose input width does not match its feature names", () => {
  const narrow = mutateModel(good, (proto) => {
    proto.graph!.input![0]!.type!.tensorType!.shape!.dim![1]!.dimValue = 19;
  });
  refused(
    narrow,
    "MODEL_INVALID",
    /its input takes 19 features but cs\.feature_names names 20; give one name per input column/,
  );
});

Deno.test("decodeOnnxModel() refuses a model trained on other features than the engine's", () => {
  const renamed = names.map((n) => (n === "feature_7" ? "logins_7d" : n));
  refused(
    good,
    "MODEL_FEATURES_MISMATCH",
    /^The model's features are not the engine's: the engine has 20 features, the model 20; missing from the model: "logins_7d"; unknown to the engine: "feature_7"\. Train it on the engine's features/,
    renamed,
  );
  const swapped = [names[1]!, names[0]!, ...names.slice(2)];
  refused(
    good,
    "MODEL_FEATURES_MISMATCH",
    /they are in another order: column 0 is "feature_0" in the model and "feature_1" in the engine/,
    swapped,
  );
  refused(
    good,
    "MODEL_FEATURES_MISMATCH",
    /the engine has 19 features, the model 20; unknown to the engine: "feature_19"/,
    names.slice(0, 19),
  );
});

Deno.test("decodeOnnxModel() refuses a model without feature names", () => {
  const nameless = mutateModel(good, (proto) => {
    proto.metadataProps = proto.metadataProps.filter((e) => e.key !== "cs.feature_names");
  });
  refused(
    nameless,
    "MODEL_INVALID",
    /it has no feature names; add metadata cs\.feature_names: a JSON array of the feature names in input column order/,
  );
  refused(
    mutateModel(good, (p) => setMetadata(p, "cs.feature_names", "{")),
    "MODEL_INVALID",
    /cs\.feature_names is not JSON/,
  );
  refused(
    sklearnStyleClassifier(model, { featureNames: false }),
    "MODEL_INVALID",
    /it has no feature names/,
  );
});

Deno.test("decodeOnnxModel() refuses operators outside the contract", () => {
  const zipmap = mutateModel(good, (proto) => {
    proto.graph!.node!.push({
      opType: "ZipMap",
      domain: "ai.onnx.ml",
      input: ["probability"],
      output: ["map"],
    });
  });
  refused(
    zipmap,
    "MODEL_UNSUPPORTED",
    /^The model cannot be scored: it uses operators the engine cannot score: ai\.onnx\.ml\.ZipMap\. The contract allows TreeEnsembleRegressor followed by Sigmoid, or one binary TreeEnsembleClassifier; for scikit-learn, convert with options=\{id\(model\): \{'zipmap': False\}\}$/,
  );
  const relu = mutateModel(good, (proto) => {
    proto.graph!.node![1]!.opType = "Relu";
  });
  refused(relu, "MODEL_UNSUPPORTED", /operators the engine cannot score: Relu/);
  const noSigmoid = mutateModel(good, (proto) => {
    proto.graph!.node!.pop();
    proto.graph!.output![0]!.name = "raw_score";
  });
  refused(noSigmoid, "MODEL_UNSUPPORTED", /must be followed by one Sigmoid/);
});

Deno.test("decodeOnnxModel() refuses inputs outside the contract", () => {
  const double = mutateModel(good, (p) => (p.graph!.input![0]!.type!.tensorType!.elemType = 11));
  refused(double, "MODEL_UNSUPPORTED", /its input "features" is not a float32 tensor/);
  const fixed = mutateModel(good, (p) => {
    p.graph!.input![0]!.type!.tensorType!.shape!.dim![0] = { dimValue: 1 };
  });
  refused(
    fixed,
    "MODEL_UNSUPPORTED",
    /has a fixed batch size of 1; declare the first dimension as symbolic/,
  );
  const two = mutateModel(good, (p) => {
    p.graph!.input!.push({ name: "extra", type: p.graph!.input![0]!.type! });
  });
  refused(
    two,
    "MODEL_UNSUPPORTED",
    /it has 2 inputs \(features, extra\); the contract is one float32 input of shape \[N, F\]/,
  );
});

Deno.test("decodeOnnxModel() refuses splits, versions and metadata it cannot honour", () => {
  const equality = mutateModel(good, (p) => {
    const modes = p.graph!.node![0]!.attribute!.find((a) => a.name === "nodes_modes")!;
    modes.strings![0] = utf8("BRANCH_EQ");
  });
  refused(
    equality,
    "MODEL_UNSUPPORTED",
    /node 0 of tree 0 uses the split mode BRANCH_EQ; .*one-hot encode categorical features/,
  );
  const future = mutateModel(good, (p) => setMetadata(p, "cs.contract", "cs-churn-v2"));
  refused(
    future,
    "MODEL_UNSUPPORTED",
    /it follows contract "cs-churn-v2"; this engine reads "cs-churn-v1"/,
  );
  const foreignValues = mutateModel(good, (p) => {
    const other = randomEnsemble({ trees: 10, depth: 3, features: 20, seed: 4 });
    setMetadata(p, "cs.node_values", JSON.stringify(other.trees.map((t) => t.value)));
  });
  refused(
    foreignValues,
    "MODEL_INVALID",
    /cs\.node_values says .* for leaf 3 of tree 0, but its weight is .*: the metadata belongs to another model/,
  );
  const feature = mutateModel(good, (p) => {
    p.graph!.node![0]!.attribute!.find((a) => a.name === "nodes_featureids")!.ints![0] = 20;
  });
  refused(
    feature,
    "MODEL_INVALID",
    /node 0 of tree 0 splits on feature 20, but the input has 20 columns/,
  );
});

Deno.test("decodeOnnxModel() refuses classifiers that are not binary gradient-boosted ones", () => {
  refused(
    sklearnStyleClassifier(model, { postTransform: "NONE" }),
    "MODEL_UNSUPPORTED",
    /post_transform NONE; a gradient-boosted binary classifier uses LOGISTIC/,
  );
  refused(
    sklearnStyleClassifier(model, { labels: [0, 1, 2] }),
    "MODEL_UNSUPPORTED",
    /a classifier of 3 classes; churn is binary/,
  );
  const positive = structuredClone(model);
  for (const tree of positive.trees) tree.value = tree.value.map(Math.abs);
  refused(
    sklearnStyleClassifier(positive),
    "MODEL_UNSUPPORTED",
    /none of its class weights is negative/,
  );
});
