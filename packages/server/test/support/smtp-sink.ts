/**
 * A real SMTP server on loopback for mail tests: `smtp-server` receives, `mailparser` parses, and
 * every accepted mail lands in `mails`. It can be told to be down (port closed), to reject mail
 * (a temporary 451 or a permanent 550 after DATA), or to hang mid-send, then to come back on
 * the same port.
 *
 * @example
 * const sink = await startSmtpSink();
 * const server = await startTestServer({ smtpUrl: sink.url });
 * ...
 * const [mail] = await sink.waitForMail({ to: 'ada@example.com' });
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The http(s) links of the text part, in order. */
  links: string[];
  headers: Map<string, unknown>;
  receivedAt: Date;
}

/** `accept`: deliver; `down`: the port is closed; `reject`: 451 (temporary); `refuse`: 550; `hang`: never answers DATA. */
export type SinkMode = 'accept' | 'down' | 'reject' | 'refuse' | 'hang';

export interface SmtpSink {
  /** `smtp://[user:pass@]127.0.0.1:port` */
  readonly url: string;
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** Messages whose DATA started (accepted or not): counts attempts that reached the server. */
  readonly attempts: number;
  setMode(mode: SinkMode): Promise<void>;
  /** Waits until `count` mails (default 1) match, then returns those; rejects after `timeoutMs`. */
  waitForMail(filter?: { to?: string; count?: number; timeoutMs?: number }): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Require SMTP AUTH with these credentials (sent in clear over loopback). */
  auth?: { user: string; pass: string };
  mode?: SinkMode;
  /** Holds each accepted mail this long before answering (a slow server). @default 0 */
  delayMs?: number;
}

const LINK = /https?:\/\/[^\s<>"]+/g;

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  let mode: SinkMode = options.mode === 'down' ? 'accept' : (options.mode ?? 'accept');
  let attempts = 0;
  const hanging = new Set<() => void>();

  const create = () =>
    new SMTPServer({
      disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !options.auth,
      allowInsecureAuth: true,
      logger: false,
      // A hung or pooled connection must not keep close() waiting.
      closeTimeout: 100,
      onAuth(auth, _session, callback) {
        if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
          return callback(null, { user: auth.username });
        }
        callback(new Error('Invalid username or password'));
      },
      onData(stream, _session, callback) {
        attempts++;
        if (mode === 'hang') {
          stream.resume();
          hanging.add(() => callback(new Error('closing')));
          return;
        }
        if (mode === 'reject' || mode === 'refuse') {
          stream.resume();
          stream.on('end', () => {
            const error = new Error(mode === 'reject' ? 'Try again later' : 'Mailbox unavailable') as Error & { responseCode: number };
            error.responseCode = mode === 'reject' ? 451 : 550;
            callback(error);
          });
          return;
        }
        simpleParser(stream)
          .then((parsed) => {
            const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) =>
              a.value.map((v) => v.address ?? ''),
            );
            const text = parsed.text ?? '';
            mails.push({
              messageId: parsed.messageId ?? '',
              from: parsed.from?.text ?? '',
              to,
              subject: parsed.subject ?? '',
              text,
              html: typeof parsed.html === 'string' ? parsed.html : '',
              links: text.match(LINK) ?? [],
              headers: parsed.headers as Map<string, unknown>,
              receivedAt: new Date(),
            });
            if (options.delayMs) setTimeout(() => callback(), options.delayMs);
            else callback();
          })
          .catch((error: Error) => callback(error));
      },
    });

  // A client that drops its connection (a server killed mid-send) is ordinary for a sink: without
  // a listener, the 'error' event would end the test process.
  const ignoreClientErrors = (smtp: SMTPServer) => smtp.on('error', () => {});
  let server: SMTPServer | undefined = create();
  ignoreClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const stop = async () => {
    if (!server) return;
    const closing = server;
    server = undefined;
    for (const release of hanging) release();
    hanging.clear();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  const listen = async () => {
    if (server) return;
    server = create();
    ignoreClientErrors(server);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
  };
  if (options.mode === 'down') await stop();

  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    mails,
    get attempts() {
      return attempts;
    },
    async setMode(next) {
      // Sends already hanging stay hung until close(), like a server that lost them.
      if (next === 'down') await stop();
      else await listen();
      mode = next === 'down' ? mode : next;
    },
    async waitForMail(filter = {}) {
      const count = filter.count ?? 1;
      const deadline = Date.now() + (filter.timeoutMs ?? 20_000);
      const matching = () => mails.filter((mail) => !filter.to || mail.to.includes(filter.to));
      while (matching().length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} mail(s)${filter.to ? ` to ${filter.to}` : ''}, got ${matching().length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return matching();
    },
    close: stop,
  };
}
