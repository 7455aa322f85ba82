/** Suggestions for misspelled names in validation messages. */

/** The candidate closest to `input` by edit distance, if it is close enough to be a typo. */
export function closestName(input: string, candidates: Iterable<string>): string | null {
  const wanted = input.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // A third of the name, at least two edits: "healtScore" → "healthScore", not "plan" → "mrr".
  return bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : null;
}

/** " Did you mean "x"?" or "", for the end of a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const close = closestName(input, candidates);
  return close === null ? "" : ` Did you mean "${close}"?`;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
