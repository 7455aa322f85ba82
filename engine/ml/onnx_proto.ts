/**
 * The one module that loads onnx-proto, the ONNX protobuf classes. The
 * package is CommonJS and puts its `onnx` namespace on `module.exports`,
 * which Deno exposes as the default export only (a namespace import finds
 * no `onnx` at run time), so every ONNX reader and writer goes through here.
 */
import onnxProto from "onnx-proto";

/** The ONNX message classes (ModelProto, GraphProto, NodeProto, …). */
export const onnx = onnxProto.onnx;

/** The ONNX message types, for annotations (`Onnx.IModelProto`). */
export type { onnx as Onnx } from "onnx-proto";

/**
 * An int64 field as protobufjs decodes it: a number, or a Long object when
 * the value does not fit a double exactly.
 */
export type Int64 = number | { toNumber(): number };

/** An int64 field as a number (ids, counts and dimensions stay far below 2^53). */
export function toNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : value.toNumber();
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A string as ONNX stores it in attributes (UTF-8 bytes). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 bytes of an attribute back to a string. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
