/**
 * Crash test for the outbox dispatcher: a dispatcher process is SIGKILLed after the provider took a
 * message but before the acknowledgement was stored — once by the test as the provider takes a
 * send (the answer never reaches the process), once by the process itself right after the answer
 * arrived. A restarted dispatcher finishes: every message is delivered exactly once at a provider
 * that honours idempotency keys (a resend under a known key is answered as a duplicate), and none
 * is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/store/audit.js';
import { dropSchema, openStore, type Store } from '../../src/store/db.js';
import { enqueue, outboxCounts } from '../../src/store/outbox.js';
import { PG_URL, uniqueSchema } from '../support/stores.js';

const MESSAGES = 40;
const DIST = join(process.cwd(), 'dist/src/channels/dispatcher.js');

/** The dispatcher process: an HTTP provider channel that sends the idempotency key; optionally kills itself after its Nth answer, before the ack. */
const CHILD = `
  import { openStore } from './dist/src/store/db.js';
  import { runDispatcher } from './dist/src/channels/dispatcher.js';
  import { ChannelError } from './dist/src/channels/channel.js';
  const [url, schema, provider, killAfter] = process.argv.slice(1);
  let answers = 0;
  const channel = {
    name: 'stub',
    async send(m) {
      let res;
      try {
        res = await fetch(provider + '/send', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey }, body: JSON.stringify(m) });
      } catch (e) {
        throw ChannelError.transient('provider unreachable: ' + e.message, { code: 'connection' });
      }
      if (!res.ok) throw new ChannelError('provider answered ' + res.status, res.status >= 500);
      const body = await res.json();
      answers += 1;
      if (answers === Number(killAfter)) process.kill(process.pid, 'SIGKILL');
      return { providerId: body.providerId, status: 'queued', duplicate: body.duplicate };
    },
    async status() { return 'unknown'; },
  };
  const store = await openStore({ url, ...(schema ? { schema } : {}) });
  const totals = await runDispatcher(store, { sms: channel, email: channel }, {
    limit: 5, concurrency: 2, leaseMs: 500, idleMs: 50, untilDrained: true,
    backoff: { baseMs: 50, maxMs: 200, jitter: 0, maxAttempts: 100 },
  });
  process.stdout.write(JSON.stringify(totals));
  await store.close();`;

/** A provider that honours idempotency keys, and counts what it actually delivered. */
class Provider {
  /** key → provider id of the one delivery under that key */
  readonly accepted = new Map<string, string>();
  /** requests per key, resends included */
  readonly requests = new Map<string, number>();
  /** deliveries per message content (recipient + body): a resend under another key would show here */
  readonly deliveries = new Map<string, number>();
  /** kill this process when the provider takes its `at`-th new message, and never answer that request */
  killPlan: { at: number; child: ChildProcess; key?: string } | null = null;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then((answer) => {
        if (answer === null) return; // the dispatcher was killed before it could hear the answer
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage): Promise<{ providerId: string; duplicate: boolean } | null> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const m = JSON.parse(text) as { idempotencyKey: string; to: string; body: string };
    const key = String(req.headers['idempotency-key']);
    expect(key).toBe(m.idempotencyKey);
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const known = this.accepted.get(key);
    if (known !== undefined) return { providerId: known, duplicate: true };
    const providerId = `prov-${this.accepted.size + 1}`;
    this.accepted.set(key, providerId);
    const content = `${m.to}|${m.body}`;
    this.deliveries.set(content, (this.deliveries.get(content) ?? 0) + 1);
    if (this.killPlan && this.accepted.size === this.killPlan.at) {
      this.killPlan.key = key;
      this.killPlan.child.kill('SIGKILL');
      return null;
    }
    return { providerId, duplicate: false };
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface Target {
  url: string;
  schema: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'arrears-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const targets: { name: string; make: () => Target }[] = [
  { name: 'sqlite', make: () => {
    const file = join(dir, `outbox-${Date.now()}.db`);
    return { url: file, schema: '', open: () => openStore({ url: file }), cleanup: async () => {} };
  } },
  ...(PG_URL ? [{ name: 'postgres', make: (): Target => {
    const url = PG_URL as string;
    const schema = uniqueSchema('outbox');
    return { url, schema, open: () => openStore({ url, schema }), cleanup: () => dropSchema(url, schema) };
  } }] : []),
];

function startDispatcher(t: Target, provider: Provider, killAfterAnswers = 0) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, t.url, t.schema, provider.url, String(killAfterAnswers)],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(timer));
  return { child, exited };
}

