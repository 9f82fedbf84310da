/**
 * `npm run bench -- gate-store [--parties N] [--decisions M] [--workers W] [--pg URL]`: compliance-gate
 * decisions/s through the store — `decideAndRecord`: lock the party and the debt, read the history
 * and the compliance acts, decide, insert the decision, append to the audit chain, commit — against
 * the baseline of the bare rolling-window count through the same store in the same run: the same
 * lock and transaction, one `count(*)` of the party's attempts in the last 7 days, one insert.
 * W workers decide concurrently (PostgreSQL: a pool; SQLite has one writer, so W is 1 there).
 */
import { readFileSync } from 'node:fs';
import { sql, type Insertable, type Kysely } from 'kysely';
import { loadRulePack, type AttemptRequest, type GateContext } from '../src/compliance/index.js';
import { dropSchema, openStore, type Store } from '../src/store/db.js';
import { decideAndRecord } from '../src/store/gate.js';
import type { Database } from '../src/store/schema.js';
import { chunks } from '../src/store/repo.js';
import { withLocks } from '../src/store/locks.js';

const ZONES = [['America/New_York'], ['America/Chicago', 'America/New_York'], ['America/Los_Angeles', 'America/Denver']];
const BASE = Date.parse('2026-03-10T15:00:00Z');
const OUTCOMES = ['no_answer', 'voicemail', 'busy', 'no_answer', 'conversation'];

function phone(i: number): string {
  return `+1617${String(i % 10_000_000).padStart(7, '0')}`;
}

async function seed(store: Store, n: number): Promise<void> {
  const rows: Insertable<Database['gate_decisions']>[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 13;
    for (let j = 0; j < k; j++) {
      rows.push({
        debt_id: `L-${i}`, party_id: `B-${i}`, party_kind: 'borrower', contact_point: phone(i), channel: 'call', purpose: 'collect',
        at: new Date(BASE - (k - j) * 11 * 3_600_000).toISOString(), allowed: 1, rule: null, reason: 'seed', next_allowed_at: null, checked: '[]',
        outcome: OUTCOMES[(i + j) % OUTCOMES.length] as string,
      });
    }
  }
  for (const c of chunks(rows, 500)) await store.db.insertInto('gate_decisions').values(c).execute();
  if (store.dialect === 'postgres') await sql`analyze gate_decisions`.execute(store.db);
}

function request(d: number, n: number): AttemptRequest {
  const i = (d * 7919) % n;
  return {
    accountId: `L-${i}`, debtId: `L-${i}`,
    party: { id: `B-${i}`, kind: 'borrower', timezones: ZONES[i % ZONES.length] as string[], flags: {} },
    contactPoint: { id: phone(i), kind: 'phone' }, channel: 'call', purpose: 'collect',
    at: new Date(BASE + (d % 600) * 60_000).toISOString(),
  };
}

/** The baseline: the same lock and transaction, a bare 7-day count and one insert. */
async function bareCount(store: Store, req: AttemptRequest): Promise<boolean> {
  const body = async (db: Kysely<Database>): Promise<boolean> => {
    const since = new Date(Date.parse(req.at) - 7 * 86_400_000).toISOString();
    const r = await db.selectFrom('gate_decisions').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('party_id', '=', req.party.id).where('allowed', '=', 1).where('at', '>=', since).where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '<>', 'busy')])).executeTakeFirstOrThrow();
    const ok = Number(r.n) < 7;
    await db.insertInto('gate_decisions').values({
      debt_id: req.debtId, party_id: req.party.id, party_kind: req.party.kind, contact_point: req.contactPoint.id, channel: req.channel,
      purpose: req.purpose, at: req.at, allowed: ok ? 1 : 0, rule: null, reason: 'baseline', next_allowed_at: null, checked: '[]', outcome: null,
    }).execute();
    return ok;
  };
  return withLocks(store, [`debt:${req.debtId}`, `party:${req.party.id}`], (db) => body(db));
}

interface Timing {
  rate: number;
  p50: number;
  p99: number;
  allowed: number;
}

async function timed(m: number, workers: number, op: (d: number) => Promise<boolean>): Promise<Timing> {
  const lat: number[] = [];
  let next = 0;
  let allowed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let d = next++; d < m; d = next++) {
      const s = performance.now();
      if (await op(d)) allowed++;
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const at = (p: number): number => lat[Math.floor((lat.length - 1) * p)] ?? 0;
  return { rate: m / secs, p50: at(0.5), p99: at(0.99), allowed };
}

async function runOn(label: string, open: () => Promise<Store>, n: number, m: number, workers: number): Promise<void> {
  const packs = ['us-regf', 'us-ma'].map((p) => loadRulePack(readFileSync(`rule-packs/${p}.yaml`, 'utf8'), `rule-packs/${p}.yaml`));
  const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs };
  // two identical stores, so that neither run sees the other's inserts
  const a = await open();
  const b = await open();
  try {
    const t0 = performance.now();
    await seed(a, n);
    await seed(b, n);
    process.stderr.write(`${label}: seeded ${n.toLocaleString('en-US')} parties twice in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    for (let d = 0; d < Math.min(200, m); d++) {
      await bareCount(a, request(m + d, n));
      await decideAndRecord(b, request(m + d, n), ctx);
    }
    const base = await timed(m, workers, (d) => bareCount(a, request(d, n)));
    const gate = await timed(m, workers, async (d) => (await decideAndRecord(b, request(d, n), ctx)).allowed);
    const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
    const us = (x: number): string => `${(x * 1000).toFixed(0)} µs`;
    process.stdout.write(
      `gate through the store (${label}): ${m.toLocaleString('en-US')} decisions, ${n.toLocaleString('en-US')} parties, ${workers} worker(s), us-regf + us-ma, ${Math.round((100 * gate.allowed) / m)}% allowed\n`
      + `  baseline (lock, bare 7-day count, insert): ${fmt(base.rate)}/s  p50 ${us(base.p50)} p99 ${us(base.p99)}\n`
      + `  decideAndRecord (+ acts, decide, audit):   ${fmt(gate.rate)}/s  p50 ${us(gate.p50)} p99 ${us(gate.p99)}  ratio ${(gate.rate / base.rate).toFixed(2)}\n`,
    );
  } finally {
    await a.close();
    await b.close();
  }
}

export async function benchGateStore(o: { parties: string; decisions: string; workers: string; pg?: string; skipSqlite?: boolean }): Promise<void> {
  const n = Number(o.parties);
  const m = Number(o.decisions);
  const w = Number(o.workers);
  for (const [k, v] of [['--parties', n], ['--decisions', m], ['--workers', w]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${k} must be a whole number ≥ 1`);
  }
  if (!o.skipSqlite) await runOn('sqlite', () => openStore({ url: ':memory:' }), n, m, 1);
  if (o.pg) {
    const url = o.pg;
    const schemas: string[] = [];
    await runOn('postgres', async () => {
      const schema = `bench_gate_${process.pid}_${schemas.length}`;
      schemas.push(schema);
      await dropSchema(url, schema);
      return openStore({ url, schema });
    }, n, m, w);
    for (const s of schemas) await dropSchema(url, s);
  }
}
