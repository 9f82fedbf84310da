/**
 * The outbox dispatcher (edge): claims due outbox rows, sends each through its channel with the
 * row's idempotency key, and records the answer — sent, failed (retry after a backoff) or dead.
 *
 * Delivery is at least once towards the provider and exactly once at a provider that honours
 * idempotency keys: the ack is stored after the provider answered, so a dispatcher killed in
 * between leaves the row `sending`; when its lease expires the row is claimed again and sent again
 * under the same key, which such a provider recognises as the message it has. Nothing is lost: a
 * row leaves the queue only as `sent` or `dead`. docs/outbox.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../store/db.js';
import { claimBatch, DEFAULT_BACKOFF, markFailed, markSent, outboxCounts, validateBackoff, type BackoffPolicy, type ClaimedMessage, type Failure } from '../store/outbox.js';
import { ChannelError, type Channel, type OutboundMessage, type SendResult } from './channel.js';

export interface DispatchOptions {
  /** rows claimed per pass (default 50) */
  limit?: number;
  /** ms a claim holds its rows (default 5 min): must outlast sending a whole batch */
  leaseMs?: number;
  /** sends in flight at once within a pass (default 4) */
  concurrency?: number;
  backoff?: BackoffPolicy;
  /** [0, 1) for the backoff's jitter (default Math.random; pass a seeded one for reproducible runs) */
  random?: () => number;
  /** the clock (default: the system's) */
  clock?: () => Date;
  /** audit actor (default `dispatcher`) */
  actor?: string;
}

export interface DispatchCounts {
  /** rows claimed */
  claimed: number;
  /** recorded as sent (duplicates included) */
  sent: number;
  /** of those, the provider had the key already (a resend after a crash or an expired lease) */
  duplicates: number;
  /** failed with a retryable error: due again after the backoff */
  retried: number;
  /** dead-lettered */
  dead: number;
  /** answers not recorded because the row was no longer this claim's (its lease expired meanwhile) */
  stale: number;
}

export function emptyCounts(): DispatchCounts {
  return { claimed: 0, sent: 0, duplicates: 0, retried: 0, dead: 0, stale: 0 };
}

function add(a: DispatchCounts, b: DispatchCounts): void {
  a.claimed += b.claimed;
  a.sent += b.sent;
  a.duplicates += b.duplicates;
  a.retried += b.retried;
  a.dead += b.dead;
  a.stale += b.stale;
}

function outbound(c: ClaimedMessage): OutboundMessage {
  const m = c.message;
  return {
    idempotencyKey: m.idempotencyKey, channel: m.channel, to: m.to, body: m.body,
    ...(m.from !== undefined ? { from: m.from } : {}),
    ...(m.subject !== undefined ? { subject: m.subject } : {}),
    ...(m.accountId !== undefined ? { accountId: m.accountId } : {}),
  };
}

/** A send's rejection as a failure: a ChannelError says whether to retry; anything else (a bug, an unexpected throw) is retried. */
function failureOf(e: unknown): Failure {
  if (e instanceof ChannelError) {
    return { error: `${e.code}: ${e.message}`, retryable: e.retryable, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
  }
  return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), retryable: true };
}

/**
 * One pass: claims up to `limit` due messages, sends each through `channels[message.channel]`
 * with its idempotency key, and records each answer in its own transaction right away, with an audit entry when a message is sent or dead-lettered. A provider that
 * took the message but reports it `failed` dead-letters it (resending under the same key would get
 * the same answer). Rejects when the database does; rows it could not record stay `sending` and
 * are claimed again after their lease.
 */
export async function dispatch(store: Store, channels: Readonly<Record<'sms' | 'email', Channel>>, opts: DispatchOptions = {}): Promise<DispatchCounts> {
  const clock = opts.clock ?? (() => new Date());
  const backoff = validateBackoff(opts.backoff ?? DEFAULT_BACKOFF);
  const random = opts.random ?? Math.random;
  const actor = opts.actor ?? 'dispatcher';
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const claimed = await claimBatch(store, { now: clock(), limit: opts.limit ?? 50, lease: opts.leaseMs ?? 300_000 });
  const counts = emptyCounts();
  counts.claimed = claimed.length;

  const fail = async (c: ClaimedMessage, f: Failure): Promise<void> => {
    const status = await markFailed(store, c, f, { now: clock(), backoff, random, actor });
    if (status === null) counts.stale += 1;
    else if (status === 'dead') counts.dead += 1;
    else counts.retried += 1;
  };

  const one = async (c: ClaimedMessage): Promise<void> => {
    const channel = (channels as Partial<Record<string, Channel>>)[c.message.channel];
    if (channel === undefined) {
      await fail(c, { error: `no channel for ${c.message.channel}`, retryable: false });
      return;
    }
    let result: SendResult;
    try {
      result = await channel.send(outbound(c));
    } catch (e) {
      await fail(c, failureOf(e));
      return;
    }
    if (result.status === 'failed') {
      await fail(c, { error: `${channel.name}: the provider reported the message failed`, retryable: false, providerId: result.providerId });
      return;
    }
    const ok = await markSent(store, c, result, clock(), actor);
    if (!ok) counts.stale += 1;
    else {
      counts.sent += 1;
      if (result.duplicate) counts.duplicates += 1;
    }
  };

  // a small pool; a database error stops taking new rows, lets the ones in flight finish, then rejects
  let next = 0;
  let firstError: { e: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (firstError === null && next < claimed.length) {
      const c = claimed[next++] as ClaimedMessage;
      try {
        await one(c);
      } catch (e) {
        firstError ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
  if (firstError !== null) throw (firstError as { e: unknown }).e;
  return counts;
}

export interface RunOptions extends DispatchOptions {
  /** stops the loop (a pass in progress finishes first) */
  signal?: AbortSignal;
  /** ms to wait when a pass found less than a full batch (default 1000) */
  idleMs?: number;
  /** return once nothing is pending, sending or failed (a drain, e.g. for a one-off run) */
  untilDrained?: boolean;
  /** called with each pass's counts */
  onPass?: (counts: DispatchCounts) => void;
  /** called when a pass fails (database down…); the loop waits `idleMs` and goes on. Without it the loop rejects. */
  onError?: (e: unknown) => void;
}

/** Runs passes until `signal` aborts (or, with `untilDrained`, the outbox is drained); returns the totals. */
export async function runDispatcher(store: Store, channels: Readonly<Record<'sms' | 'email', Channel>>, opts: RunOptions = {}): Promise<DispatchCounts> {
  const totals = emptyCounts();
  const limit = opts.limit ?? 50;
  const idleMs = opts.idleMs ?? 1000;
  while (opts.signal?.aborted !== true) {
    let full = false;
    try {
      const counts = await dispatch(store, channels, { ...opts, limit });
      add(totals, counts);
      opts.onPass?.(counts);
      full = counts.claimed >= limit;
      if (!full && opts.untilDrained === true) {
        const n = await outboxCounts(store.db);
        if (n.pending + n.sending + n.failed === 0) break;
      }
    } catch (e) {
      if (opts.onError === undefined) throw e;
      opts.onError(e);
    }
    if (!full) {
      try {
        await sleep(idleMs, undefined, opts.signal ? { signal: opts.signal } : {});
      } catch {
        break; // aborted while idle
      }
    }
  }
  return totals;
}
