/**
 * The outbound message channel: one interface that every way of sending a borrower an SMS or an
 * e-mail implements, and the one error type adapters throw.
 *
 * Channels are an edge module. ARCHITECTURE.md places channels under src/contact/channels; this
 * repository keeps its I/O edges (phone metadata, PDF letters, and now SMTP and HTTP gateways) in
 * src/channels, so domain modules stay free of sockets and the dependency arrows keep pointing
 * from the edge to the domain. Adapters: `smtpChannel` (e-mail over SMTP, ./smtp.ts),
 * `httpSmsChannel` (SMS over a configurable HTTP gateway, ./sms-http.ts) and `recordingChannel`
 * (in memory, for demos, timelines and tests, ./recording.ts). docs/channels.md describes them.
 *
 * The contract, for whoever dispatches messages (an outbox):
 * - `send` is idempotent by `idempotencyKey` as far as the provider allows: the key travels to the
 *   provider (an `Idempotency-Key` header, a Message-ID derived from it) so a resend after a crash
 *   is recognisable; when the adapter knows the provider had it already, `duplicate` is true and
 *   `providerId` is the first send's.
 * - `send` resolves once the provider has taken the message (`queued` or `sent`, rarely
 *   `delivered`), and rejects with a `ChannelError` only: `retryable` says whether the same
 *   message may succeed later (timeouts, refused connections, 4xx SMTP replies, 5xx / 429 HTTP
 *   answers) or never will (5xx SMTP replies, 4xx HTTP answers, a bad address, a message for the
 *   wrong channel).
 * - `status` asks the provider about a message it took; `unknown` when it cannot tell.
 *
 * Not to be confused with the contact module's `Channel` (the kind of contact: call, sms, email,
 * letter, visit), which is what the gate and the strategy count.
 */

export interface OutboundMessage {
  /** Stable per logical message (e.g. the outbox row id): the same key is the same message. */
  idempotencyKey: string;
  channel: 'sms' | 'email';
  /** E.164 number for SMS, an address for e-mail */
  to: string;
  /** overrides the adapter's configured sender */
  from?: string;
  /** e-mail only */
  subject?: string;
  body: string;
  accountId?: string;
}

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'unknown';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sent', 'delivered', 'failed', 'unknown'];

export interface SendResult {
  providerId: string;
  status: DeliveryStatus;
  /** the provider (or the adapter) had this idempotency key already; nothing new was sent */
  duplicate: boolean;
}

export interface Channel {
  readonly name: string;
  send(m: OutboundMessage): Promise<SendResult>;
  status(providerId: string): Promise<DeliveryStatus>;
}

export interface ChannelErrorDetails {
  /**
   * What went wrong, for logs and metrics: `timeout`, `connection`, `rejected` (the provider said
   * no), `bad-address`, `bad-message`, `bad-response` (the provider's answer could not be read),
   * `wrong-channel`, or an adapter's own word. Defaults to `transient` / `permanent`.
   */
  code?: string;
  /** the adapter's name (`Channel.name`) */
  channel?: string;
  /** what the provider answered: the SMTP reply code or the HTTP status */
  providerCode?: number;
  /** the provider's own wait before a retry (HTTP Retry-After), in milliseconds */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A send or status query that failed. `retryable`: transient (timeouts, refused or dropped
 * connections, SMTP 4xx, HTTP 5xx / 408 / 429) — the same message may go through later; permanent
 * (SMTP 5xx, HTTP 4xx, a bad address) — retrying the same message will fail the same way.
 */
export class ChannelError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  readonly channel: string | undefined;
  readonly providerCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryable: boolean, details: ChannelErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ChannelError';
    this.retryable = retryable;
    this.code = details.code ?? (retryable ? 'transient' : 'permanent');
    this.channel = details.channel;
    this.providerCode = details.providerCode;
    this.retryAfterMs = details.retryAfterMs;
  }

  static transient(message: string, details: ChannelErrorDetails = {}): ChannelError {
    return new ChannelError(message, true, details);
  }

  static permanent(message: string, details: ChannelErrorDetails = {}): ChannelError {
    return new ChannelError(message, false, details);
  }
}

/** True for a ChannelError that may succeed on a later try; false for anything else. */
export function isRetryable(e: unknown): boolean {
  return e instanceof ChannelError && e.retryable;
}

/** The message is for this channel kind, or a permanent `wrong-channel` error. */
export function expectKind(m: OutboundMessage, kind: OutboundMessage['channel'], channel: string): void {
  if (m.channel !== kind) {
    throw ChannelError.permanent(`${channel}: cannot send a ${m.channel} message (this channel sends ${kind})`, { code: 'wrong-channel', channel });
  }
  if (typeof m.idempotencyKey !== 'string' || m.idempotencyKey.trim() === '') {
    throw ChannelError.permanent(`${channel}: idempotencyKey must be a non-empty string`, { code: 'bad-message', channel });
  }
}
