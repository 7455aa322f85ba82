/** What benchmarks do with their figures: a Markdown table to print, JSON in bench/.results/. */

/** Writes `figures` as JSON to bench/.results/`name`.json; returns the path. */
export async function saveFigures(name: string, figures: unknown): Promise<string> {
  const dir = new URL("./.results/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const file = new URL(`${name}.json`, dir);
  await Deno.writeTextFile(file, JSON.stringify(figures, null, 2) + "\n");
  return file.pathname;
}

/** `rows` as the lines of a two-column Markdown table (measure, result). */
export function markdownTable(rows: ReadonlyArray<readonly [string, string]>): string[] {
  return [
    "| measure | result |",
    "|---|---|",
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
  ];
}
