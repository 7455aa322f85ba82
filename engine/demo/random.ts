/**
 * A small seeded pseudo-random generator (sfc32) with the draws the demo data
 * needs. Demo data must be reproducible from a seed, which Math.random is not.
 */

/** A seeded source of random draws. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One key of a weight table, with probability proportional to its weight. */
  weighted<T extends string>(weights: Readonly<Record<T, number>>): T;
  /** A Poisson-distributed count with mean lambda. */
  poisson(lambda: number): number;
  /** Standard normal draw. */
  normal(): number;
}

/** A generator for `seed` (any integer) and an optional stream (e.g. a customer index). */
export function seededRandom(seed: number, stream = 0): Random {
  let a = 0x9e3779b9 ^ seed, b = 0x243f6a88 ^ stream, c = 0xb7e15162, d = 1;
  const next = () => {
    a |= 0, b |= 0, c |= 0, d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // Mix the seed in before the first draw.
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted: (weights) => {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      let r = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [key, w] of entries) {
        if ((r -= w) < 0) return key;
      }
      return entries.at(-1)![0];
    },
    poisson: (lambda) => {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.normal()));
      const limit = Math.exp(-lambda);
      let k = 0, p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    normal: () => {
      const u = 1 - next(), v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
  return random;
}
