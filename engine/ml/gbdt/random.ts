/**
 * A seeded pseudo-random generator (mulberry32) for the trainer's splits.
 * Splits must be reproducible from a seed so a model card's figures can be
 * measured again; Math.random cannot be seeded.
 */

/** Uniform draws in [0, 1) from `seed` (any integer). */
export function seededUniform(seed: number): () => number {
  let state = seed | 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher–Yates) with `next`. */
export function shuffleInPlace(items: Uint32Array, next: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
}
