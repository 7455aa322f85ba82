/**
 * The two ways a model file is refused, with one wording: MODEL_INVALID
 * (damaged, or contradicting itself) and MODEL_UNSUPPORTED (a valid ONNX
 * model outside the contract of docs/model-format.md).
 */
import { EngineError } from "../errors.ts";

/** Throws MODEL_INVALID: "The model file is not valid: <why>". */
export function modelInvalid(why: string): never {
  throw new EngineError("MODEL_INVALID", `The model file is not valid: ${why}`);
}

/** Throws MODEL_UNSUPPORTED: "The model cannot be scored: <why>". */
export function modelUnsupported(why: string): never {
  throw new EngineError("MODEL_UNSUPPORTED", `The model cannot be scored: ${why}`);
}
