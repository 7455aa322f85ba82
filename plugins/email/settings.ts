/** The email channel's settings: SMTP_URL and EMAIL_FROM, from the engine's configuration. */
import { z } from "zod";
import { parsePluginSettings } from "../../engine/plugins/mod.ts";

/** How the email channel reaches its SMTP server and whom its mail is from. */
export interface EmailSettings {
  smtp: {
    host: string;
    port: number;
    /** smtps://: TLS from the first byte; smtp://: STARTTLS when the server offers it. */
    secure: boolean;
    /** Login, when the URL has a user. */
    auth: { user: string; pass: string } | null;
  };
  /** The From header, e.g. `Customer Success <success@example.com>`. */
  from: string;
  /** The domain of the From address: the right side of every Message-ID. */
  fromDomain: string;
  /** How long connecting and each SMTP reply may take. */
  timeoutMs: number;
}

const schema = z.object({
  // Messages never repeat the value: the URL holds the SMTP password.
  SMTP_URL: z.url({
    protocol: /^smtps?$/,
    error: "must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587",
  }).optional(),
  EMAIL_FROM: z.string().regex(/^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, {
    error:
      'must be an address, optionally with a name, e.g. "Customer Success <success@example.com>"',
  }).default("Customer Success <success@localhost>"),
});

/** The email settings in `config`; null when SMTP_URL is unset (no email channel). */
export function emailSettings(config: Readonly<Record<string, unknown>>): EmailSettings | null {
  const parsed = parsePluginSettings("email", schema, config);
  if (parsed.SMTP_URL === undefined) return null;
  const url = new URL(parsed.SMTP_URL);
  const secure = url.protocol === "smtps:";
  const from = parsed.EMAIL_FROM.trim();
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from;
  return {
    smtp: {
      // IPv6 hosts come bracketed in URLs, bare to sockets.
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port === "" ? (secure ? 465 : 587) : Number(url.port),
      secure,
      auth: url.username === ""
        ? null
        : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    },
    from,
    fromDomain: address.slice(address.lastIndexOf("@") + 1),
    timeoutMs: 10_000,
  };
}
