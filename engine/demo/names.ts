/** Business names for demo suppliers, in the style each kind of supplier uses. */
import type { CustomerInput } from "../signals/mod.ts";
import type { Random } from "./random.ts";

const firstWords = [
  "Golden Hour",
  "Willow",
  "Silver Birch",
  "Juniper",
  "Rosewood",
  "Blue Fern",
  "Meadow",
  "Ivy Lane",
  "Harbour",
  "Wildflower",
  "Old Oak",
  "Moonstone",
  "Lavender",
  "Northlight",
  "Peony",
  "Saltmarsh",
  "Hazel",
  "Orchard",
  "Copper Kettle",
  "Bluebell",
];

const owners = ["Amelia", "Oliver", "Isla", "Noah", "Freya", "Leo", "Maya", "Arlo", "Ruby", "Theo"];

const trades: Record<CustomerInput["vendorType"], readonly string[]> = {
  photographer: ["Photography", "Photo Co.", "Studios"],
  videographer: ["Films", "Wedding Films", "Motion"],
  venue: ["Barn", "Manor", "House & Gardens", "Estate"],
  planner: ["Weddings & Events", "Planning", "Celebrations"],
  florist: ["Florals", "Flower Studio", "Blooms"],
  caterer: ["Kitchen", "Catering", "Feasts"],
  baker: ["Cakes", "Bakehouse", "Patisserie"],
  dj: ["DJs", "Sound", "Disco"],
  band: ["Band", "Collective", "Quartet"],
  hair_makeup: ["Bridal Beauty", "Hair & Makeup", "Beauty Studio"],
  stationer: ["Paper Co.", "Stationery", "Press"],
  officiant: ["Ceremonies", "Celebrant", "Vows"],
  other: ["Wedding Co.", "Events", "Hire"],
};

/** A plausible business name for a supplier of `vendorType`. */
export function supplierName(random: Random, vendorType: CustomerInput["vendorType"]): string {
  const trade = random.pick(trades[vendorType]);
  if (random.chance(0.25)) return `${random.pick(owners)} ${random.pick(firstWords)} ${trade}`;
  return `${random.pick(firstWords)} ${trade}`;
}
