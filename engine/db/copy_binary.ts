/**
 * Rows in PostgreSQL's binary COPY format, for the bulk loads that carry
 * many numbers: text COPY made both sides convert every float — the engine
 * to decimal text, PostgreSQL back to binary, arrays parsed character by
 * character — where the binary format carries the eight bytes as they are
 * (bench/README.md, "Churn prediction"). Values are written field by field
 * in column order; `finish()` gives the bytes for `copyRows`.
 */

/** Bytes in binary COPY format, from `BinaryCopyWriter.finish()`. */
export class CopyBinary {
  constructor(readonly bytes: Uint8Array<ArrayBuffer>, readonly rows: number) {}
}

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const HEADER_BYTES = SIGNATURE.length + 8;
/** Element types of arrays (pg_type oids). */
export const PG_TEXT = 25;
export const PG_FLOAT8 = 701;
// PostgreSQL's timestamps count microseconds from 2000-01-01 UTC.
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

const encoder = new TextEncoder();

/** A field's bytes, prepared once for fields repeated on every row. */
export class BinaryField {
  private constructor(readonly bytes: Uint8Array) {}

  /** Text as a field. */
  static text(value: string): BinaryField {
    return new BinaryField(encoder.encode(value));
  }

  /** A time (timestamptz) as a field. */
  static timestamp(at: Date): BinaryField {
    const bytes = new Uint8Array(8);
    const micros = BigInt(at.getTime() - PG_EPOCH_MS) * 1000n;
    new DataView(bytes.buffer).setBigInt64(0, micros);
    return new BinaryField(bytes);
  }
}

/** Writes rows in binary COPY format into a buffer that grows as needed. */
export class BinaryCopyWriter {
  #bytes = new Uint8Array(1 << 16);
  #view = new DataView(this.#bytes.buffer);
  #at = HEADER_BYTES;
  #rows = 0;

  constructor() {
    this.#bytes.set(SIGNATURE);
    // Flags and header extension length: both 0.
  }

  /** Rows started so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): this {
    this.#room(2);
    this.#view.setInt16(this.#at, fields);
    this.#at += 2;
    this.#rows++;
    return this;
  }

  /** A SQL NULL. */
  null(): this {
    this.#room(4);
    this.#view.setInt32(this.#at, -1);
    this.#at += 4;
    return this;
  }

  /** A text field. */
  text(value: string): this {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    this.#room(4 + value.length * 3);
    const { written } = encoder.encodeInto(value, this.#bytes.subarray(this.#at + 4));
    this.#view.setInt32(this.#at, written);
    this.#at += 4 + written;
    return this;
  }

  /** A field prepared once (`BinaryField`). */
  field(value: BinaryField): this {
    this.#room(4 + value.bytes.length);
    this.#view.setInt32(this.#at, value.bytes.length);
    this.#bytes.set(value.bytes, this.#at + 4);
    this.#at += 4 + value.bytes.length;
    return this;
  }

  /** A float8 field. */
  float8(value: number): this {
    this.#room(12);
    this.#view.setInt32(this.#at, 8);
    this.#view.setFloat64(this.#at + 4, value);
    this.#at += 12;
    return this;
  }

  /** A boolean field. */
  bool(value: boolean): this {
    this.#room(5);
    this.#view.setInt32(this.#at, 1);
    this.#bytes[this.#at + 4] = value ? 1 : 0;
    this.#at += 5;
    return this;
  }

  /** An int8 (bigint) field, or NULL. */
  int8(value: number | null): this {
    if (value === null) return this.null();
    this.#room(12);
    this.#view.setInt32(this.#at, 8);
    this.#view.setBigInt64(this.#at + 4, BigInt(value));
    this.#at += 12;
    return this;
  }

  /** A one-dimensional text[] field of prepared elements. */
  textArray(items: readonly BinaryField[]): this {
    const size = items.reduce((n, item) => n + 4 + item.bytes.length, 0);
    const start = this.#arrayHeader(items.length, PG_TEXT, false, size);
    let at = start;
    for (const item of items) {
      this.#view.setInt32(at, item.bytes.length);
      this.#bytes.set(item.bytes, at + 4);
      at += 4 + item.bytes.length;
    }
    this.#at = at;
    return this;
  }

  /** A one-dimensional float8[] field of `values[0 … count)`, NaN written as a NULL element. */
  float8Array(values: ArrayLike<number>, count: number): this {
    let nulls = 0;
    for (let i = 0; i < count; i++) if (Number.isNaN(values[i]!)) nulls++;
    const start = this.#arrayHeader(count, PG_FLOAT8, nulls > 0, count * 12 - nulls * 8);
    let at = start;
    for (let i = 0; i < count; i++) {
      const value = values[i]!;
      if (Number.isNaN(value)) {
        this.#view.setInt32(at, -1);
        at += 4;
      } else {
        this.#view.setInt32(at, 8);
        this.#view.setFloat64(at + 4, value);
        at += 12;
      }
    }
    this.#at = at;
    return this;
  }

  /** The rows written, with the format's trailer. */
  finish(): CopyBinary {
    this.#room(2);
    this.#view.setInt16(this.#at, -1);
    return new CopyBinary(this.#bytes.slice(0, this.#at + 2), this.#rows);
  }

  // Writes the field length and array header; returns where the elements go.
  #arrayHeader(count: number, elementType: number, hasNull: boolean, elements: number): number {
    const header = count === 0 ? 12 : 20;
    this.#room(4 + header + elements);
    const view = this.#view;
    let at = this.#at;
    view.setInt32(at, header + elements);
    view.setInt32(at + 4, count === 0 ? 0 : 1); // dimensions
    view.setInt32(at + 8, hasNull ? 1 : 0);
    view.setInt32(at + 12, elementType);
    at += 16;
    if (count > 0) {
      view.setInt32(at, count);
      view.setInt32(at + 4, 1); // lower bound
      at += 8;
    }
    return at;
  }

  #room(bytes: number): void {
    if (this.#at + bytes + 2 <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#at + bytes + 2) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }
}
