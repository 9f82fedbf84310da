/**
 * The outbox and its dispatcher on every database: enqueue in the producer's transaction,
 * idempotent by key; concurrent dispatchers never send a row twice; retries with backoff;
 * dead letters and requeue; leases of a vanished dispatcher expire; stale answers are ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelError, type Channel, type DeliveryStatus, type OutboundMessage, type SendResult } from '../../src/channels/channel.js';
import { dispatch, runDispatcher } from '../../src/channels/dispatcher.js';
import type { Store } from '../../src/store/db.js';
import { verifyAudit } from '../../src/store/audit.js';
import { claimBatch, deadLetters, enqueue, markSent, outboxCounts, outboxEntry, requeueDead, type BackoffPolicy, type OutboxMessage } from '../../src/store/outbox.js';
import { BACKENDS } from '../support/stores.js';

type Behaviour = (m: OutboundMessage, call: number) => Promise<SendResult | null> | SendResult | null;

/** Counts every send per key; sends whatever `behave` answers (null: accept). Not idempotent: a second send of a key is a second message. */
class CountingChannel implements Channel {
  readonly calls = new Map<string, number>();
  private n = 0;
  constructor(readonly name: string, private readonly behave: Behaviour = () => null) {}
  async send(m: OutboundMessage): Promise<SendResult> {
    const call = (this.calls.get(m.idempotencyKey) ?? 0) + 1;
    this.calls.set(m.idempotencyKey, call);
    const r = await this.behave(m, call);
    this.n += 1;
    return r ?? { providerId: `${this.name}-${this.n}`, status: 'queued', duplicate: false };
  }
  status(): Promise<DeliveryStatus> {
    return Promise.resolve('unknown');
  }
  total(): number {
    let t = 0;
    for (const c of this.calls.values()) t += c;
    return t;
  }
}

