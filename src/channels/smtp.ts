/**
 * E-mail over SMTP with nodemailer (an edge module: see ./channel.ts).
 *
 * - One connection per message (no pool): collections mail is a trickle, and a fresh connection
 *   cannot be left half-used by a failure.
 * - The Message-ID is derived from the idempotency key (`<k.KEY@domain>` when the key is made of
 *   letters, digits, `.`, `_`, `-` and at most 64 long, `<h.SHA256-PREFIX@domain>` otherwise;
 *   the domain is `messageIdDomain` or the sender's), so a resend after a crash carries the same
 *   Message-ID and is recognisable by the relay, the mailbox and the borrower's client. The
 *   providerId is that Message-ID.
 * - Within one process a key that was sent already is not sent again: `duplicate: true` and the
 *   first Message-ID (the last 10,000 keys are remembered). Across processes the outbox is the
 *   record; SMTP itself has no idempotency.
 * - Errors: an SMTP 5xx reply (except 503) is permanent, a 4xx reply, 503, a refused or dropped
 *   connection or a timeout is retryable (nodemailer's own classification, `NodemailerError`).
 * - SMTP cannot be asked about a message later: `status()` answers `unknown`; bounces arrive as
 *   mail.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type NodemailerError, type SMTPTransportOptions } from 'nodemailer';
import { ValidationError } from '../core/index.js';
import { isEmail } from '../contact/index.js';
import { ChannelError, expectKind, type Channel, type DeliveryStatus, type OutboundMessage, type SendResult } from './channel.js';

export interface SmtpChannelConfig {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** the sender, `ops@lender.example` or `"Lender Collections" <ops@lender.example>` */
  from: string;
  /** Channel.name (default `smtp`) */
  name?: string;
  /** refuse to send unless the connection is upgraded with STARTTLS (default false) */
  requireTLS?: boolean;
  /** do not try STARTTLS even when the server offers it (default false; for local relays) */
  ignoreTLS?: boolean;
  /** verify the server's certificate (default true) */
  rejectUnauthorized?: boolean;
  /** the right-hand side of Message-IDs (default: the sender's domain) */
  messageIdDomain?: string;
  /** the whole send, connection to the server's final reply, in ms (default 30,000) */
  timeoutMs?: number;
  /** extra headers on every message */
  headers?: Record<string, string>;
}

export interface SmtpChannel extends Channel {
  /** the Message-ID `send` uses for this key */
  messageIdFor(idempotencyKey: string): string;
  close(): void;
}

const HOST = /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/;
const SAFE_KEY = /^[A-Za-z0-9._-]{1,64}$/;
const REMEMBERED = 10_000;

/** `ops@lender.example` out of `"Lender" <ops@lender.example>` or a bare address; null when there is none. */
function addressOf(from: string): string | null {
  const angle = /<([^<>]+)>\s*$/.exec(from);
  const addr = (angle ? angle[1] : from)?.trim() ?? '';
  return isEmail(addr) ? addr : null;
}

function validate(config: SmtpChannelConfig): Required<Pick<SmtpChannelConfig, 'name' | 'timeoutMs' | 'messageIdDomain'>> {
  const where = 'smtp channel';
  if (typeof config !== 'object' || config === null) throw new ValidationError('config', 'must be an object with host, port, secure and from', where);
  if (typeof config.host !== 'string' || !HOST.test(config.host)) throw new ValidationError('host', 'must be a host name or IP address', where);
  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) throw new ValidationError('port', 'must be an integer from 1 to 65535', where);
  if (typeof config.secure !== 'boolean') throw new ValidationError('secure', 'must be true (TLS from the start, port 465) or false (STARTTLS when offered)', where);
  if (config.auth !== undefined) {
    if (typeof config.auth !== 'object' || config.auth === null) throw new ValidationError('auth', 'must be { user, pass }', where);
    if (typeof config.auth.user !== 'string' || config.auth.user === '') throw new ValidationError('auth.user', 'must be a non-empty string', where);
    if (typeof config.auth.pass !== 'string') throw new ValidationError('auth.pass', 'must be a string', where);
  }
  if (typeof config.from !== 'string') throw new ValidationError('from', 'must be an e-mail address', where);
  const sender = addressOf(config.from);
  if (sender === null) throw new ValidationError('from', `must be an e-mail address or "Name" <address>, got ${JSON.stringify(config.from)}`, where);
  const domain = config.messageIdDomain ?? sender.slice(sender.lastIndexOf('@') + 1);
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new ValidationError('messageIdDomain', 'must be a domain name', where);
  const timeoutMs = config.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ValidationError('timeoutMs', 'must be a positive integer (milliseconds)', where);
  const name = config.name ?? 'smtp';
  if (typeof name !== 'string' || name === '') throw new ValidationError('name', 'must be a non-empty string', where);
  for (const [k, v] of Object.entries(config.headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(k) || typeof v !== 'string' || /[\r\n]/.test(v)) throw new ValidationError(`headers.${k}`, 'must be a header name with a one-line string value', where);
  }
  return { name, timeoutMs, messageIdDomain: domain };
}