/** Rows the provider has taken but whose ack is not stored: still `sending`, no provider id. */
async function unacked(t: Target, provider: Provider): Promise<string[]> {
  const s = await t.open();
  try {
    const rows = await s.db.selectFrom('outbox').select(['idempotency_key', 'provider_id']).where('status', '=', 'sending').execute();
    return rows.filter((r) => r.provider_id === null && provider.accepted.has(r.idempotency_key)).map((r) => r.idempotency_key).sort();
  } finally {
    await s.close();
  }
}

describe.each(targets)('outbox dispatcher killed between send and ack on $name', ({ make }) => {
  it('a restarted dispatcher delivers every message exactly once, none lost', async () => {
    expect(existsSync(DIST), 'run `npm run build` first (npm test does)').toBe(true);
    const t = make();
    const provider = new Provider();
    await provider.start();
    try {
      const s = await t.open();
      await enqueue(s.db, Array.from({ length: MESSAGES }, (_, i) => (i % 4 === 0
        ? { idempotencyKey: `task-${i}:email`, channel: 'email' as const, to: `b${i}@example.com`, subject: 'Your loan', body: `Dear borrower ${i}`, accountId: `L-${i}` }
        : { idempotencyKey: `task-${i}:sms`, channel: 'sms' as const, to: `+1617555${String(i).padStart(4, '0')}`, body: `Reminder ${i}`, accountId: `L-${i}` })));
      await s.close();

      // 1. killed by the test as the provider takes its 7th message: the answer never arrives
      const first = startDispatcher(t, provider);
      provider.killPlan = { at: 7, child: first.child };
      const r1 = await first.exited;
      expect(r1.signal, r1.err).toBe('SIGKILL');
      const killedKey = provider.killPlan.key;
      provider.killPlan = null;
      expect(killedKey).toBeDefined();
      expect(provider.accepted.size).toBeGreaterThanOrEqual(7); // a second send in flight may land too
      expect(await unacked(t, provider)).toContain(killedKey);

      // 2. kills itself right after its 6th answer arrived, before storing the ack
      const before = provider.accepted.size;
      const r2 = await startDispatcher(t, provider, 6).exited;
      expect(r2.signal, r2.err).toBe('SIGKILL');
      expect(provider.accepted.size).toBeGreaterThan(before);
      expect((await unacked(t, provider)).length).toBeGreaterThan(0);

      // 3. a restarted dispatcher finishes
      const r3 = await startDispatcher(t, provider).exited;
      expect(r3.code, r3.err).toBe(0);
      const totals = JSON.parse(r3.out) as { sent: number; duplicates: number };
      expect(totals.duplicates).toBeGreaterThan(0);

      // every message delivered, each exactly once
      expect(provider.accepted.size).toBe(MESSAGES);
      expect([...provider.deliveries.values()]).toEqual(Array.from({ length: MESSAGES }, () => 1));
      // the message in flight at the first kill was sent again, and recognised by its key
      expect(provider.requests.get(killedKey as string)).toBeGreaterThanOrEqual(2);

      const v = await t.open();
      try {
        expect(await outboxCounts(v.db)).toEqual({ pending: 0, sending: 0, sent: MESSAGES, failed: 0, dead: 0 });
        const rows = await v.db.selectFrom('outbox').select(['idempotency_key', 'provider_id']).execute();
        expect(rows).toHaveLength(MESSAGES);
        for (const r of rows) expect(r.provider_id).toBe(provider.accepted.get(r.idempotency_key));
        // one audit entry per message, however often it was sent
        const sent = await v.db.selectFrom('audit_log').select('data').where('kind', '=', 'outbox.sent').execute();
        expect(sent).toHaveLength(MESSAGES);
        expect(new Set(sent.map((e) => (JSON.parse(e.data) as { key: string }).key)).size).toBe(MESSAGES);
        expect((await verifyAudit(v.db)).ok).toBe(true);
      } finally {
        await v.close();
      }
    } finally {
      await provider.close();
      await t.cleanup();
    }
  }, 120_000);
});
