/** A rendered intervention as the outbox hands it to a channel, for channel tests. */
import type { ChannelKind, OutgoingMessage } from "../../engine/plugins/mod.ts";

/** A valid message on `channel`; fields of `overrides` replace the defaults. */
export function outgoingMessage(
  channel: ChannelKind,
  overrides: Partial<OutgoingMessage> = {},
): OutgoingMessage {
  return {
    interventionId: "42",
    dedupKey: "sup_rose:onboarding-nudge@3:2026-06-15",
    channel,
    customer: {
      id: "sup_rose",
      name: "Rose Petal Florists",
      email: "owner@rosepetal.example",
      timeZone: "Europe/London",
      locale: "en-GB",
    },
    subject: channel === "email" ? "Your gallery is waiting" : null,
    html: channel === "email" ? "<p>Hi <b>Rose Petal Florists</b>, upload a gallery.</p>" : null,
    text: "Hi *Rose Petal Florists*, upload a gallery.",
    links: { unsubscribe: "https://success.example.com/u/sup_rose/email?sig=abc" },
    test: false,
    source: { ruleId: "onboarding-nudge", templateId: "onboarding_nudge", templateVersion: 2 },
    ...overrides,
  };
}
