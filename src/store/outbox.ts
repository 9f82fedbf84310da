/**
 * The outbox: outgoing messages written in the same transaction as the task that produces them,
 * then sent by the dispatcher (src/channels/dispatcher.ts) with their idempotency key.
 *
 * A row's life: `pending` → claimed (`sending`, with a lease) → `sent`; or → `failed` (a retryable
 * error: due again after an exponential backoff) → claimed again …; or → `dead` (a permanent error,
 * or the last allowed attempt failed) until someone requeues it. A dispatcher that dies while rows
 * are `sending` leaves them to their lease: once it expires they are due again and the next claim
 * sends them with the same idempotency key, so a provider that honours keys does not send twice.
 * docs/outbox.md.
 */
import { sql, type Selectable } from 'kysely';
import { ValidationError } from '../core/index.js';
import { atomically, audit } from './audit.js';
import type { Store } from './db.js';
import { withLocks } from './locks.js';
import { BATCH_ROWS, chunks, type Db } from './repo.js';
import type { OutboxStatus, OutboxTable } from './schema.js';
import type { OutboundMessage } from '../channels/channel.js';

/** One message to send: the channels' `OutboundMessage`, plus the task that planned it. */
export interface OutboxMessage extends OutboundMessage {
  /** the task (tasks.id) this message executes */
  taskId?: number;
}

