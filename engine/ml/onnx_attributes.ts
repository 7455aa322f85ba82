/**
 * Typed reads of an ONNX node's attributes. A converter may leave an
 * attribute out (ONNX defaults) but must not give it the wrong type; a wrong
 * type is a malformed file, reported with the attribute's name.
 */
import { modelInvalid } from "./model_errors.ts";
import { fromUtf8, type Onnx, onnx, toNumber } from "./onnx_proto.ts";

const { INT, STRING, FLOATS, INTS, STRINGS } = onnx.AttributeProto.AttributeType;

/** The attributes of one node, by name. */
export class NodeAttributes {
  readonly #byName = new Map<string, Onnx.IAttributeProto>();
  readonly #node: string;

  constructor(node: Onnx.INodeProto) {
    this.#node = node.opType ?? "node";
    for (const attribute of node.attribute ?? []) {
      this.#byName.set(attribute.name ?? "", attribute);
    }
  }

  /** True when the node sets `name`. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** An INTS attribute, `[]` when absent. */
  ints(name: string): number[] {
    return (this.#typed(name, INTS)?.ints ?? []).map(toNumber);
  }

  /** A FLOATS attribute (float32 values), `[]` when absent. */
  floats(name: string): number[] {
    return this.#typed(name, FLOATS)?.floats ?? [];
  }

  /** A STRINGS attribute, `[]` when absent. */
  strings(name: string): string[] {
    return (this.#typed(name, STRINGS)?.strings ?? []).map(fromUtf8);
  }

  /** An INT attribute, `fallback` when absent. */
  int(name: string, fallback: number): number {
    const attribute = this.#typed(name, INT);
    return attribute ? toNumber(attribute.i) : fallback;
  }

  /** A STRING attribute, `fallback` when absent. */
  string(name: string, fallback: string): string {
    const attribute = this.#typed(name, STRING);
    return attribute?.s ? fromUtf8(attribute.s) : fallback;
  }

  #typed(name: string, type: number): Onnx.IAttributeProto | undefined {
    const attribute = this.#byName.get(name);
    if (attribute === undefined) return undefined;
    // Files written before typed attributes carry type 0 (UNDEFINED): accept those.
    if (attribute.type && attribute.type !== type) {
      const expected = onnx.AttributeProto.AttributeType[type];
      modelInvalid(
        `its ${this.#node} attribute "${name}" is not of type ${expected}; ` +
          "the file is damaged or was not written by an ONNX converter",
      );
    }
    return attribute;
  }
}
