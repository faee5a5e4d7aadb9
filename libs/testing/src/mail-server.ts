import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the test SMTP server received it, parsed. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | undefined;
  /** The raw message as it arrived. */
  raw: string;
}

/**
 * A real SMTP server in the test process (the `smtp-server` package) that keeps every mail it
 * accepts, parsed with mailparser. Point an app's SMTP_URL at `url`. `stop()` and `start()` again
 * on the same port simulate an outage.
 */
export interface TestMailServer {
  readonly url: string;
  readonly port: number;
  readonly mails: readonly ReceivedMail[];
  /**
   * A mail (received or to come) to `address`: the one after `after` others, or, with
   * `containing`, the first whose text contains it (mails sent together may arrive in any order).
   */
  waitForMail(
    address: string,
    options?: { after?: number; containing?: string; timeoutMs?: number },
  ): Promise<ReceivedMail>;
  /** Mails received so far to `address`. */
  mailsTo(address: string): ReceivedMail[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The `<WEB_APP_URL><path>?token=...` link in a mail's text, and its token. */
export function linkIn(mail: ReceivedMail, path: string): { url: string; token: string } {
  const match = new RegExp(
    `(https?://\\S+${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_%-]+))`,
  ).exec(mail.text);
  if (!match) throw new Error(`No ${path} link in the mail "${mail.subject}"`);
  return { url: match[1], token: decodeURIComponent(match[2]) };
}

function addressesOf(parsed: ParsedMail): string[] {
  const to = parsed.to === undefined ? [] : Array.isArray(parsed.to) ? parsed.to : [parsed.to];
  return to.flatMap((group) => group.value.map((a) => (a.address ?? '').toLowerCase()));
}

export async function startTestMailServer(
  options: { port?: number } = {},
): Promise<TestMailServer> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;

  const listen = async (): Promise<void> => {
    const next = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              mails.push({
                to: addressesOf(parsed),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                messageId: parsed.messageId,
                raw,
              });
              for (const wake of waiters) wake();
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.server.address() as AddressInfo).port;
    server = next;
  };
  await listen();

  const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address.toLowerCase()));

  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    mails,
    mailsTo,
    waitForMail: (address, { after = 0, containing, timeoutMs = 10_000 } = {}) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found =
            containing === undefined
              ? mailsTo(address)[after]
              : mailsTo(address).find((mail) => mail.text.includes(containing));
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const which = containing === undefined ? `#${after + 1}` : `containing ${containing}`;
          reject(new Error(`No mail ${which} to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: async () => {
      const current = server;
      server = undefined;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    start: listen,
  };
}