export interface OutboxEntry {
  id: number;
  message: OutboxMessage;
  status: OutboxStatus;
  attempts: number;
  /** ISO instant: due at (pending, failed) or lease expiry (sending) */
  nextAttemptAt: string;
  lastError: string | null;
  providerId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A row claimed for sending. `attempts` and `leaseUntil` identify this claim (see `markSent`). */
export interface ClaimedMessage {
  id: number;
  message: OutboxMessage;
  /** this claim's attempt number, 1 for the first */
  attempts: number;
  /** ISO instant the lease expires; after it another dispatcher may claim the row again */
  leaseUntil: string;
}

// ---------------------------------------------------------------------------------------------
// Backoff (pure)

export interface BackoffPolicy {
  /** delay after the first failed attempt, ms */
  baseMs: number;
  /** no delay is longer than this, ms */
  maxMs: number;
  /** 0..1: a delay is shortened by up to this fraction, at random (spreads retries of a burst) */
  jitter: number;
  /** attempts allowed in all; the failure of the last one dead-letters the message */
  maxAttempts: number;
}

/** 30 s, 1 min, 2 min … capped at 1 h, up to 10 attempts (about 4½ hours of retrying), 20 % jitter. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, jitter: 0.2, maxAttempts: 10 };

export function validateBackoff(p: BackoffPolicy, field = 'backoff'): BackoffPolicy {
  if (!Number.isFinite(p.baseMs) || p.baseMs <= 0) throw new ValidationError(`${field}.baseMs`, 'must be a positive number of milliseconds');
  if (!Number.isFinite(p.maxMs) || p.maxMs < p.baseMs) throw new ValidationError(`${field}.maxMs`, 'must be at least baseMs');
  if (!Number.isFinite(p.jitter) || p.jitter < 0 || p.jitter > 1) throw new ValidationError(`${field}.jitter`, 'must be between 0 and 1');
  if (!Number.isSafeInteger(p.maxAttempts) || p.maxAttempts < 1) throw new ValidationError(`${field}.maxAttempts`, 'must be a whole number of at least 1');
  return p;
}

/**
 * The wait after the `attempt`-th failed attempt (1-based): `baseMs · 2^(attempt−1)`, capped at
 * `maxMs`, then shortened by `jitter · random()` of itself. `random` returns [0, 1); the default (0)
 * is the deterministic schedule. Never more than `maxMs`, never less than `(1 − jitter)` of the
 * nominal delay.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = () => 0): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new ValidationError('attempt', 'must be a whole number of at least 1');
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 60));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(nominal * (1 - policy.jitter * r));
}

/** The nominal (no jitter) waits between the attempts a policy allows: `maxAttempts − 1` delays. */
export function backoffSchedule(policy: BackoffPolicy = DEFAULT_BACKOFF): number[] {
  return Array.from({ length: policy.maxAttempts - 1 }, (_, i) => backoffDelay(i + 1, { ...policy, jitter: 0 }));
}

export type FailureOutcome = { status: 'failed'; nextAttemptAt: Date } | { status: 'dead' };

/**
 * What a failed attempt leads to: dead when the error is permanent or `attempts` (this attempt's
 * number) used up the policy; else failed, due again after the backoff — or after the provider's
 * own `retryAfterMs` when that is longer.
 */
export function afterFailure(attempts: number, retryable: boolean, now: Date, policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = () => 0, retryAfterMs?: number): FailureOutcome {
  if (!retryable || attempts >= policy.maxAttempts) return { status: 'dead' };
  const wait = Math.max(backoffDelay(attempts, policy, random), retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? retryAfterMs : 0);
  return { status: 'failed', nextAttemptAt: new Date(now.getTime() + wait) };
}

// ---------------------------------------------------------------------------------------------
// Rows

const CHANNELS: ReadonlySet<string> = new Set(['sms', 'email']);
const DUE: OutboxStatus[] = ['pending', 'sending', 'failed'];
/** the predicate of the partial index `outbox_due` (migration 009) */
const DUE_SQL = sql<boolean>`status in ('pending', 'sending', 'failed')`;
/** last_error is for people; a provider's whole HTML error page is not */
const MAX_ERROR = 2000;

function rowToMessage(r: Selectable<OutboxTable>): OutboxMessage {
  return {
    idempotencyKey: r.idempotency_key, channel: r.channel, to: r.recipient, body: r.body,
    ...(r.sender !== null ? { from: r.sender } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    ...(r.account_id !== null ? { accountId: r.account_id } : {}),
    ...(r.task_id !== null ? { taskId: Number(r.task_id) } : {}),
  };
}

function rowToEntry(r: Selectable<OutboxTable>): OutboxEntry {
  return {
    id: Number(r.id), message: rowToMessage(r), status: r.status, attempts: r.attempts, nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error, providerId: r.provider_id, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function sameMessage(a: OutboxMessage, b: OutboxMessage): boolean {
  return a.channel === b.channel && a.to === b.to && (a.from ?? null) === (b.from ?? null) && (a.subject ?? null) === (b.subject ?? null)
    && a.body === b.body && (a.accountId ?? null) === (b.accountId ?? null) && (a.taskId ?? null) === (b.taskId ?? null);
}

function validateMessage(m: OutboxMessage, field: string): void {
  if (typeof m.idempotencyKey !== 'string' || m.idempotencyKey.trim() === '') throw new ValidationError(`${field}.idempotencyKey`, 'is required');
  if (!CHANNELS.has(m.channel)) throw new ValidationError(`${field}.channel`, 'must be sms or email');
  if (typeof m.to !== 'string' || m.to.trim() === '') throw new ValidationError(`${field}.to`, 'is required');
  if (typeof m.body !== 'string') throw new ValidationError(`${field}.body`, 'must be text');
  if (m.taskId !== undefined && !Number.isSafeInteger(m.taskId)) throw new ValidationError(`${field}.taskId`, 'must be a task id');
}

/** The audit entity of a message: its account when it has one. */
function entityOf(m: OutboxMessage): string {
  return m.accountId !== undefined ? `account:${m.accountId}` : `message:${m.idempotencyKey}`;
}

export interface EnqueueResult {
  /** keys written now */
  enqueued: string[];
  /** keys already in the outbox with the same message: nothing done */
  duplicates: string[];
  /** keys already in the outbox with a different message: not written (the first message stands) */
  conflicts: { key: string; reason: string }[];
}

/**
 * Writes messages to the outbox, idempotently by key: a key already there (or twice in `messages`)
 * is one row. Pass the transaction of the write that produces the messages (a task, a stage move)
 * so both commit or neither does; given the store's Kysely instead, the messages are written in a
 * transaction of their own. `notBefore` delays the first attempt (default: due now).
 */
export async function enqueue(db: Db, messages: readonly OutboxMessage[], opts: { now?: Date; notBefore?: Date } = {}): Promise<EnqueueResult> {
  return atomically(db, (tx) => enqueueIn(tx, messages, opts));
}

/**
 * `enqueue` on a database handle that is already inside the caller's transaction — including the
 * SQLite connection `withLocks` hands out (BEGIN IMMEDIATE), which Kysely does not know is one.
 */
export async function enqueueIn(db: Db, messages: readonly OutboxMessage[], opts: { now?: Date; notBefore?: Date } = {}): Promise<EnqueueResult> {
  const out: EnqueueResult = { enqueued: [], duplicates: [], conflicts: [] };
  if (messages.length === 0) return out;
  messages.forEach((m, i) => validateMessage(m, `messages[${i}]`));
  const now = (opts.now ?? new Date()).toISOString();
  const due = (opts.notBefore ?? opts.now ?? new Date()).toISOString();
  // the first of a key within the batch stands; later ones are compared with it
  const first = new Map<string, OutboxMessage>();
  const repeats: OutboxMessage[] = [];
  for (const m of messages) {
    if (first.has(m.idempotencyKey)) repeats.push(m);
    else first.set(m.idempotencyKey, m);
  }
  const compare = (m: OutboxMessage, stored: OutboxMessage): void => {
    if (sameMessage(m, stored)) out.duplicates.push(m.idempotencyKey);
    else out.conflicts.push({ key: m.idempotencyKey, reason: 'the outbox has a different message under this key' });
  };
  const tx = db;
  {
    const inserted = new Set<string>();
    // 16 parameters a row: 1000-row statements stay under SQLite's and PostgreSQL's limits
    for (const c of chunks([...first.values()], BATCH_ROWS)) {
      const rows = await tx.insertInto('outbox').values(c.map((m) => ({
        idempotency_key: m.idempotencyKey, channel: m.channel, recipient: m.to, sender: m.from ?? null, subject: m.subject ?? null, body: m.body,
        account_id: m.accountId ?? null, task_id: m.taskId ?? null, status: 'pending' as const, attempts: 0, next_attempt_at: due,
        last_error: null, provider_id: null, created_at: now, updated_at: now,
      }))).onConflict((oc) => oc.column('idempotency_key').doNothing()).returning('idempotency_key').execute();
      for (const r of rows) inserted.add(r.idempotency_key);
    }
    const existing = [...first.keys()].filter((k) => !inserted.has(k));
    const stored = new Map<string, OutboxMessage>();
    for (const c of chunks(existing, 5000)) {
      for (const r of await tx.selectFrom('outbox').selectAll().where('idempotency_key', 'in', c).execute()) stored.set(r.idempotency_key, rowToMessage(r));
    }
    for (const m of first.values()) {
      if (inserted.has(m.idempotencyKey)) out.enqueued.push(m.idempotencyKey);
      else compare(m, stored.get(m.idempotencyKey) ?? m);
    }
    for (const m of repeats) compare(m, first.get(m.idempotencyKey) ?? m);
  }
  return out;
}

export interface ClaimOptions {
  /** the dispatcher's clock */
  now: Date;
  /** rows at most */
  limit: number;
  /** ms a claim holds its rows; must outlast sending the whole batch */
  lease: number;
}

/**
 * Claims up to `limit` due rows — pending or failed rows whose time has come, and sending rows
 * whose lease has expired (their dispatcher died or hung) — in due order, marks them `sending`
 * with a lease until `now + lease` and counts the attempt. Safe with any number of concurrent
 * dispatchers: PostgreSQL locks the rows it picks and skips rows another claim holds
 * (`FOR UPDATE SKIP LOCKED`); SQLite takes the write lock first (`BEGIN IMMEDIATE`). The update
 * checks due-ness again, so a row is never handed to two live claims.
 */
export async function claimBatch(store: Store, opts: ClaimOptions): Promise<ClaimedMessage[]> {
  if (!Number.isSafeInteger(opts.limit) || opts.limit < 1) throw new ValidationError('limit', 'must be a whole number of at least 1');
  if (!Number.isFinite(opts.lease) || opts.lease <= 0) throw new ValidationError('lease', 'must be a positive number of milliseconds');
  const now = opts.now.toISOString();
  const leaseUntil = new Date(opts.now.getTime() + opts.lease).toISOString();
  return withLocks(store, [], async (db, dialect) => {
    // two statements, not `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL
    // may rescan such a subquery, and a rescan skips the rows this statement just updated and picks
    // more, past the limit. The rows picked stay locked until the transaction ends.
    // the status filter is literal SQL, word for word the partial index's predicate: with bound
    // parameters SQLite cannot tell the index applies and scans the table (sent rows included)
    let due = db.selectFrom('outbox').select('id').where(DUE_SQL).where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at').orderBy('id').limit(opts.limit);
    if (dialect === 'postgres') due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await db.updateTable('outbox')
      .set((eb) => ({ status: 'sending' as const, attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil, updated_at: now }))
      .where('id', 'in', ids).where('status', 'in', DUE).where('next_attempt_at', '<=', now)
      .returningAll().execute();
    return rows.map((r) => ({ id: Number(r.id), message: rowToMessage(r), attempts: r.attempts, leaseUntil: r.next_attempt_at }))
      .sort((a, b) => a.id - b.id);
  });
}

/** Still this claim's: sending, with the attempt number and lease expiry the claim set. */
function ofClaim(c: ClaimedMessage) {
  return { id: c.id, attempts: c.attempts, leaseUntil: c.leaseUntil };
}

/**
 * Records that the provider took a claimed message, with an audit entry (`outbox.sent`), in one
 * transaction (SQLite: BEGIN IMMEDIATE). False — nothing recorded — when the row is no longer this
 * claim's (its lease expired and another dispatcher claimed it, which sends it again under the same
 * key and records that).
 */
export async function markSent(store: Store, claim: ClaimedMessage, result: { providerId: string; duplicate?: boolean }, now: Date = new Date(),
  actor = 'dispatcher'): Promise<boolean> {
  const at = now.toISOString();
  const c = ofClaim(claim);
  return withLocks(store, [], async (tx) => {
    const r = await tx.updateTable('outbox').set({ status: 'sent', provider_id: result.providerId, last_error: null, updated_at: at })
      .where('id', '=', c.id).where('status', '=', 'sending').where('attempts', '=', c.attempts).where('next_attempt_at', '=', c.leaseUntil)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    const m = claim.message;
    await audit(tx, 'outbox.sent', entityOf(m), {
      id: c.id, key: m.idempotencyKey, channel: m.channel, to: m.to, providerId: result.providerId, attempts: c.attempts,
      duplicate: result.duplicate === true, ...(m.taskId !== undefined ? { taskId: m.taskId } : {}),
    }, actor, at);
    return true;
  });
}

export interface Failure {
  error: string;
  /** false: retrying cannot help (dead-letter now) */
  retryable: boolean;
  /** the provider's own wait before a retry, ms */
  retryAfterMs?: number;
  /** when the provider took the message and reported it failed */
  providerId?: string;
}

export interface FailOptions {
  now?: Date;
  backoff?: BackoffPolicy;
  /** [0, 1) for the jitter; default: none (deterministic) */
  random?: () => number;
  actor?: string;
}

/**
 * Records a failed attempt of a claimed message, in one transaction: `failed` and due again after
 * the backoff, or `dead` (permanent error, or no attempts left) with an audit entry
 * (`outbox.dead`). Retries are not audited. Null — nothing recorded — when the row is no longer
 * this claim's.
 */
export async function markFailed(store: Store, claim: ClaimedMessage, failure: Failure, opts: FailOptions = {}): Promise<OutboxStatus | null> {
  const now = opts.now ?? new Date();
  const at = now.toISOString();
  const policy = validateBackoff(opts.backoff ?? DEFAULT_BACKOFF);
  const next = afterFailure(claim.attempts, failure.retryable, now, policy, opts.random, failure.retryAfterMs);
  const error = failure.error.length > MAX_ERROR ? `${failure.error.slice(0, MAX_ERROR)}…` : failure.error;
  const c = ofClaim(claim);
  return withLocks(store, [], async (tx) => {
    const r = await tx.updateTable('outbox')
      .set({
        status: next.status, last_error: error, updated_at: at,
        ...(next.status === 'failed' ? { next_attempt_at: next.nextAttemptAt.toISOString() } : {}),
        ...(failure.providerId !== undefined ? { provider_id: failure.providerId } : {}),
      })
      .where('id', '=', c.id).where('status', '=', 'sending').where('attempts', '=', c.attempts).where('next_attempt_at', '=', c.leaseUntil)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return null;
    if (next.status === 'dead') {
      const m = claim.message;
      await audit(tx, 'outbox.dead', entityOf(m), {
        id: c.id, key: m.idempotencyKey, channel: m.channel, to: m.to, attempts: c.attempts, error, retryable: failure.retryable,
        ...(failure.providerId !== undefined ? { providerId: failure.providerId } : {}), ...(m.taskId !== undefined ? { taskId: m.taskId } : {}),
      }, opts.actor ?? 'dispatcher', at);
    }
    return next.status;
  });
}

/** The dead-letter list, oldest first. */
export async function deadLetters(db: Db, opts: { limit?: number } = {}): Promise<OutboxEntry[]> {
  let q = db.selectFrom('outbox').selectAll().where('status', '=', 'dead').orderBy('updated_at').orderBy('id');
  if (opts.limit !== undefined) q = q.limit(opts.limit);
  return (await q.execute()).map(rowToEntry);
}

/**
 * Puts dead letters back in the queue, due now with a fresh set of attempts, with one audit entry
 * (`outbox.requeued`). Ids that are not dead letters are left alone. Returns the ids requeued.
 */
export async function requeueDead(db: Db, ids: readonly number[], opts: { now?: Date; actor?: string } = {}): Promise<number[]> {
  if (ids.length === 0) return [];
  ids.forEach((id, i) => {
    if (!Number.isSafeInteger(id)) throw new ValidationError(`ids[${i}]`, 'must be an outbox id');
  });
  const at = (opts.now ?? new Date()).toISOString();
  return atomically(db, async (tx) => {
    const done: number[] = [];
    for (const c of chunks([...new Set(ids)], 5000)) {
      const rows = await tx.updateTable('outbox').set({ status: 'pending', attempts: 0, next_attempt_at: at, updated_at: at })
        .where('id', 'in', c).where('status', '=', 'dead').returning('id').execute();
      for (const r of rows) done.push(Number(r.id));
    }
    done.sort((a, b) => a - b);
    if (done.length > 0) await audit(tx, 'outbox.requeued', 'outbox', { ids: done }, opts.actor ?? 'system', at);
    return done;
  });
}

/** One message by key (null when not in the outbox). */
export async function outboxEntry(db: Db, idempotencyKey: string): Promise<OutboxEntry | null> {
  const r = await db.selectFrom('outbox').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  return r ? rowToEntry(r) : null;
}

/** Rows per status. */
export async function outboxCounts(db: Db): Promise<Record<OutboxStatus, number>> {
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0 };
  const rows = await db.selectFrom('outbox').select((eb) => ['status', eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute();
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
