import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
  user?: string;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server), no STARTTLS offered (the "TLS not required" path), optional
 * AUTH. Every accepted message is parsed with mailparser.
 */
export class SmtpTestServer {
  readonly received: ReceivedMail[] = [];
  #waiters: Array<() => void> = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(opts: { port?: number; auth?: { user: string; pass: string } } = {}): Promise<SmtpTestServer> {
    let self: SmtpTestServer | undefined;
    const server = new SMTPServer({
      disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
        cb(new Error('Invalid username or password'));
      },
      onMailFrom(_a, session, cb) {
        if (opts.auth && !session.user) return cb(new Error('Authentication required'));
        cb();
      },
      onData(stream, session, cb) {
        simpleParser(stream)
          .then((mail) => {
            self!.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail, ...(session.user ? { user: String(session.user) } : {}) });
            for (const w of self!.#waiters.splice(0)) w();
            cb();
          })
          .catch((err: Error) => cb(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    self = new SmtpTestServer(server, port);
    return self;
  }

  /** Resolves once `count` messages have arrived. */
  async waitFor(count: number): Promise<ReceivedMail[]> {
    while (this.received.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
