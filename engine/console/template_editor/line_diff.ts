/**
 * A line diff of two texts (a template part before and after), for the
 * history and the conflict view: the longest common subsequence of lines,
 * so a reader sees which lines were added and removed rather than two
 * blobs. Parts are at most 64 KB, a few hundred lines: the quadratic table
 * is small. (No diff package is among the engine's dependencies; this is
 * twenty lines.)
 */

/** One line of a diff. */
export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
}

/** The lines of `after` against `before`, in order. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from(
    { length: a.length + 1 },
    () => new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j]
        ? common[i + 1]![j + 1]! + 1
        : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: "same", text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // Removed lines first, then what replaces them, as diffs are read.
      lines.push({ kind: "removed", text: a[i++]! });
    } else {
      lines.push({ kind: "added", text: b[j++]! });
    }
  }
  return lines;
}

/** Whether the diff changes anything. */
export function changed(lines: readonly DiffLine[]): boolean {
  return lines.some((line) => line.kind !== "same");
}
