/**
 * Referral asks: a customer whose health score rises to `minScore` or above
 * is a happy customer, a good moment to ask for a referral. On such a
 * `health.changed` the plugin posts the customer to VIRAL_API_ENDPOINT,
 * which runs the ask (an email, an in-product prompt), at most once per
 * customer within `cooldownDays`, and never to a churned customer.
 *
 * The hub delivers at least once: the ask is claimed in the database before
 * the post and marked sent after, so a second delivery posts nothing, and a
 * failed post is posted again on the hub's retry with the same
 * Idempotency-Key. A failure the endpoint can recover from (no answer, 5xx,
 * 429) throws a retriable error; a refusal (another 4xx, a redirect) throws
 * one with `retriable: false`, which the hub dead-letters.
 */
import { z } from "zod";
import type { Db } from "../../engine/db/mod.ts";
import {
  DeliveryError,
  type PluginEventHandler,
  postJson,
  signBody,
} from "../../engine/plugins/mod.ts";
import { claimAsk, markAskSent } from "./ask_store.ts";
import { referralFacts } from "./facts.ts";
import type { ViralSettings } from "./settings.ts";

/** The JSON body VIRAL_API_ENDPOINT gets. */
export interface ReferralAskBody {
  type: "referral_ask";
  /** The same on every attempt for this customer and scoring; also the Idempotency-Key. */
  askId: string;
  customer: { id: string; name: string; vendorType: string };
  health: { score: number; previousScore: number | null; scoredAt: string; minScore: number };
  /** The customer's referral facts at the scoring time. */
  referrals: { sent30d: number; viralCoefficient: number };
  /** When this attempt was sent (ISO 8601). */
  sentAt: string;
}

/** How the last asks went, for the plugin's health. */
export interface AskStatus {
  lastSentAt: Date | null;
  lastFailure: { at: Date; message: string } | null;
}

const payloadSchema = z.looseObject({
  score: z.number().min(0).max(100),
  previousScore: z.number().min(0).max(100).nullable(),
});

/** Whether a change from `previous` to `score` reaches `minScore` from below (or first scoring). */
export function crossesUp(score: number, previous: number | null, minScore: number): boolean {
  return score >= minScore && (previous === null || previous < minScore);
}

/** The `health.changed` handler that asks VIRAL_API_ENDPOINT for a referral ask. */
export function referralAskHandler(
  db: Db,
  settings: ViralSettings & { endpoint: string },
  options: { now: () => Date; status: AskStatus },
): PluginEventHandler {
  return async (event) => {
    if (event.customerId === null) return;
    const payload = payloadSchema.safeParse(event.payload);
    if (!payload.success) {
      // Retrying cannot change the payload: dead-letter it for an operator to look at.
      throw new DeliveryError(
        `health.changed event ${event.id} has no numeric score and previousScore, which the ` +
          `viral plugin needs: ${payload.error.issues.map((i) => i.message).join("; ")}`,
        { retriable: false },
      );
    }
    const { score, previousScore } = payload.data;
    if (!crossesUp(score, previousScore, settings.minScore)) return;
    const scoredAt = new Date(event.occurredAt);
    const candidate = { customerId: event.customerId, scoredAt, eventId: event.id };
    const ask = await claimAsk(db, { ...candidate, score, previousScore }, settings.cooldownDays);
    if (ask === null || ask.sentAt !== null) return;
    const facts = (await referralFacts(db, [ask.customer.id], scoredAt))[ask.customer.id];
    const sentAt = options.now();
    const askId = `viral-ask:${ask.customer.id}:${scoredAt.toISOString()}`;
    const body: ReferralAskBody = {
      type: "referral_ask",
      askId,
      customer: ask.customer,
      health: {
        score,
        previousScore,
        scoredAt: scoredAt.toISOString(),
        minScore: settings.minScore,
      },
      referrals: {
        sent30d: Number(facts?.referrals_sent_30d ?? 0),
        viralCoefficient: Number(facts?.viral_coefficient ?? 0),
      },
      sentAt: sentAt.toISOString(),
    };
    const text = JSON.stringify(body);
    const timestamp = Math.floor(sentAt.getTime() / 1000);
    const headers: Record<string, string> = { "Idempotency-Key": askId };
    if (settings.signingSecret !== null) {
      headers["X-CS-Timestamp"] = String(timestamp);
      headers["X-CS-Signature"] = await signBody(settings.signingSecret, timestamp, text);
    }
    try {
      await postJson(settings.endpoint, text, {
        receiver: "the viral API (VIRAL_API_ENDPOINT)",
        headers,
        signal: event.signal,
        timeoutMs: settings.timeoutMs,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.status.lastFailure = { at: sentAt, message };
      throw error;
    }
    await markAskSent(db, ask.id, sentAt);
    options.status.lastSentAt = sentAt;
    options.status.lastFailure = null;
  };
}
