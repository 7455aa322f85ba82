/**
 * The wedding season, for the `daysUntilPeakSeason` fact. Weddings cluster in
 * the warm months: June to September in the northern hemisphere, November to
 * March in the southern. Suppliers are busiest then, and a problem found in
 * the weeks before is worth more than one found in the middle of it.
 */
import { DAY_MS } from "../clock.ts";

// Countries with most of their weddings in the southern summer (ISO 3166-1 alpha-2).
const SOUTHERN = new Set([
  "AR",
  "AU",
  "BO",
  "BR",
  "BW",
  "CL",
  "FJ",
  "LS",
  "MG",
  "MU",
  "MW",
  "MZ",
  "NA",
  "NZ",
  "PE",
  "PY",
  "SZ",
  "UY",
  "ZA",
  "ZM",
  "ZW",
]);

/** First and last month (1–12) of the peak season, by hemisphere. */
const PEAK = { north: { from: 6, to: 9 }, south: { from: 11, to: 3 } } as const;

/** Days from `asOf` (a UTC day) until the next peak season starts in `country`; 0 during it. */
export function daysUntilPeakSeason(country: string, asOf: Date): number {
  const peak = SOUTHERN.has(country) ? PEAK.south : PEAK.north;
  const month = asOf.getUTCMonth() + 1;
  const inPeak = peak.from <= peak.to
    ? month >= peak.from && month <= peak.to
    : month >= peak.from || month <= peak.to;
  if (inPeak) return 0;
  const today = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  const year = month < peak.from ? asOf.getUTCFullYear() : asOf.getUTCFullYear() + 1;
  return Math.round((Date.UTC(year, peak.from - 1, 1) - today) / DAY_MS);
}