/** The Message-ID for an idempotency key: readable when the key is, a hash prefix otherwise. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const local = SAFE_KEY.test(idempotencyKey) ? `k.${idempotencyKey}` : `h.${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
  return `<${local}@${domain}>`;
}

function isNodemailerError(e: unknown): e is NodemailerError {
  return e instanceof Error;
}

/** Maps what nodemailer threw to a ChannelError: SMTP 5xx permanent, 4xx / 503 / network retryable. */
export function smtpError(e: unknown, channel: string): ChannelError {
  if (e instanceof ChannelError) return e;
  if (!isNodemailerError(e)) return ChannelError.transient(`${channel}: ${String(e)}`, { channel, cause: e });
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = `${channel}: ${e.message}`;
  if (reply !== undefined && reply >= 400) {
    const permanent = e.permanent ?? (reply >= 500 && reply !== 503);
    const code = e.code === 'EAUTH' ? 'auth' : permanent && e.code === 'EENVELOPE' ? 'bad-address' : 'rejected';
    return new ChannelError(text, !permanent, { code, channel, providerCode: reply, cause: e });
  }
  switch (e.code) {
    case 'ETIMEDOUT':
    case 'EABORT':
      return ChannelError.transient(text, { code: 'timeout', channel, cause: e });
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETLS':
    case 'EPROXY':
    case 'ECONNREFUSED':
    case 'ECONNRESET':
      return ChannelError.transient(text, { code: 'connection', channel, cause: e });
    case 'EENVELOPE':
      return ChannelError.permanent(text, { code: 'bad-address', channel, cause: e });
    case 'EMESSAGE':
    case 'ECONFIG':
    case 'ENOAUTH':
    case 'EREQUIRETLS':
      return ChannelError.permanent(text, { code: e.code === 'EMESSAGE' ? 'bad-message' : 'config', channel, cause: e });
    default:
      // Unclassified failures are retried: the outbox caps attempts, and the Message-ID makes a resend recognisable.
      return ChannelError.transient(text, { channel, cause: e });
  }
}

export function smtpChannel(config: SmtpChannelConfig): SmtpChannel {
  const { name, timeoutMs, messageIdDomain } = validate(config);
  const options: SMTPTransportOptions = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTLS ?? false,
    ignoreTLS: config.ignoreTLS ?? false,
    tls: { rejectUnauthorized: config.rejectUnauthorized ?? true },
    connectionTimeout: Math.min(timeoutMs, 10_000),
    greetingTimeout: Math.min(timeoutMs, 10_000),
    socketTimeout: timeoutMs,
  };
  if (config.auth) options.auth = { user: config.auth.user, pass: config.auth.pass };
  const transport = nodemailer.createTransport(options);
  const sent = new Map<string, string>();

  const idFor = (key: string): string => messageIdFor(key, messageIdDomain);

  return {
    name,
    messageIdFor: idFor,
    async send(m: OutboundMessage): Promise<SendResult> {
      expectKind(m, 'email', name);
      if (typeof m.to !== 'string' || !isEmail(m.to)) {
        throw ChannelError.permanent(`${name}: to must be an e-mail address, got ${JSON.stringify(m.to)}`, { code: 'bad-address', channel: name });
      }
      if (m.from !== undefined && addressOf(m.from) === null) {
        throw ChannelError.permanent(`${name}: from must be an e-mail address, got ${JSON.stringify(m.from)}`, { code: 'bad-address', channel: name });
      }
      if (typeof m.body !== 'string') throw ChannelError.permanent(`${name}: body must be a string`, { code: 'bad-message', channel: name });
      const known = sent.get(m.idempotencyKey);
      if (known !== undefined) return { providerId: known, status: 'sent', duplicate: true };

      const messageId = idFor(m.idempotencyKey);
      try {
        await transport.sendMail({
          from: m.from ?? config.from,
          to: m.to,
          subject: m.subject ?? '',
          text: m.body,
          messageId,
          headers: { ...config.headers },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        throw smtpError(e, name);
      }
      if (sent.size >= REMEMBERED) {
        const oldest = sent.keys().next();
        if (!oldest.done) sent.delete(oldest.value);
      }
      sent.set(m.idempotencyKey, messageId);
      return { providerId: messageId, status: 'sent', duplicate: false };
    },
    async status(_providerId: string): Promise<DeliveryStatus> {
      return 'unknown';
    },
    close(): void {
      transport.close();
    },
  };
}
