/**
 * Checks a model's graph against the input/output contract and finds its
 * tree operator. Two shapes are scored: ours (TreeEnsembleRegressor →
 * Sigmoid) and a binary TreeEnsembleClassifier with LOGISTIC post-transform,
 * as skl2onnx and onnxmltools write a gradient-boosted classifier.
 */
import { modelInvalid, modelUnsupported } from "./model_errors.ts";
import { ElementType, ML_DOMAIN } from "./onnx_contract.ts";
import { type Onnx, toNumber } from "./onnx_proto.ts";

/** How to run the file in onnxruntime and where its churn probability is. */
export interface OnnxGraphContract {
  inputName: string;
  /** Features per row (the input's second dimension). */
  width: number;
  outputName: string;
  /** Columns of that output: 1 (probability) or 2 (per class). */
  outputColumns: 1 | 2;
  /** The column holding the churn (positive class) probability. */
  probabilityColumn: 0 | 1;
}

/** The tree operator and the graph's contract. */
export interface ContractGraph {
  kind: "regressor" | "classifier";
  trees: Onnx.INodeProto;
  contract: OnnxGraphContract;
}

const SUPPORTED = "TreeEnsembleRegressor followed by Sigmoid, or one binary TreeEnsembleClassifier";

/** The contract of `graph`, or an EngineError saying what breaks it. */
export function contractGraph(graph: Onnx.IGraphProto | null | undefined): ContractGraph {
  if (!graph) modelInvalid("it has no graph");
  const { inputName, width } = featureInput(graph);
  const nodes = graph.node ?? [];
  const unsupported = nodes.filter((node) => !isAllowed(node)).map(describe);
  if (unsupported.length > 0) {
    const zipMap = unsupported.some((op) => op.endsWith("ZipMap"))
      ? "; for scikit-learn, convert with options={id(model): {'zipmap': False}}"
      : "";
    modelUnsupported(
      `it uses operators the engine cannot score: ${[...new Set(unsupported)].join(", ")}. ` +
        `The contract allows ${SUPPORTED}${zipMap}`,
    );
  }
  const regressors = nodes.filter((node) => node.opType === "TreeEnsembleRegressor");
  const classifiers = nodes.filter((node) => node.opType === "TreeEnsembleClassifier");
  const sigmoids = nodes.filter((node) => node.opType === "Sigmoid");
  if (regressors.length + classifiers.length !== 1) {
    modelUnsupported(
      `it has ${regressors.length + classifiers.length} tree operators; ${SUPPORTED}`,
    );
  }
  const trees = (regressors[0] ?? classifiers[0])!;
  if (trees.input?.[0] !== inputName) {
    modelUnsupported(`its tree operator does not read the input "${inputName}" directly`);
  }
  if (classifiers.length === 1) {
    if (sigmoids.length > 0) modelUnsupported(`a classifier must not be followed by Sigmoid`);
    const outputName = trees.output?.[1];
    if (!outputName) modelInvalid("its TreeEnsembleClassifier has no probabilities output");
    checkOutput(graph, outputName, 2);
    return {
      kind: "classifier",
      trees,
      contract: { inputName, width, outputName, outputColumns: 2, probabilityColumn: 1 },
    };
  }
  const sigmoid = sigmoids[0];
  if (!sigmoid || sigmoids.length !== 1 || sigmoid.input?.[0] !== trees.output?.[0]) {
    modelUnsupported(
      "its TreeEnsembleRegressor must be followed by one Sigmoid that turns the raw score " +
        "into the probability",
    );
  }
  const outputName = sigmoid.output?.[0];
  if (!outputName) modelInvalid("its Sigmoid has no output");
  checkOutput(graph, outputName, 1);
  return {
    kind: "regressor",
    trees,
    contract: { inputName, width, outputName, outputColumns: 1, probabilityColumn: 0 },
  };
}

/** The one float32 [N, F] input (graph inputs that are initializers are weights, not inputs). */
function featureInput(graph: Onnx.IGraphProto): { inputName: string; width: number } {
  const weights = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const inputs = (graph.input ?? []).filter((input) => !weights.has(input.name));
  if (inputs.length !== 1) {
    modelUnsupported(
      `it has ${inputs.length} inputs (${inputs.map((i) => i.name).join(", ")}); ` +
        "the contract is one float32 input of shape [N, F] holding all features",
    );
  }
  const input = inputs[0]!;
  const name = input.name ?? "";
  const tensor = input.type?.tensorType;
  if (tensor?.elemType !== ElementType.FLOAT) {
    modelUnsupported(
      `its input "${name}" is not a float32 tensor; convert the model with a FloatTensorType input`,
    );
  }
  const dims = tensor.shape?.dim ?? [];
  if (dims.length !== 2) {
    modelUnsupported(`its input "${name}" has ${dims.length} dimensions; the contract is [N, F]`);
  }
  const [batch, features] = dims as [
    Onnx.TensorShapeProto.IDimension,
    Onnx.TensorShapeProto.IDimension,
  ];
  if (!batch.dimParam && toNumber(batch.dimValue) > 0) {
    modelUnsupported(
      `its input "${name}" has a fixed batch size of ${toNumber(batch.dimValue)}; ` +
        "declare the first dimension as symbolic (None in skl2onnx)",
    );
  }
  const width = toNumber(features.dimValue);
  if (!(width > 0)) {
    modelInvalid(
      `its input "${name}" does not declare how many features it takes ([N, F] with F fixed)`,
    );
  }
  return { inputName: name, width };
}

/** `name` must be a graph output, float32 with `columns` columns when a shape is declared. */
function checkOutput(graph: Onnx.IGraphProto, name: string, columns: number): void {
  const output = (graph.output ?? []).find((o) => o.name === name);
  if (!output) modelInvalid(`the probability "${name}" is not one of its outputs`);
  const tensor = output.type?.tensorType;
  if (tensor?.elemType !== ElementType.FLOAT) {
    modelUnsupported(`its output "${name}" is not a float32 tensor`);
  }
  const dims = tensor.shape?.dim;
  const declared = dims?.[1] ? toNumber(dims[1].dimValue) : 0;
  if (dims && dims.length !== 2 || declared > 0 && declared !== columns) {
    modelUnsupported(`its output "${name}" must have shape [N, ${columns}]`);
  }
}

function isAllowed(node: Onnx.INodeProto): boolean {
  const domain = node.domain ?? "";
  if (node.opType === "Sigmoid") return domain === "" || domain === "ai.onnx";
  const trees = node.opType === "TreeEnsembleRegressor" || node.opType === "TreeEnsembleClassifier";
  return trees && domain === ML_DOMAIN;
}

function describe(node: Onnx.INodeProto): string {
  return node.domain ? `${node.domain}.${node.opType}` : `${node.opType}`;
}