const T0 = new Date('2026-11-28T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const NO_JITTER: BackoffPolicy = { baseMs: 1000, maxMs: 8000, jitter: 0, maxAttempts: 4 };

function sms(i: number, extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return { idempotencyKey: `task-${i}:sms`, channel: 'sms', to: `+1617555${String(i).padStart(4, '0')}`, body: `Reminder ${i}`, accountId: `L-${i}`, ...extra };
}

async function auditKinds(store: Store): Promise<string[]> {
  return (await store.db.selectFrom('audit_log').select('kind').where('kind', 'like', 'outbox.%').orderBy('seq').execute()).map((r) => r.kind);
}

describe.each(BACKENDS)('outbox on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('is written in the producer’s transaction: a rollback leaves no message, a commit leaves both', async () => {
    store = await backend.open();
    const s = store;
    await expect(s.db.transaction().execute(async (tx) => {
      await tx.insertInto('settings').values({ key: 'produced', value: 'yes' }).execute();
      await enqueue(tx, [sms(1)], { now: T0 });
      // the message is visible inside the transaction
      expect(await outboxEntry(tx, 'task-1:sms')).not.toBeNull();
      throw new Error('the task failed');
    })).rejects.toThrow('the task failed');
    expect(await s.db.selectFrom('settings').selectAll().where('key', '=', 'produced').execute()).toEqual([]);
    expect(await outboxEntry(s.db, 'task-1:sms')).toBeNull();
    expect((await claimBatch(s, { now: at(60_000), limit: 10, lease: 1000 }))).toEqual([]);

    await s.db.transaction().execute(async (tx) => {
      await tx.insertInto('settings').values({ key: 'produced', value: 'yes' }).execute();
      await enqueue(tx, [sms(1)], { now: T0 });
    });
    expect(await s.db.selectFrom('settings').select('value').where('key', '=', 'produced').execute()).toEqual([{ value: 'yes' }]);
    const e = await outboxEntry(s.db, 'task-1:sms');
    expect(e).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0.toISOString(), message: sms(1) });
  });

  it('is idempotent by key: the same key twice is one row; a different message under a used key is a conflict', async () => {
    store = await backend.open();
    const s = store;
    const first = await enqueue(s.db, [sms(1), sms(2, { taskId: 42, subject: 'x' }), sms(1)], { now: T0 });
    expect(first).toEqual({ enqueued: ['task-1:sms', 'task-2:sms'], duplicates: ['task-1:sms'], conflicts: [] });
    const again = await enqueue(s.db, [sms(2, { taskId: 42, subject: 'x' }), sms(1, { body: 'changed' }), sms(3)], { now: at(5) });
    expect(again.enqueued).toEqual(['task-3:sms']);
    expect(again.duplicates).toEqual(['task-2:sms']);
    expect(again.conflicts.map((c) => c.key)).toEqual(['task-1:sms']);
    expect(await s.db.selectFrom('outbox').select(['idempotency_key', 'body', 'task_id']).orderBy('id').execute()).toEqual([
      { idempotency_key: 'task-1:sms', body: 'Reminder 1', task_id: null },
      { idempotency_key: 'task-2:sms', body: 'Reminder 2', task_id: 42 },
      { idempotency_key: 'task-3:sms', body: 'Reminder 3', task_id: null },
    ]);
    await expect(enqueue(s.db, [{ ...sms(4), channel: 'fax' as 'sms' }])).rejects.toThrow('messages[0].channel: must be sms or email');
    await expect(enqueue(s.db, [{ ...sms(4), idempotencyKey: ' ' }])).rejects.toThrow('messages[0].idempotencyKey: is required');
  });

  it('concurrent dispatchers never send one row twice, and send every row', async () => {
    store = await backend.open();
    const s = store;
    const N = 300;
    await enqueue(s.db, Array.from({ length: N }, (_, i) => (i % 3 === 0
      ? { idempotencyKey: `m-${i}`, channel: 'email' as const, to: `b${i}@example.com`, subject: 'Your account', body: `Hello ${i}` }
      : sms(i))), { now: T0 });
    // a little latency, different per message, so claims and sends interleave
    const slow: Behaviour = async (m) => {
      await new Promise((r) => setTimeout(r, m.idempotencyKey.length % 3));
      return null;
    };
    const smsCh = new CountingChannel('sms', slow);
    const emailCh = new CountingChannel('email', slow);
    const worker = async () => {
      let sent = 0;
      for (;;) {
        const c = await dispatch(s, { sms: smsCh, email: emailCh }, { limit: 7, concurrency: 3, leaseMs: 600_000, clock: () => at(1000) });
        sent += c.sent;
        if (c.claimed === 0) return sent;
      }
    };
    const perWorker = await Promise.all(Array.from({ length: 6 }, worker));
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(N);
    const calls = [...smsCh.calls.values(), ...emailCh.calls.values()];
    expect(calls).toHaveLength(N);
    expect(calls.filter((n) => n !== 1)).toEqual([]);
    expect(smsCh.total() + emailCh.total()).toBe(N);
    expect(await outboxCounts(s.db)).toEqual({ pending: 0, sending: 0, sent: N, failed: 0, dead: 0 });
    const kinds = await auditKinds(s);
    expect(kinds).toHaveLength(N);
    expect(new Set(kinds)).toEqual(new Set(['outbox.sent']));
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('retries a transient failure after the backoff, then records one send', async () => {
    store = await backend.open();
    const s = store;
    await enqueue(s.db, [sms(1)], { now: T0 });
    const ch = new CountingChannel('sms', (_m, call) => {
      if (call <= 2) throw ChannelError.transient(`gateway timeout ${call}`, { code: 'timeout' });
      return null;
    });
    const channels = { sms: ch, email: new CountingChannel('email') };
    let now = T0;
    const pass = () => dispatch(s, channels, { clock: () => now, backoff: NO_JITTER, leaseMs: 60_000 });

    expect(await pass()).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    expect(await outboxEntry(s.db, 'task-1:sms')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'timeout: gateway timeout 1', nextAttemptAt: at(1000).toISOString() });
    now = at(999);
    expect((await pass()).claimed).toBe(0);
    now = at(1000);
    expect(await pass()).toMatchObject({ claimed: 1, retried: 1 });
    // the second wait is twice the first
    expect((await outboxEntry(s.db, 'task-1:sms'))?.nextAttemptAt).toBe(at(3000).toISOString());
    now = at(2999);
    expect((await pass()).claimed).toBe(0);
    now = at(3000);
    expect(await pass()).toMatchObject({ claimed: 1, sent: 1, retried: 0, dead: 0 });
    expect(await outboxEntry(s.db, 'task-1:sms')).toMatchObject({ status: 'sent', attempts: 3, lastError: null, providerId: 'sms-1' });
    expect(ch.calls.get('task-1:sms')).toBe(3);
    // one audit entry for the message, none for the retries
    expect(await auditKinds(s)).toEqual(['outbox.sent']);
    const entry = await s.db.selectFrom('audit_log').select(['entity', 'data', 'actor']).where('kind', '=', 'outbox.sent').executeTakeFirstOrThrow();
    expect(entry.entity).toBe('account:L-1');
    expect(entry.actor).toBe('dispatcher');
    expect(JSON.parse(entry.data)).toMatchObject({ key: 'task-1:sms', providerId: 'sms-1', attempts: 3, duplicate: false });
    now = at(600_000);
    expect((await pass()).claimed).toBe(0);
  });

  it('honours a provider’s Retry-After longer than the backoff', async () => {
    store = await backend.open();
    const s = store;
    await enqueue(s.db, [sms(1)], { now: T0 });
    const ch = new CountingChannel('sms', () => {
      throw ChannelError.transient('429 Too Many Requests', { code: 'rejected', providerCode: 429, retryAfterMs: 30_000 });
    });
    await dispatch(s, { sms: ch, email: new CountingChannel('email') }, { clock: () => T0, backoff: NO_JITTER });
    expect((await outboxEntry(s.db, 'task-1:sms'))?.nextAttemptAt).toBe(at(30_000).toISOString());
  });

  it('dead-letters a permanent failure at once and a transient one when its attempts run out; requeue sends them', async () => {
    store = await backend.open();
    const s = store;
    await enqueue(s.db, [sms(1), sms(2), sms(3), sms(4)], { now: T0 });
    let healthy = false;
    const ch = new CountingChannel('sms', (m) => {
      if (healthy) return null;
      if (m.idempotencyKey === 'task-1:sms') throw ChannelError.permanent('400 invalid number', { code: 'bad-address', providerCode: 400 });
      if (m.idempotencyKey === 'task-2:sms') throw ChannelError.transient('503', { providerCode: 503 });
      if (m.idempotencyKey === 'task-3:sms') return { providerId: 'gw-3', status: 'failed', duplicate: false };
      return null;
    });
    const channels = { sms: ch, email: new CountingChannel('email') };
    let now = T0;
    const pass = () => dispatch(s, channels, { clock: () => now, backoff: NO_JITTER, random: () => 0.5, concurrency: 1 });

    expect(await pass()).toMatchObject({ claimed: 4, sent: 1, dead: 2, retried: 1 });
    for (const step of [1000, 3000, 7000]) {
      now = at(step);
      const c = await pass();
      expect(c.claimed).toBe(1);
      expect(c.retried + c.dead).toBe(1);
    }
    expect(ch.calls.get('task-2:sms')).toBe(4);
    expect(ch.calls.get('task-1:sms')).toBe(1);
    const dead = await deadLetters(s.db);
    expect(dead.map((d) => [d.message.idempotencyKey, d.attempts, d.lastError, d.providerId])).toEqual([
      ['task-1:sms', 1, 'bad-address: 400 invalid number', null],
      ['task-3:sms', 1, 'sms: the provider reported the message failed', 'gw-3'],
      ['task-2:sms', 4, 'transient: 503', null],
    ]);
    expect(await auditKinds(s)).toEqual(['outbox.dead', 'outbox.dead', 'outbox.sent', 'outbox.dead']);
    now = at(3_600_000);
    expect((await pass()).claimed).toBe(0);

    // requeue two of them; ids that are not dead letters are ignored
    const sentId = (await outboxEntry(s.db, 'task-4:sms'))?.id as number;
    const ids = dead.filter((d) => d.message.idempotencyKey !== 'task-3:sms').map((d) => d.id);
    expect(await requeueDead(s.db, [...ids, sentId], { now, actor: 'ops@example' })).toEqual([...ids].sort((a, b) => a - b));
    expect(await requeueDead(s.db, ids, { now })).toEqual([]);
    expect((await outboxEntry(s.db, 'task-2:sms'))).toMatchObject({ status: 'pending', attempts: 0, lastError: 'transient: 503' });
    healthy = true;
    expect(await pass()).toMatchObject({ claimed: 2, sent: 2 });
    expect((await deadLetters(s.db)).map((d) => d.message.idempotencyKey)).toEqual(['task-3:sms']);
    expect(await outboxCounts(s.db)).toEqual({ pending: 0, sending: 0, sent: 3, failed: 0, dead: 1 });
    expect(await auditKinds(s)).toEqual(['outbox.dead', 'outbox.dead', 'outbox.sent', 'outbox.dead', 'outbox.requeued', 'outbox.sent', 'outbox.sent']);
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('a vanished dispatcher’s rows come back when the lease expires; its late answer is not recorded', async () => {
    store = await backend.open();
    const s = store;
    await enqueue(s.db, [sms(1), sms(2)], { now: T0 });
    const first = await claimBatch(s, { now: T0, limit: 10, lease: 60_000 });
    expect(first.map((c) => [c.message.idempotencyKey, c.attempts, c.leaseUntil])).toEqual([
      ['task-1:sms', 1, at(60_000).toISOString()], ['task-2:sms', 1, at(60_000).toISOString()],
    ]);
    expect(await claimBatch(s, { now: at(59_999), limit: 10, lease: 60_000 })).toEqual([]);
    const second = await claimBatch(s, { now: at(60_000), limit: 1, lease: 60_000 });
    expect(second.map((c) => [c.message.idempotencyKey, c.attempts])).toEqual([['task-1:sms', 2]]);
    const [a1, a2] = first;
    const [b1] = second;
    if (!a1 || !a2 || !b1) throw new Error('claims expected');
    // the first claim's answer for the re-claimed row is stale; for the other row (lease expired, not re-claimed) it still counts
    expect(await markSent(s, a1, { providerId: 'late' }, at(61_000))).toBe(false);
    expect(await markSent(s, a2, { providerId: 'p-2' }, at(61_000))).toBe(true);
    expect(await markSent(s, b1, { providerId: 'p-1', duplicate: true }, at(61_000))).toBe(true);
    expect(await markSent(s, b1, { providerId: 'again' }, at(61_000))).toBe(false);
    expect((await outboxEntry(s.db, 'task-1:sms'))?.providerId).toBe('p-1');
    expect(await auditKinds(s)).toEqual(['outbox.sent', 'outbox.sent']);
  });

  it('runDispatcher drains the outbox, and stops on its signal', async () => {
    store = await backend.open();
    const s = store;
    await enqueue(s.db, Array.from({ length: 25 }, (_, i) => sms(i)));
    const ch = new CountingChannel('sms');
    const drained = await runDispatcher(s, { sms: ch, email: new CountingChannel('email') }, { limit: 10, idleMs: 5, untilDrained: true });
    expect(drained).toMatchObject({ claimed: 25, sent: 25 });
    const stop = new AbortController();
    const loop = runDispatcher(s, { sms: ch, email: new CountingChannel('email') }, { limit: 10, idleMs: 60_000, signal: stop.signal });
    await enqueue(s.db, [sms(100)]);
    setTimeout(() => stop.abort(), 50);
    const totals = await loop;
    expect(totals.sent).toBeLessThanOrEqual(1);
    expect(ch.total()).toBe(25 + totals.sent);
  });
});
