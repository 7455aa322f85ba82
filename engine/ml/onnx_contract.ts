/**
 * The churn model contract (docs/model-format.md): what an ONNX file must
 * look like for the engine to score it. One place, so the writer and the
 * reader cannot disagree.
 */

/** The contract's version, written to `cs.contract`; a file naming another is refused. */
export const MODEL_CONTRACT = "cs-churn-v1";

/** Name of the input our files declare: float32 [N, F]. */
export const INPUT_NAME = "features";

/** Name of the output our files declare: float32 [N, 1], the churn probability. */
export const OUTPUT_NAME = "probability";

/** The symbolic batch dimension. */
export const BATCH_DIM = "N";

/** Metadata keys the engine writes and reads (metadata_props). */
export const MetadataKey = {
  /** JSON array of the feature names, in input column order. */
  featureNames: "cs.feature_names",
  /** The model's version in the registry. */
  modelVersion: "cs.model_version",
  /** The contract version. */
  contract: "cs.contract",
  /** The base score (log-odds) as a JSON number: base_values holds it as float32 only. */
  baseScore: "cs.base_score",
  /**
   * Per tree, every node's value as JSON (leaves exact, where target_weights
   * round them to float32; internal nodes for path attribution).
   */
  nodeValues: "cs.node_values",
  /** Per tree, every node's cover (training weight) as JSON. */
  nodeCovers: "cs.node_covers",
} as const;

/** Keys the engine owns: the caller's metadata may not use them. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.values(MetadataKey));

/** Producer written into our files. */
export const PRODUCER_NAME = "cs-engine";

/**
 * ONNX IR version 8 (the newest onnx-proto 8.0.1 encodes) with opsets
 * onnxruntime 1.30 runs: ai.onnx 17 (Sigmoid-13) and ai.onnx.ml 3
 * (TreeEnsembleRegressor-3).
 */
export const IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ML_DOMAIN = "ai.onnx.ml";
export const ML_OPSET = 3;

/** TensorProto.DataType values the contract uses. */
export const ElementType = { FLOAT: 1, DOUBLE: 11 } as const;
