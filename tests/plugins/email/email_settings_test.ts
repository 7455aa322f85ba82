import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import { EngineError } from "../../../engine/errors.ts";
import { emailSettings, messageIdFor } from "../../../plugins/email/mod.ts";

Deno.test("emailSettings() is null without SMTP_URL: no email channel", () => {
  assertEquals(emailSettings({}), null);
  assertEquals(emailSettings({ EMAIL_FROM: "a@b.example" }), null);
});

Deno.test("emailSettings() reads host, port, TLS and login from SMTP_URL", () => {
  assertEquals(
    emailSettings({ SMTP_URL: "smtp://mailer%40cs:p%3Ass@mail.example.com:2525" }),
    {
      smtp: {
        host: "mail.example.com",
        port: 2525,
        secure: false,
        auth: { user: "mailer@cs", pass: "p:ss" },
      },
      from: "Customer Success <success@localhost>",
      fromDomain: "localhost",
      timeoutMs: 10_000,
    },
  );
  const tls = emailSettings({ SMTP_URL: "smtps://mail.example.com", EMAIL_FROM: "cs@a.example" });
  assertEquals([tls?.smtp.port, tls?.smtp.secure, tls?.smtp.auth, tls?.fromDomain], [
    465,
    true,
    null,
    "a.example",
  ]);
});

Deno.test("emailSettings() names each bad variable and never repeats the password", () => {
  const error = assertThrows(
    () =>
      emailSettings({ SMTP_URL: "https://user:hunter2@mail.example.com", EMAIL_FROM: "nobody" }),
    EngineError,
  );
  assertEquals(error.code, "CONFIG_INVALID");
  assertEquals(error.issues.map((i) => i.path), ["SMTP_URL", "EMAIL_FROM"]);
  assertEquals(error.message.includes("hunter2"), false);
  assertEquals(
    error.message,
    "Invalid configuration for the email plugin: SMTP_URL: must be an smtp:// or smtps:// URL, " +
      "e.g. smtp://user:password@mail.example.com:587; EMAIL_FROM: must be an address, optionally " +
      'with a name, e.g. "Customer Success <success@example.com>"',
  );
});

Deno.test("messageIdFor() escapes what a Message-ID may not hold, the same way every time", () => {
  assertEquals(
    messageIdFor("sup_1:rule-a@3:2026-W24", "cs.example"),
    "<sup_1=3Arule-a=403=3A2026-W24@cs.example>",
  );
  assertEquals(messageIdFor("a.b é", "x.example"), "<a=2Eb=20=C3=A9@x.example>");
  assertEquals(messageIdFor("k=1", "x.example"), "<k=3D1@x.example>");
});
