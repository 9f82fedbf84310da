/**
 * The SMTP channel against a real SMTP server (smtp-server) started here on a free port: what
 * arrives (envelope, subject, body, Message-ID from the idempotency key), idempotency, and how
 * SMTP failures map to ChannelError (5xx permanent; 4xx, refused connection, silence retryable).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { ChannelError, smtpChannel, type OutboundMessage } from '../../src/channels/index.js';
import { ValidationError } from '../../src/core/index.js';
import { rejection } from '../support/errors.js';

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  headers: Map<string, string>;
  body: string;
}

/** Header fields (unfolded, names lower-cased) and the body of a raw RFC 5322 message. */
function parseRaw(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}

/** Recipients whose local part asks for a reply: `reject550@…`, `busy451@…`. */
function replyFor(address: string): number | undefined {
  const m = /^(?:reject|busy)(\d{3})@/.exec(address);
  return m ? Number(m[1]) : undefined;
}

let server: SMTPServer;
let port = 0;
const received: Received[] = [];

function listen(s: SMTPServer | net.Server): Promise<number> {
  return new Promise((resolve) => {
    s.listen(0, '127.0.0.1', () => {
      const addr = (s as { server?: net.Server }).server?.address() ?? (s as net.Server).address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
    });
  });
}

beforeAll(async () => {
  server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'ops' && auth.password === 'secret') cb(null, { user: 'ops' });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      const code = replyFor(address.address);
      if (code === undefined) return cb();
      const err: SMTPServerError = new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later');
      err.responseCode = code;
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { headers, body } = parseRaw(Buffer.concat(chunks).toString('utf8'));
        const from = session.envelope.mailFrom;
        received.push({
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((a) => a.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          headers,
          body,
        });
        cb();
      });
    },
  });
  port = await listen(server);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function message(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: 'outbox-1',
    channel: 'email',
    to: 'ann.lee@example.com',
    subject: 'Your payment is overdue',
    body: 'Dear Ann,\r\nyour payment of $12.00 was due on 2026-02-01.\r\n',
    accountId: 'L-1',
    ...over,
  };
}

function channel(over: Partial<Parameters<typeof smtpChannel>[0]> = {}) {
  return smtpChannel({ host: '127.0.0.1', port, secure: false, from: '"Example Bank Collections" <collections@bank.example>', timeoutMs: 5_000, ...over });
}

function sendError(p: Promise<unknown>): Promise<ChannelError> {
  return rejection(p, ChannelError);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const p = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return p;
}

