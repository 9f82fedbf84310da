/**
 * The audit log: every gate decision is appended with a hash chain; `arrears audit verify` passes
 * on an intact log and catches an edited, a deleted and a replaced entry — on both databases.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chain, entryHash, verifyChain } from '../../src/audit/index.js';
import { loadRulePack, type AttemptRequest, type GateContext } from '../../src/compliance/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { appendAudit, verifyAudit } from '../../src/store/audit.js';
import { decideAndRecord } from '../../src/store/gate.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: [regf] };
const call = (at: string): AttemptRequest => ({
  accountId: 'L-1', debtId: 'L-1', party: { id: 'B-1', kind: 'borrower', timezones: ['America/New_York'], flags: {} },
  contactPoint: { id: '+16175550100', kind: 'phone' }, channel: 'call', purpose: 'collect', at,
});
const entry = (i: number) => ({ at: `2026-03-0${i}T10:00:00.000Z`, actor: 'test', kind: 'test.event', entity: `thing:${i}`, data: JSON.stringify({ i }) });

describe('hash chain', () => {
  it('links entries and detects edits, deletions and replacements', () => {
    const log = chain(null, [entry(1), entry(2), entry(3)]);
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log[1]?.prev).toBe(log[0]?.hash);
    expect(verifyChain(log)).toEqual({ ok: true, checked: 3, problem: null });
    const edited = log.map((e) => (e.seq === 2 ? { ...e, data: '{"i":99}' } : e));
    expect(verifyChain(edited).problem).toEqual({ seq: 2, reason: 'entry 2 was edited: its content does not match its hash' });
    expect(verifyChain([log[0], log[2]].filter((e) => e !== undefined)).problem?.reason).toContain('entry 2 is missing');
    // a replaced entry with a recomputed hash still breaks the next link
    const forged = { ...(log[1] as (typeof log)[number]), data: '{"i":42}' };
    forged.hash = entryHash(forged);
    expect(verifyChain([log[0], forged, log[2]].filter((e) => e !== undefined)).problem?.reason).toContain('entry 3 does not link');
  });
});

describe.each(BACKENDS)('audit log on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('records every gate decision and catches tampering', async () => {
    store = await backend.open();
    for (const at of ['2026-03-10T15:00:00Z', '2026-03-10T16:00:00Z', '2026-03-10T03:00:00Z']) await decideAndRecord(store, call(at), ctx);
    const s = store;
    await s.db.transaction().execute((tx) => appendAudit(tx, s.dialect, [entry(4)]));
    const log = await s.db.selectFrom('audit_log').select(['seq', 'kind', 'data']).orderBy('seq').execute();
    expect(log.map((e) => e.kind)).toEqual(['gate.decision', 'gate.decision', 'gate.decision', 'test.event']);
    expect(JSON.parse(log[2]?.data ?? '{}')).toMatchObject({ allowed: false, rule: 'us-regf/hours' });
    expect(await verifyAudit(s.db, 2)).toEqual({ ok: true, checked: 4, problem: null });
    await s.db.updateTable('audit_log').set({ data: '{"allowed":true}' }).where('seq', '=', 3).execute();
    expect((await verifyAudit(s.db, 2)).problem).toEqual({ seq: 3, reason: 'entry 3 was edited: its content does not match its hash' });
  });
});

describe('arrears audit verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arrears-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on an intact log and 1 naming the entry when one was deleted', async () => {
    const file = join(dir, 'a.db');
    const s = await openStore({ url: file });
    await s.db.transaction().execute((tx) => appendAudit(tx, s.dialect, [entry(1), entry(2), entry(3)]));
    await s.close();
    const cli = (...a: string[]) => spawnSync(process.execPath, [join(process.cwd(), 'dist/src/cli/main.js'), '--db', file, ...a], { encoding: 'utf8' });
    const ok = cli('audit', 'verify');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('audit log intact: 3 entries verified');
    const t = await openStore({ url: file });
    await t.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
    await t.close();
    const bad = cli('audit', 'verify');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('entry 2 is missing');
  });
});
