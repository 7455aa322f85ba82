/**
 * Writes a tree ensemble as a standard ONNX model: input `features` float32
 * [N, F] → ai.onnx.ml TreeEnsembleRegressor (sum of one leaf per tree plus
 * the base score) → Sigmoid → output `probability` float32 [N, 1]. The
 * feature names, the versions and what ONNX has no field for (exact leaf
 * values, internal node values and covers, for explanations) go into
 * metadata_props. Same model, same bytes: nothing here depends on time or
 * map order.
 */
import { EngineError } from "../errors.ts";
import {
  BATCH_DIM,
  ElementType,
  INPUT_NAME,
  IR_VERSION,
  MetadataKey,
  ML_DOMAIN,
  ML_OPSET,
  MODEL_CONTRACT,
  ONNX_OPSET,
  OUTPUT_NAME,
  PRODUCER_NAME,
  RESERVED_KEYS,
} from "./onnx_contract.ts";
import { type Onnx, onnx, utf8 } from "./onnx_proto.ts";
import type { Tree, TreeEnsemble } from "./trees.ts";

/** What the file says about the model besides its trees. */
export interface OnnxExportMeta {
  /** The registry version, stored as `cs.model_version`. */
  version: string;
  /** Further metadata_props (not `cs.feature_names` and the other keys the engine owns). */
  metadata?: Record<string, string>;
}

/** The ONNX bytes of `model`. */
export function encodeOnnxModel(model: TreeEnsemble, meta: OnnxExportMeta): Uint8Array {
  checkExportable(model, meta);
  const width = model.featureNames.length;
  const tensor = (dims: Onnx.TensorShapeProto.IDimension[]): Onnx.ITypeProto => ({
    tensorType: { elemType: ElementType.FLOAT, shape: { dim: dims } },
  });
  const proto: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: PRODUCER_NAME,
    opsetImport: [{ domain: "", version: ONNX_OPSET }, { domain: ML_DOMAIN, version: ML_OPSET }],
    graph: {
      name: "churn",
      input: [{ name: INPUT_NAME, type: tensor([{ dimParam: BATCH_DIM }, { dimValue: width }]) }],
      output: [{ name: OUTPUT_NAME, type: tensor([{ dimParam: BATCH_DIM }, { dimValue: 1 }]) }],
      node: [
        {
          name: "trees",
          opType: "TreeEnsembleRegressor",
          domain: ML_DOMAIN,
          input: [INPUT_NAME],
          output: ["raw_score"],
          attribute: treeAttributes(model),
        },
        {
          name: "sigmoid",
          opType: "Sigmoid",
          domain: "",
          input: ["raw_score"],
          output: [OUTPUT_NAME],
        },
      ],
    },
    metadataProps: metadataOf(model, meta),
  };
  // protobufjs returns a Node Buffer: copy into a plain Uint8Array.
  return new Uint8Array(onnx.ModelProto.encode(proto).finish());
}

/** The TreeEnsembleRegressor attributes, node by node in tree order (each tree's root first). */
function treeAttributes(model: TreeEnsemble): Onnx.IAttributeProto[] {
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as Uint8Array[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
  };
  const t = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  const LEAF = utf8("LEAF");
  const BRANCH_LEQ = utf8("BRANCH_LEQ");
  model.trees.forEach((tree, treeId) => {
    for (let node = 0; node < tree.left.length; node++) {
      const leaf = tree.left[node]! < 0;
      n.treeIds.push(treeId);
      n.nodeIds.push(node);
      n.featureIds.push(leaf ? 0 : tree.feature[node]!);
      n.values.push(leaf ? 0 : tree.threshold[node]!);
      n.modes.push(leaf ? LEAF : BRANCH_LEQ);
      n.trueIds.push(leaf ? 0 : tree.left[node]!);
      n.falseIds.push(leaf ? 0 : tree.right[node]!);
      n.missingTrue.push(!leaf && tree.missingLeft[node] ? 1 : 0);
      if (leaf) {
        t.treeIds.push(treeId);
        t.nodeIds.push(node);
        t.weights.push(tree.value[node]!);
      }
    }
  });
  const { INT, INTS, FLOATS, STRING, STRINGS } = onnx.AttributeProto.AttributeType;
  return [
    { name: "aggregate_function", type: STRING, s: utf8("SUM") },
    { name: "base_values", type: FLOATS, floats: [model.baseScore] },
    { name: "n_targets", type: INT, i: 1 },
    { name: "nodes_falsenodeids", type: INTS, ints: n.falseIds },
    { name: "nodes_featureids", type: INTS, ints: n.featureIds },
    { name: "nodes_missing_value_tracks_true", type: INTS, ints: n.missingTrue },
    { name: "nodes_modes", type: STRINGS, strings: n.modes },
    { name: "nodes_nodeids", type: INTS, ints: n.nodeIds },
    { name: "nodes_treeids", type: INTS, ints: n.treeIds },
    { name: "nodes_truenodeids", type: INTS, ints: n.trueIds },
    { name: "nodes_values", type: FLOATS, floats: n.values },
    { name: "post_transform", type: STRING, s: utf8("NONE") },
    { name: "target_ids", type: INTS, ints: t.weights.map(() => 0) },
    { name: "target_nodeids", type: INTS, ints: t.nodeIds },
    { name: "target_treeids", type: INTS, ints: t.treeIds },
    { name: "target_weights", type: FLOATS, floats: t.weights },
  ];
}

