/**
 * The usage events of one demo supplier, day by day: logins and feature use
 * shaped by wedding seasonality, weekends, onboarding and a fade before
 * churn; clients, forms and payments that reach the onboarding milestones;
 * support tickets and failed subscription payments.
 */
import { DAY_MS } from "../clock.ts";
import type { SupplierProfile } from "./population.ts";
import type { Random } from "./random.ts";

/** An event row ready for bulk insert. */
export interface DemoEvent {
  event_id: string;
  customer_id: string;
  type: string;
  user_id: string | null;
  occurred_at: string;
  properties: Record<string, unknown>;
}

const features = [
  "contracts",
  "invoices",
  "questionnaires",
  "gallery",
  "timeline",
  "client_portal",
  "booking_calendar",
  "payments",
  "email_templates",
  "reviews",
  "moodboards",
  "budget_tracker",
] as const;

/** How busy wedding suppliers are in each month (northern hemisphere), January first. */
const northernSeason = [1.1, 1.1, 0.95, 1.05, 1.25, 1.25, 1.25, 1.25, 1.2, 1.05, 0.8, 0.7];

/** Days before churn over which activity fades. */
const FADE_DAYS = 60;

/**
 * Events of `profile` up to `asOf`. Milestone-relevant events (profile,
 * clients, forms, payments) are generated from signup on; everyday usage only
 * from `windowStart`, which keeps large populations affordable.
 */
export function generateActivity(
  random: Random,
  profile: SupplierProfile,
  window: { windowStart: Date; asOf: Date },
): DemoEvent[] {
  const events: DemoEvent[] = [];
  const id = profile.record.id;
  const users = Array.from(
    { length: Number(profile.record.attributes.teamSize ?? 1) },
    (_, i) => `${id}-u${i + 1}`,
  );
  const preferred = shuffled(random, features).slice(0, Math.min(features.length, profile.breadth));
  const end = Math.min(window.asOf.getTime(), profile.churnAt?.getTime() ?? Infinity);
  let seq = 0;
  const add = (type: string, at: number, properties: Record<string, unknown> = {}) => {
    if (at > end) return;
    events.push({
      event_id: `${id}-${(seq++).toString(36)}`,
      customer_id: id,
      type,
      user_id: random.pick(users),
      occurred_at: new Date(at).toISOString(),
      properties,
    });
  };
  const at = (day: number) => day + random.int(7, 20) * 3_600_000 + random.int(0, 3_599) * 1000;

  const signup = profile.signup.getTime();
  if (random.chance(0.55 + 0.45 * profile.diligence)) {
    add(
      "profile_completed",
      at(signup + Math.floor(random.next() * (1 + (1 - profile.diligence) * 25)) * DAY_MS),
    );
  }
  let clients = 0, forms = 0;
  for (let day = signup; day <= end; day += DAY_MS) {
    const date = new Date(day);
    const tenure = (day - signup) / DAY_MS;
    const toChurn = profile.churnAt ? (profile.churnAt.getTime() - day) / DAY_MS : Infinity;
    const fade = toChurn < FADE_DAYS ? 0.05 + 0.95 * (toChurn / FADE_DAYS) ** 1.5 : 1;
    const month = (date.getUTCMonth() + (profile.southern ? 6 : 0)) % 12;
    const season = northernSeason[month]!;
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? 0.55 : 1;
    const onboarding = tenure < 30 ? 1 + profile.diligence * 4 : 1;
    const work = profile.activity * 2 * fade;

    if (random.chance(0.035 * work * season * onboarding)) {
      add("client_added", at(day), { clientId: `${id}-c${++clients}` });
    }
    if (clients > 0 && random.chance(0.045 * work * onboarding)) {
      add("form_sent", at(day), { formId: `${id}-f${++forms}` });
    }
    if (forms > 0 && random.chance(0.035 * work)) {
      add("payment_received", at(day), {
        amount: random.int(150, 3_000),
        currency: profile.record.currency,
      });
    }
    if (day < window.windowStart.getTime()) continue;

    if (
      random.chance(
        Math.min(0.97, profile.activity * season * fade * weekend * (tenure < 14 ? 1.3 : 1)),
      )
    ) {
      const sessions = 1 + random.poisson(0.5);
      for (let s = 0; s < sessions; s++) add("login", at(day));
      const used = 1 + random.poisson(profile.breadth * 0.6 * fade);
      for (let f = 0; f < used; f++) {
        add("feature_used", at(day), { feature: random.pick(preferred) });
      }
    }
    if (random.chance((profile.supportRate / 30) * (fade < 1 ? 1.6 : 1))) {
      const opened = at(day);
      const ticketId = `${id}-t${day / DAY_MS}`;
      add("support_ticket_opened", opened, {
        ticketId,
        severity: random.weighted({ low: 30, normal: 50, high: 15, urgent: 5 }),
      });
      add("support_ticket_resolved", opened + random.int(1, 4) * DAY_MS, { ticketId });
    }
    if (date.getUTCDate() === profile.signup.getUTCDate() && tenure > 0) {
      if (random.chance(profile.billingRisk * (fade < 1 ? 2 : 1))) {
        add("payment_failed", at(day), {
          amount: profile.record.mrr,
          currency: profile.record.currency,
          reason: random.pick(["card_declined", "expired_card", "insufficient_funds"]),
        });
      }
    }
    if (random.chance(0.002)) {
      add("nps_submitted", at(day), {
        score: Math.max(
          0,
          Math.min(10, Math.round(4 + profile.activity * 7 * fade + random.normal())),
        ),
      });
    }
  }
  return events;
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
