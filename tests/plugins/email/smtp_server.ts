/**
 * A real SMTP server on loopback (smtp-server) that keeps every message it
 * accepts, parsed with mailparser, and can refuse recipients with a chosen
 * reply, as a mail provider would.
 */
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A message the server accepted. */
export interface ReceivedMail {
  /** The envelope recipients. */
  to: string[];
  parsed: ParsedMail;
  /** The raw header lines, as sent. */
  headerLines: Map<string, string>;
}

/** A running test SMTP server. */
export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** Starts the server; `rejectRecipients` answers every RCPT TO with that reply instead of 250. */
export async function startSmtpServer(
  options: { rejectRecipients?: { code: number; message: string } } = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, no login to check.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      const reject = options.rejectRecipients;
      if (reject === undefined) return callback();
      callback(Object.assign(new Error(reject.message), { responseCode: reject.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        const headerLines = new Map(
          parsed.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(":") + 1).trim()]),
        );
        const to = session.envelope.rcptTo.map((r) => r.address);
        received.push({ to, parsed, headerLines });
        callback();
      }, (error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on loopback that nothing listens on. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