/** Engine keys first, in a fixed order, then the caller's keys sorted. */
function metadataOf(model: TreeEnsemble, meta: OnnxExportMeta): Onnx.IStringStringEntryProto[] {
  const entries: [string, string][] = [
    [MetadataKey.contract, MODEL_CONTRACT],
    [MetadataKey.modelVersion, meta.version],
    [MetadataKey.featureNames, JSON.stringify(model.featureNames)],
    [MetadataKey.baseScore, JSON.stringify(model.baseScore)],
    [MetadataKey.nodeValues, JSON.stringify(model.trees.map((tree) => tree.value))],
    [MetadataKey.nodeCovers, JSON.stringify(model.trees.map((tree) => tree.cover))],
  ];
  const extra = Object.entries(meta.metadata ?? {}).sort((
    [a],
    [b],
  ) => (a < b ? -1 : a > b ? 1 : 0));
  return [...entries, ...extra].map(([key, value]) => ({ key, value }));
}

/**
 * Refuses what the file could not carry faithfully: a threshold that is not
 * a float32 (onnxruntime would compare against a rounded one), non-finite
 * values (JSON has no NaN), a broken tree, a reserved metadata key.
 */
function checkExportable(model: TreeEnsemble, meta: OnnxExportMeta): void {
  const fail = (why: string): never => {
    throw new EngineError("MODEL_INVALID", `Cannot export the model as ONNX: ${why}`);
  };
  const width = model.featureNames.length;
  if (width === 0) fail("it has no features");
  if (new Set(model.featureNames).size !== width) fail("two features have the same name");
  if (!Number.isFinite(model.baseScore)) fail(`the base score is ${model.baseScore}`);
  if (model.trees.length === 0) fail("it has no trees");
  model.trees.forEach((tree, i) => {
    const problem = treeProblem(tree, width);
    if (problem) fail(`tree ${i}: ${problem}`);
  });
  for (const key of Object.keys(meta.metadata ?? {})) {
    if (RESERVED_KEYS.has(key)) fail(`metadata key "${key}" is the engine's own; use another name`);
  }
}

function treeProblem(tree: Tree, width: number): string | null {
  const size = tree.left.length;
  if (size === 0) return "it has no nodes";
  const arrays = [
    tree.feature,
    tree.threshold,
    tree.missingLeft,
    tree.right,
    tree.value,
    tree.cover,
  ];
  if (arrays.some((a) => a.length !== size)) return "its arrays have different lengths";
  for (let node = 0; node < size; node++) {
    if (!Number.isFinite(tree.value[node]!) || !Number.isFinite(tree.cover[node]!)) {
      return `node ${node} has a non-finite value or cover`;
    }
    const left = tree.left[node]!;
    if (left < 0) continue;
    const right = tree.right[node]!;
    if (left <= node || right <= node || left >= size || right >= size) {
      return `node ${node} has children ${left} and ${right}; children must come after their parent`;
    }
    const feature = tree.feature[node]!;
    if (!Number.isInteger(feature) || feature < 0 || feature >= width) {
      return `node ${node} splits on feature ${feature}, outside 0..${width - 1}`;
    }
    const threshold = tree.threshold[node]!;
    if (Number.isNaN(threshold) || Math.fround(threshold) !== threshold) {
      return `node ${node} has threshold ${threshold}, not a float32 value (use Math.fround)`;
    }
  }
  return null;
}
