import { assertEquals } from "../../helpers/assert.ts";
import { daysUntilPeakSeason } from "../../../engine/rules/mod.ts";

Deno.test("daysUntilPeakSeason counts to June in the north and November in the south; 0 during it", () => {
  const may1 = new Date("2026-05-01T09:00:00Z");
  assertEquals(daysUntilPeakSeason("GB", may1), 31);
  assertEquals(daysUntilPeakSeason("GB", new Date("2026-07-15T00:00:00Z")), 0);
  // After September, the next northern season is next June.
  assertEquals(daysUntilPeakSeason("US", new Date("2026-10-01T00:00:00Z")), 243);
  assertEquals(daysUntilPeakSeason("AU", may1), 184);
  // The southern season runs over the new year.
  assertEquals(daysUntilPeakSeason("NZ", new Date("2027-01-20T00:00:00Z")), 0);
  assertEquals(daysUntilPeakSeason("ZA", new Date("2027-04-01T00:00:00Z")), 214);
});
