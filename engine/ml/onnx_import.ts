/**
 * Reads an ONNX churn model back into a TreeEnsemble, checking it against
 * the contract of docs/model-format.md: one float32 input [N, F], the
 * feature names in `cs.feature_names`, and trees onnxruntime and the
 * TypeScript evaluator score alike. Our own files round-trip exactly; a
 * binary gradient-boosted classifier converted elsewhere (skl2onnx,
 * onnxmltools) is read as the same kind of ensemble. Anything else is
 * refused with a coded error that says what to change.
 */
import { EngineError } from "../errors.ts";
import { modelInvalid, modelUnsupported } from "./model_errors.ts";
import { NodeAttributes } from "./onnx_attributes.ts";
import { MetadataKey, MODEL_CONTRACT, RESERVED_KEYS } from "./onnx_contract.ts";
import { contractGraph, type OnnxGraphContract } from "./onnx_graph.ts";
import { parseNodeNumbers, withNodeStats } from "./onnx_node_stats.ts";
import { type Onnx, onnx } from "./onnx_proto.ts";
import { classifierTargets, regressorTargets, rejectDoubleAttributes } from "./onnx_targets.ts";
import { parseTrees } from "./onnx_trees.ts";
import type { TreeEnsemble } from "./trees.ts";

/** A decoded model file. */
export interface DecodedOnnxModel {
  model: TreeEnsemble;
  /** `cs.model_version`, when the file has one. */
  version: string | null;
  /** metadata_props other than the engine's own keys (those of `encodeOnnxModel`'s `metadata`). */
  metadata: Record<string, string>;
  /** How onnxruntime runs the file: input and output names, the probability's column. */
  graph: OnnxGraphContract;
}

/** The model in `bytes`; `expected.featureNames` must match its features, name by name. */
export function decodeOnnxModel(
  bytes: Uint8Array,
  expected: { featureNames?: readonly string[] } = {},
): DecodedOnnxModel {
  const proto = parse(bytes);
  const props = new Map<string, string>();
  for (const { key, value } of proto.metadataProps ?? []) props.set(key ?? "", value ?? "");
  const contract = props.get(MetadataKey.contract);
  if (contract !== undefined && contract !== MODEL_CONTRACT) {
    modelUnsupported(`it follows contract "${contract}"; this engine reads "${MODEL_CONTRACT}"`);
  }
  const { kind, trees: node, contract: graph } = contractGraph(proto.graph);
  const featureNames = featureNamesOf(props.get(MetadataKey.featureNames));
  if (graph.width !== featureNames.length) {
    modelInvalid(
      `its input takes ${graph.width} features but ${MetadataKey.featureNames} names ` +
        `${featureNames.length}; give one name per input column`,
    );
  }
  if (expected.featureNames) checkFeatures(featureNames, expected.featureNames);
  const attributes = new NodeAttributes(node);
  rejectDoubleAttributes(attributes);
  const targets = kind === "regressor"
    ? regressorTargets(attributes)
    : classifierTargets(attributes);
  const parsed = parseTrees(attributes, targets.leaves, graph.width);
  const values = parseNodeNumbers(props.get(MetadataKey.nodeValues), MetadataKey.nodeValues);
  const covers = parseNodeNumbers(props.get(MetadataKey.nodeCovers), MetadataKey.nodeCovers);
  for (
    const [key, stored] of [[MetadataKey.nodeValues, values], [
      MetadataKey.nodeCovers,
      covers,
    ]] as const
  ) {
    if (stored && stored.length !== parsed.length) {
      modelInvalid(`${key} describes ${stored.length} trees but the model has ${parsed.length}`);
    }
  }
  const model: TreeEnsemble = {
    featureNames,
    baseScore: exactBaseScore(props.get(MetadataKey.baseScore), targets.baseScore),
    trees: withNodeStats(parsed, { values, covers }),
  };
  const metadata: Record<string, string> = {};
  for (const [key, value] of props) if (!RESERVED_KEYS.has(key)) metadata[key] = value;
  return { model, version: props.get(MetadataKey.modelVersion) ?? null, metadata, graph };
}

function parse(bytes: Uint8Array): Onnx.ModelProto {
  if (bytes.length === 0) modelInvalid("the file is empty");
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    modelInvalid(
      `it is not an ONNX model (${error instanceof Error ? error.message : String(error)}); ` +
        "check that the file is a complete .onnx model",
    );
  }
}

function featureNamesOf(text: string | undefined): string[] {
  const fix = `add metadata ${MetadataKey.featureNames}: a JSON array of the feature names in ` +
    "input column order (docs/model-format.md)";
  if (text === undefined) modelInvalid(`it has no feature names; ${fix}`);
  let names: unknown;
  try {
    names = JSON.parse(text);
  } catch {
    modelInvalid(`${MetadataKey.featureNames} is not JSON; ${fix}`);
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string" && n !== "")) {
    modelInvalid(`${MetadataKey.featureNames} is not an array of names; ${fix}`);
  }
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) {
    modelInvalid(`${MetadataKey.featureNames} names "${duplicate}" twice`);
  }
  return names as string[];
}

/** The model's features must be the engine's, in the same order. */
function checkFeatures(actual: readonly string[], expected: readonly string[]): void {
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  const list = (names: string[]) =>
    names.slice(0, 5).map((n) => `"${n}"`).join(", ") + (names.length > 5 ? ", …" : "");
  let why: string | null = null;
  if (missing.length > 0 || extra.length > 0) {
    why = `the engine has ${expected.length} features, the model ${actual.length}` +
      (missing.length > 0 ? `; missing from the model: ${list(missing)}` : "") +
      (extra.length > 0 ? `; unknown to the engine: ${list(extra)}` : "");
  } else {
    const at = expected.findIndex((name, i) => actual[i] !== name);
    if (at >= 0) {
      why = `they are in another order: column ${at} is "${actual[at]}" in the model ` +
        `and "${expected[at]}" in the engine`;
    }
  }
  if (why === null) return;
  throw new EngineError(
    "MODEL_FEATURES_MISMATCH",
    `The model's features are not the engine's: ${why}. Train it on the engine's features ` +
      "(deno task ml:train), or convert it with the same columns in the same order",
  );
}

/** `cs.base_score` when it is the file's base value to float32 precision. */
function exactBaseScore(text: string | undefined, base: number): number {
  if (text === undefined) return base;
  const stored = Number(text);
  if (!Number.isFinite(stored) || Math.fround(stored) !== Math.fround(base)) {
    modelInvalid(
      `${MetadataKey.baseScore} (${text}) is not its base value ${base}; ` +
        "the metadata belongs to another model: export the model again",
    );
  }
  return stored;
}
