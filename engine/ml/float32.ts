/**
 * Neighbouring float32 values. Inputs and thresholds are float32, so
 * `x < t` is exactly `x <= nextDownFloat32(t)`, and `nextUpFloat32(t)` is
 * the smallest input that goes right of a `x <= t` split.
 */

const SMALLEST_SUBNORMAL = 1.401298464324817e-45;

/** The largest float32 below `t` (`t` a float32; -Infinity and NaN stay). */
export function nextDownFloat32(t: number): number {
  if (t === 0) return -SMALLEST_SUBNORMAL;
  if (t === -Infinity || Number.isNaN(t)) return t;
  return step(t, t > 0 ? -1 : 1);
}

/** The smallest float32 above `t` (`t` a float32; Infinity and NaN stay). */
export function nextUpFloat32(t: number): number {
  if (t === 0) return SMALLEST_SUBNORMAL;
  if (t === Infinity || Number.isNaN(t)) return t;
  return step(t, t > 0 ? 1 : -1);
}

/** Moves `t`'s bit pattern by `delta` (magnitude up for +1 on positives). */
function step(t: number, delta: number): number {
  const value = new Float32Array([t]);
  new Int32Array(value.buffer)[0]! += delta;
  return value[0]!;
}