describe('e-mail over SMTP', () => {
  it('delivers the message with envelope, subject, body and a Message-ID from the idempotency key', async () => {
    const before = received.length;
    const ch = channel({ headers: { 'X-Mailer-Tag': 'collections' } });
    const r = await ch.send(message({ idempotencyKey: 'outbox-41' }));
    expect(r).toEqual({ providerId: '<k.outbox-41@bank.example>', status: 'sent', duplicate: false });
    expect(received).toHaveLength(before + 1);
    const got = received.at(-1)!;
    expect(got.from).toBe('collections@bank.example');
    expect(got.to).toEqual(['ann.lee@example.com']);
    expect(got.headers.get('message-id')).toBe('<k.outbox-41@bank.example>');
    expect(got.headers.get('subject')).toBe('Your payment is overdue');
    expect(got.headers.get('from')).toBe('Example Bank Collections <collections@bank.example>');
    expect(got.headers.get('to')).toBe('ann.lee@example.com');
    expect(got.headers.get('x-mailer-tag')).toBe('collections');
    expect(got.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(got.body).toContain('your payment of $12.00 was due on 2026-02-01.');
    expect(await ch.status(r.providerId)).toBe('unknown');
  });

  it('sends a key once per process (duplicate), and a resend from another process carries the same Message-ID', async () => {
    const before = received.length;
    const ch = channel();
    const first = await ch.send(message({ idempotencyKey: 'outbox-42' }));
    const again = await ch.send(message({ idempotencyKey: 'outbox-42' }));
    expect(again).toEqual({ providerId: first.providerId, status: 'sent', duplicate: true });
    expect(received).toHaveLength(before + 1);

    const restarted = channel();
    const resent = await restarted.send(message({ idempotencyKey: 'outbox-42' }));
    expect(resent.providerId).toBe(first.providerId);
    expect(received).toHaveLength(before + 2);
    expect(received.at(-1)!.headers.get('message-id')).toBe(received.at(-2)!.headers.get('message-id'));
  });

  it('hashes a key that cannot stand in a Message-ID, the same way every time', async () => {
    const ch = channel({ messageIdDomain: 'mail.bank.example' });
    const key = 'account L-1 / reminder #3 <2026-02-03>';
    const r = await ch.send(message({ idempotencyKey: key }));
    expect(r.providerId).toMatch(/^<h\.[0-9a-f]{40}@mail\.bank\.example>$/);
    expect(r.providerId).toBe(ch.messageIdFor(key));
    expect(received.at(-1)!.headers.get('message-id')).toBe(r.providerId);
  });

  it('authenticates when configured', async () => {
    const r = await channel({ auth: { user: 'ops', pass: 'secret' } }).send(message({ idempotencyKey: 'auth-ok' }));
    expect(r.duplicate).toBe(false);
    expect(received.at(-1)!.user).toBe('ops');
  });

  it('a 5xx rejection is permanent', async () => {
    const e = await sendError(channel().send(message({ idempotencyKey: 'bounce', to: 'reject550@example.com' })));
    expect(e.retryable).toBe(false);
    expect(e.providerCode).toBe(550);
    expect(e.code).toBe('bad-address');
    expect(e.channel).toBe('smtp');
    expect(e.message).toContain('Mailbox unavailable');
  });

  it('failed authentication (535) is permanent', async () => {
    const e = await sendError(channel({ auth: { user: 'ops', pass: 'wrong' } }).send(message({ idempotencyKey: 'auth-bad' })));
    expect(e.retryable).toBe(false);
    expect(e.code).toBe('auth');
    expect(e.providerCode).toBe(535);
  });

  it('a 4xx reply is retryable, and the key is not taken as sent', async () => {
    const ch = channel();
    const e = await sendError(ch.send(message({ idempotencyKey: 'greylisted', to: 'busy451@example.com' })));
    expect(e.retryable).toBe(true);
    expect(e.code).toBe('rejected');
    expect(e.providerCode).toBe(451);
    const e2 = await sendError(ch.send(message({ idempotencyKey: 'greylisted', to: 'busy451@example.com' })));
    expect(e2.retryable).toBe(true);
  });

  it('a refused connection is retryable', async () => {
    const e = await sendError(channel({ port: await freePort() }).send(message({ idempotencyKey: 'refused' })));
    expect(e.retryable).toBe(true);
    expect(e.code).toBe('connection');
  });

  it('a server that never greets times out, retryable', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    const silentPort = await listen(silent);
    try {
      const started = Date.now();
      const e = await sendError(channel({ port: silentPort, timeoutMs: 400 }).send(message({ idempotencyKey: 'silent' })));
      expect(e.retryable).toBe(true);
      expect(e.code).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a bad address or a message for another channel without connecting (permanent)', async () => {
    const before = received.length;
    const ch = channel();
    const bad = await sendError(ch.send(message({ idempotencyKey: 'bad-to', to: 'not an address' })));
    expect([bad.retryable, bad.code]).toEqual([false, 'bad-address']);
    const sms = await sendError(ch.send(message({ idempotencyKey: 'sms', channel: 'sms', to: '+12125550100' })));
    expect([sms.retryable, sms.code]).toEqual([false, 'wrong-channel']);
    expect(received).toHaveLength(before);
  });

  it('checks its configuration, naming the field', () => {
    const base = { host: '127.0.0.1', port: 25, secure: false, from: 'ops@bank.example' };
    const field = (over: Record<string, unknown>): string => {
      try {
        smtpChannel({ ...base, ...over } as Parameters<typeof smtpChannel>[0]);
      } catch (e) {
        if (e instanceof ValidationError) return e.field;
        throw e;
      }
      return 'none';
    };
    expect(field({})).toBe('none');
    expect(field({ host: 'smtp example' })).toBe('host');
    expect(field({ port: 70000 })).toBe('port');
    expect(field({ secure: 'yes' })).toBe('secure');
    expect(field({ from: 'nobody' })).toBe('from');
    expect(field({ auth: { user: '', pass: 'x' } })).toBe('auth.user');
    expect(field({ timeoutMs: 0 })).toBe('timeoutMs');
  });
});
