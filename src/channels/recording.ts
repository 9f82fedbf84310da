/**
 * A channel that sends nothing and remembers everything (an edge module: see ./channel.ts), for
 * the demo, timelines and tests of whatever dispatches messages.
 *
 * - Both kinds (`sms` and `email`) unless `kinds` narrows it.
 * - Idempotent by key: a repeat returns the first providerId with `duplicate: true` and records
 *   nothing new.
 * - Deterministic provider ids: `rec-000001`, `rec-000002`, … in send order (the prefix is
 *   configurable), so a replayed timeline prints the same ids every time.
 * - `fail` scripts failures (return a ChannelError to throw it; nothing is recorded then), and
 *   `setStatus` plays a delivery receipt.
 */
import { ChannelError, type Channel, type DeliveryStatus, type OutboundMessage, type SendResult } from './channel.js';

export interface RecordedMessage extends OutboundMessage {
  providerId: string;
  status: DeliveryStatus;
  /** 1, 2, … in send order */
  seq: number;
}

export interface RecordingChannelOptions {
  /** Channel.name (default `recording`) */
  name?: string;
  /** provider id prefix (default `rec-`) */
  idPrefix?: string;
  /** the kinds of message accepted (default both) */
  kinds?: readonly OutboundMessage['channel'][];
  /** the status a new message gets (default `sent`) */
  initialStatus?: DeliveryStatus;
  /** called before each new (non-duplicate) send with its attempt number for the key (1, 2, …); a ChannelError returned is thrown */
  fail?: (m: OutboundMessage, attempt: number) => ChannelError | null | undefined;
}

export interface RecordingChannel extends Channel {
  /** what was sent, in order (copies) */
  messages(): readonly RecordedMessage[];
  /** the message sent with this key, if any */
  byKey(idempotencyKey: string): RecordedMessage | undefined;
  /** plays a delivery receipt; throws when the id is unknown */
  setStatus(providerId: string, status: DeliveryStatus): void;
}

export function recordingChannel(options: RecordingChannelOptions = {}): RecordingChannel {
  const name = options.name ?? 'recording';
  const prefix = options.idPrefix ?? 'rec-';
  const kinds = new Set(options.kinds ?? ['sms', 'email']);
  const initial = options.initialStatus ?? 'sent';
  const list: RecordedMessage[] = [];
  const keys = new Map<string, RecordedMessage>();
  const ids = new Map<string, RecordedMessage>();
  const attempts = new Map<string, number>();

  const copy = (r: RecordedMessage): RecordedMessage => ({ ...r });

  return {
    name,
    async send(m: OutboundMessage): Promise<SendResult> {
      if (typeof m.idempotencyKey !== 'string' || m.idempotencyKey.trim() === '') {
        throw ChannelError.permanent(`${name}: idempotencyKey must be a non-empty string`, { code: 'bad-message', channel: name });
      }
      if (!kinds.has(m.channel)) {
        throw ChannelError.permanent(`${name}: cannot send a ${m.channel} message (this channel sends ${[...kinds].join(', ')})`, { code: 'wrong-channel', channel: name });
      }
      if (typeof m.to !== 'string' || m.to.trim() === '') throw ChannelError.permanent(`${name}: to must be a non-empty string`, { code: 'bad-address', channel: name });
      const known = keys.get(m.idempotencyKey);
      if (known) return { providerId: known.providerId, status: known.status, duplicate: true };
      const attempt = (attempts.get(m.idempotencyKey) ?? 0) + 1;
      attempts.set(m.idempotencyKey, attempt);
      const failure = options.fail?.(m, attempt);
      if (failure) throw failure;
      const seq = list.length + 1;
      const rec: RecordedMessage = { ...m, providerId: `${prefix}${String(seq).padStart(6, '0')}`, status: initial, seq };
      list.push(rec);
      keys.set(m.idempotencyKey, rec);
      ids.set(rec.providerId, rec);
      return { providerId: rec.providerId, status: rec.status, duplicate: false };
    },
    async status(providerId: string): Promise<DeliveryStatus> {
      return ids.get(providerId)?.status ?? 'unknown';
    },
    messages(): readonly RecordedMessage[] {
      return list.map(copy);
    },
    byKey(idempotencyKey: string): RecordedMessage | undefined {
      const r = keys.get(idempotencyKey);
      return r ? copy(r) : undefined;
    },
    setStatus(providerId: string, status: DeliveryStatus): void {
      const r = ids.get(providerId);
      if (!r) throw new Error(`${name}: no message ${providerId}`);
      r.status = status;
    },
  };
}
