/**
 * Gate decisions are atomic per party: concurrent requests for the last permitted slot get one yes
 * and one no — on PostgreSQL (advisory locks, real concurrency through the pool) and on SQLite
 * (BEGIN IMMEDIATE; in one process and across processes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadRulePack, type AttemptRequest, type GateContext } from '../../src/compliance/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { decideAndRecord, recordGateOutcome } from '../../src/store/gate.js';
import { BACKENDS } from '../support/stores.js';

const packs = ['us-regf', 'us-ma'].map((n) => loadRulePack(readFileSync(`rule-packs/${n}.yaml`, 'utf8'), `rule-packs/${n}.yaml`));
const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs };

function call(at: string): AttemptRequest {
  return {
    accountId: 'L-1', debtId: 'L-1',
    party: { id: 'B-1', kind: 'borrower', timezones: ['America/New_York'], flags: {} },
    contactPoint: { id: '+16175550100', kind: 'phone' },
    channel: 'call', purpose: 'collect', at,
  };
}

describe.each(BACKENDS)('gate decisions on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('gives the last slot of a cap to exactly one of six concurrent requests, and records them all', async () => {
    store = await backend.open();
    const s = store;
    const first = await decideAndRecord(s, call('2026-03-10T15:00:00Z'), ctx);
    expect(first.allowed).toBe(true);
    await recordGateOutcome(s, first.id, 'no_answer');
    // us-ma: 2 calls in 7 days, unanswered included — one slot left, six workers want it
    const racers = await Promise.all(Array.from({ length: 6 }, (_, i) => decideAndRecord(s, call(`2026-03-11T15:00:0${i}Z`), ctx)));
    expect(racers.filter((d) => d.allowed)).toHaveLength(1);
    for (const blocked of racers.filter((d) => !d.allowed)) {
      expect(blocked.rule).toMatch(/^us-ma\//);
      expect(blocked.nextAllowedAt).not.toBeNull();
    }
    const rows = await s.db.selectFrom('gate_decisions').select(['allowed', 'outcome', 'rule']).orderBy('id').execute();
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.allowed === 1)).toHaveLength(2);
    // the allowed one is pending until its outcome is known, and counts meanwhile
    expect(rows.filter((r) => r.allowed === 1 && r.outcome === null)).toHaveLength(1);
  });

  it('a busy signal does not use up a Reg F slot but a pending attempt does', async () => {
    store = await backend.open();
    const d = await decideAndRecord(store, call('2026-03-10T15:00:00Z'), { ...ctx, packs: [packs[0] as (typeof packs)[number]] });
    await expect(recordGateOutcome(store, d.id, 'pending' as never)).rejects.toThrow('outcome: must be one of');
    await recordGateOutcome(store, d.id, 'busy');
    await expect(recordGateOutcome(store, 999_999, 'busy')).rejects.toThrow('no allowed decision 999999');
  });
});

describe('gate decisions across processes (SQLite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arrears-gate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two worker processes racing for the last slot: one yes, one no', async () => {
    const file = join(dir, 'gate.db');
    const s = await openStore({ url: file });
    const first = await decideAndRecord(s, call('2026-03-10T15:00:00Z'), ctx);
    await recordGateOutcome(s, first.id, 'no_answer');
    await s.close();
    const script = `
      import { readFileSync } from 'node:fs';
      import { loadRulePack } from './dist/src/compliance/index.js';
      import { openStore } from './dist/src/store/db.js';
      import { decideAndRecord } from './dist/src/store/gate.js';
      const packs = ['us-regf', 'us-ma'].map((n) => loadRulePack(readFileSync('rule-packs/' + n + '.yaml', 'utf8'), n));
      const s = await openStore({ url: process.argv[1] });
      const start = Number(process.argv[2]);
      while (Date.now() < start) {}
      const d = await decideAndRecord(s, JSON.parse(process.argv[3]), { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs });
      process.stdout.write(d.allowed ? 'yes' : 'no');
      await s.close();`;
    const start = Date.now() + 1500;
    const run = (at: string) => new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', script, file, String(start), JSON.stringify(call(at))], { cwd: process.cwd() });
      let out = '';
      let err = '';
      p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
    });
    const answers = await Promise.all([run('2026-03-11T15:00:00Z'), run('2026-03-11T15:00:01Z')]);
    expect(answers.sort()).toEqual(['no', 'yes']);
  });
});
