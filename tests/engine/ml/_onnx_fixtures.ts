/**
 * ONNX files as other tools write them, built from a TreeEnsemble: a binary
 * classifier the way skl2onnx converts a GradientBoostingClassifier
 * (zipmap=False), and our regressor rewritten with every split mode
 * onnxruntime knows. Plus a helper to damage a file on purpose.
 */
import { nextUpFloat32 } from "../../../engine/ml/float32.ts";
import { type Onnx, onnx, toNumber, utf8 } from "../../../engine/ml/onnx_proto.ts";
import type { TreeEnsemble } from "../../../engine/ml/trees.ts";

const { INTS, FLOATS, STRING, STRINGS } = onnx.AttributeProto.AttributeType;

/**
 * `model` as skl2onnx writes a binary gradient-boosted classifier: one
 * TreeEnsembleClassifier (ai.onnx.ml v1), every weight on class 0,
 * base_values [log-odds], post_transform LOGISTIC, outputs `label` and
 * `probabilities` [N, 2], input `float_input` with an unnamed batch
 * dimension. Each tree's nodes are listed root first, the rest backwards,
 * so list position and node id differ. `cs.feature_names` is added, as a
 * user would with onnx.helper.set_model_props.
 */
export function sklearnStyleClassifier(
  model: TreeEnsemble,
  options: { featureNames?: boolean; postTransform?: string; labels?: number[] } = {},
): Uint8Array {
  const n = { tree: [] as number[], id: [] as number[], feature: [] as number[] };
  const more = {
    value: [] as number[],
    mode: [] as string[],
    yes: [] as number[],
    no: [] as number[],
  };
  const missing: number[] = [];
  const c = { tree: [] as number[], id: [] as number[], weight: [] as number[] };
  model.trees.forEach((tree, t) => {
    const order = [0, ...tree.left.map((_, i) => i).slice(1).reverse()];
    for (const i of order) {
      const leaf = tree.left[i]! < 0;
      n.tree.push(t);
      n.id.push(i);
      n.feature.push(leaf ? 0 : tree.feature[i]!);
      more.value.push(leaf ? 0 : tree.threshold[i]!);
      more.mode.push(leaf ? "LEAF" : "BRANCH_LEQ");
      more.yes.push(leaf ? 0 : tree.left[i]!);
      more.no.push(leaf ? 0 : tree.right[i]!);
      missing.push(!leaf && tree.missingLeft[i] ? 1 : 0);
      if (leaf) {
        c.tree.push(t);
        c.id.push(i);
        c.weight.push(tree.value[i]!);
      }
    }
  });
  const attribute: Onnx.IAttributeProto[] = [
    { name: "base_values", type: FLOATS, floats: [model.baseScore] },
    { name: "class_ids", type: INTS, ints: c.id.map(() => 0) },
    { name: "class_nodeids", type: INTS, ints: c.id },
    { name: "class_treeids", type: INTS, ints: c.tree },
    { name: "class_weights", type: FLOATS, floats: c.weight },
    { name: "classlabels_int64s", type: INTS, ints: options.labels ?? [0, 1] },
    { name: "nodes_falsenodeids", type: INTS, ints: more.no },
    { name: "nodes_featureids", type: INTS, ints: n.feature },
    { name: "nodes_hitrates", type: FLOATS, floats: n.id.map(() => 1) },
    { name: "nodes_missing_value_tracks_true", type: INTS, ints: missing },
    { name: "nodes_modes", type: STRINGS, strings: more.mode.map(utf8) },
    { name: "nodes_nodeids", type: INTS, ints: n.id },
    { name: "nodes_treeids", type: INTS, ints: n.tree },
    { name: "nodes_truenodeids", type: INTS, ints: more.yes },
    { name: "nodes_values", type: FLOATS, floats: more.value },
    { name: "post_transform", type: STRING, s: utf8(options.postTransform ?? "LOGISTIC") },
  ];
  const width = model.featureNames.length;
  const proto: Onnx.IModelProto = {
    irVersion: 8,
    producerName: "skl2onnx",
    producerVersion: "1.17.0",
    domain: "ai.onnx",
    opsetImport: [{ domain: "", version: 17 }, { domain: "ai.onnx.ml", version: 1 }],
    graph: {
      name: "GradientBoostingClassifier",
      input: [{ name: "float_input", type: floatTensor([{}, { dimValue: width }]) }],
      output: [
        { name: "label", type: { tensorType: { elemType: 7, shape: { dim: [{}] } } } },
        { name: "probabilities", type: floatTensor([{}, { dimValue: 2 }]) },
      ],
      node: [{
        name: "GradientBoostingClassifier",
        opType: "TreeEnsembleClassifier",
        domain: "ai.onnx.ml",
        input: ["float_input"],
        output: ["label", "probabilities"],
        attribute,
      }],
    },
    metadataProps: options.featureNames === false
      ? []
      : [{ key: "cs.feature_names", value: JSON.stringify(model.featureNames) }],
  };
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * Our file with its splits rewritten, node by node in turn, as BRANCH_LEQ,
 * BRANCH_LT, BRANCH_GT and BRANCH_GTE — the same decisions for every float32
 * input: `x <= t` is `x < nextUp(t)`, and `x > t` / `x >= nextUp(t)` with
 * the children and the missing-value direction swapped.
 */
export function withEverySplitMode(bytes: Uint8Array): Uint8Array {
  return mutateModel(bytes, (proto) => {
    const attributes = proto.graph!.node![0]!.attribute!;
    const get = (name: string) => attributes.find((a) => a.name === name)!;
    const modes = get("nodes_modes").strings!;
    const values = get("nodes_values").floats!;
    const yes = get("nodes_truenodeids").ints!;
    const no = get("nodes_falsenodeids").ints!;
    const missing = get("nodes_missing_value_tracks_true").ints!;
    let branch = 0;
    modes.forEach((mode, i) => {
      if (new TextDecoder().decode(mode) === "LEAF") return;
      const kind = ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_GT", "BRANCH_GTE"][branch++ % 4]!;
      modes[i] = utf8(kind);
      if (kind === "BRANCH_LT" || kind === "BRANCH_GTE") values[i] = nextUpFloat32(values[i]!);
      if (kind === "BRANCH_GT" || kind === "BRANCH_GTE") {
        [yes[i], no[i]] = [no[i]!, yes[i]!];
        missing[i] = toNumber(missing[i]) === 1 ? 0 : 1;
      }
    });
  });
}

/** The distinct nodes_modes of the file's tree operator, sorted. */
export function splitModes(bytes: Uint8Array): string[] {
  const attributes = onnx.ModelProto.decode(bytes).graph!.node![0]!.attribute!;
  const modes = attributes.find((a) => a.name === "nodes_modes")!.strings!;
  return [...new Set(modes.map((m) => new TextDecoder().decode(m)))].sort();
}

/** `bytes` decoded, changed by `change`, encoded again. */
export function mutateModel(
  bytes: Uint8Array,
  change: (proto: Onnx.ModelProto) => void,
): Uint8Array {
  const proto = onnx.ModelProto.decode(bytes);
  change(proto);
  return onnx.ModelProto.encode(proto).finish();
}

/** Sets (or adds) one metadata_props entry. */
export function setMetadata(proto: Onnx.ModelProto, key: string, value: string): void {
  const entry = proto.metadataProps.find((e) => e.key === key);
  if (entry) entry.value = value;
  else proto.metadataProps.push({ key, value });
}

function floatTensor(dim: Onnx.TensorShapeProto.IDimension[]): Onnx.ITypeProto {
  return { tensorType: { elemType: 1, shape: { dim } } };
}
