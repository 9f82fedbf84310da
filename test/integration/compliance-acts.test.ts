/**
 * Compliance acts at the store, on SQLite and PostgreSQL: recording (validated, a lift with nothing
 * to lift refused, an audit entry in the same transaction), the gate taking holds, opt-outs and
 * flags from the recorded acts (merged with the caller's), and the audit entries for the other
 * state changes (loans, payments, pauses, strategy activation, one per closed business date).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import { loadRulePack, type AttemptRequest, type GateContext } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { runCycle } from '../../src/cycle/index.js';
import type { Store } from '../../src/store/db.js';
import { loadActs, loadGateFacts, recordAct } from '../../src/store/acts.js';
import { verifyAudit } from '../../src/store/audit.js';
import { decideAndRecord } from '../../src/store/gate.js';
import { addPause, insertLoans, recordPayments, saveActiveStrategy } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const cn = loadRulePack(readFileSync('rule-packs/cn.yaml', 'utf8'), 'rule-packs/cn.yaml');
const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: [regf] };
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 10000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: 'N', timezone: 'America/New_York', phones: [], emails: [], addresses: [] },
});
const req = (at: string, over: Partial<AttemptRequest> = {}): AttemptRequest => ({
  accountId: 'L-1', debtId: 'L-1', party: { id: 'B-1', kind: 'borrower', timezones: ['America/New_York'], flags: {} },
  contactPoint: { id: '+16175550100', kind: 'phone' }, channel: 'call', purpose: 'collect', at, ...over,
});
const dispute = { kind: 'dispute', debtId: 'L-1', partyId: null, at: '2026-03-02T15:00:00Z', source: 'letter', note: 'disputes the balance' };

async function auditKinds(s: Store): Promise<string[]> {
  return (await s.db.selectFrom('audit_log').select('kind').orderBy('seq').execute()).map((r) => r.kind);
}

describe.each(BACKENDS)('compliance acts on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('records a dispute, blocks collection until verification is sent, and audits each act', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    expect((await decideAndRecord(s, req('2026-03-02T14:00:00Z'), ctx)).allowed).toBe(true);
    const d = await recordAct(s, dispute, { actor: 'agent-7' });
    expect(d).toMatchObject({ id: 1, kind: 'dispute', at: '2026-03-02T15:00:00.000Z', actor: 'agent-7' });
    const held = await decideAndRecord(s, req('2026-03-04T15:00:00Z'), ctx);
    expect(held).toMatchObject({ allowed: false, rule: 'us-regf/dispute', nextAllowedAt: null });
    // the validation notice may still go out while the dispute hold is in force
    expect((await decideAndRecord(s, req('2026-03-04T15:05:00Z', { purpose: 'validation_notice', channel: 'letter' }), ctx)).allowed).toBe(true);
    await recordAct(s, { ...dispute, kind: 'verification_sent', at: '2026-03-09T15:00:00Z', note: undefined });
    expect((await decideAndRecord(s, req('2026-03-10T15:00:00Z'), ctx)).allowed).toBe(true);
    // a decision about an earlier instant still sees the hold
    expect((await decideAndRecord(s, req('2026-03-05T15:00:00Z'), ctx)).allowed).toBe(false);

    const log = await s.db.selectFrom('audit_log').select(['kind', 'actor', 'entity', 'data']).where('kind', 'like', 'act.%').orderBy('seq').execute();
    expect(log.map((e) => [e.kind, e.actor, e.entity])).toEqual([['act.dispute', 'agent-7', 'account:L-1'], ['act.verification_sent', 'system', 'account:L-1']]);
    expect(JSON.parse(log[0]?.data ?? '{}')).toMatchObject({ act: 1, kind: 'dispute', party: null, at: '2026-03-02T15:00:00.000Z', source: 'letter', note: 'disputes the balance' });
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('refuses a lift with nothing to lift, a bad act and an unknown account — recording nothing', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    const before = (await auditKinds(s)).length;
    const lift = recordAct(s, { ...dispute, kind: 'verification_sent' });
    await expect(lift).rejects.toBeInstanceOf(ValidationError);
    await expect(recordAct(s, { ...dispute, kind: 'verification_sent' })).rejects.toThrow('act.kind: verification_sent: nothing to lift: no dispute hold in force for the debt');
    await expect(recordAct(s, { ...dispute, kind: 'cease_withdrawn' })).rejects.toThrow('nothing to lift: no cease hold');
    await expect(recordAct(s, { ...dispute, kind: 'opt_in', channel: 'sms', contactPoint: '+1', note: undefined })).rejects.toThrow('has not opted out of sms');
    await expect(recordAct(s, { ...dispute, source: 'fax' })).rejects.toThrow('act.source: must be one of');
    await expect(recordAct(s, { ...dispute, debtId: 'L-404' })).rejects.toThrow('act.debtId: unknown account L-404');
    // a lift dated before its hold is refused as well
    await recordAct(s, { ...dispute, kind: 'cease', partyId: 'B-1' });
    await expect(recordAct(s, { ...dispute, kind: 'cease_withdrawn', partyId: 'B-1', at: '2026-03-01T00:00:00Z' })).rejects.toThrow('nothing to lift');
    // …and one for another scope
    await expect(recordAct(s, { ...dispute, kind: 'cease_withdrawn', at: '2026-03-05T00:00:00Z' })).rejects.toThrow('nothing to lift: no cease hold in force for the debt');
    expect(await loadActs(s.db, 'L-1')).toHaveLength(1);
    expect((await auditKinds(s)).slice(before)).toEqual(['act.cease']);
  });

  it('merges the recorded opt-outs, workplace prohibition, refusal and holds with what the caller passes', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    const at = '2026-03-02T15:00:00Z';
    await recordAct(s, { kind: 'opt_out', debtId: 'L-1', partyId: null, at, source: 'sms', channel: 'sms', contactPoint: '+16175550100' });
    await recordAct(s, { kind: 'workplace_forbidden', debtId: 'L-1', partyId: 'B-1', at, source: 'call' });
    await recordAct(s, { kind: 'refused_contact', debtId: 'L-1', partyId: 'R-1', at, source: 'call' });
    await recordAct(s, { kind: 'bankruptcy', debtId: 'L-1', partyId: 'G-1', at, source: 'court' });
    const facts = await loadGateFacts(s.db, 'L-1', 'B-1', '2026-03-03T00:00:00Z');
    expect(facts).toEqual({ holds: [], optOuts: [{ channel: 'sms', contactPoint: '+16175550100', at: '2026-03-02T15:00:00.000Z' }], workplaceForbidden: true, refusedContact: false });
    expect((await loadGateFacts(s.db, 'L-1', 'G-1', '2026-03-03T00:00:00Z')).holds).toEqual([{ kind: 'bankruptcy', from: '2026-03-02T15:00:00.000Z', until: null, partyId: 'G-1' }]);
    expect((await loadGateFacts(s.db, 'L-1', 'B-1', '2026-03-01T00:00:00Z')).optOuts).toEqual([]);

    const sms = await decideAndRecord(s, req('2026-03-04T15:00:00Z', { channel: 'sms' }), ctx);
    expect(sms).toMatchObject({ allowed: false, rule: 'us-regf/email-sms-opt-out' });
    const work = await decideAndRecord(s, req('2026-03-04T15:00:00Z', { contactPoint: { id: '+16175550199', kind: 'phone', workplace: true } }), ctx);
    expect(work).toMatchObject({ allowed: false, rule: 'us-regf/workplace' });
    // cn: contact persons never after they refused (the refusal binds R-1 only)
    const cnCtx = { ...ctx, packs: [cn], debtorUnreachable: true };
    const ref = (id: string) => req('2026-03-04T03:00:00Z', { party: { id, kind: 'reference', timezones: ['Asia/Shanghai'], flags: {} }, purpose: 'message', contactPoint: { id: `+8613800000${id.slice(-1)}`, kind: 'phone' } });
    expect(await decideAndRecord(s, ref('R-1'), cnCtx)).toMatchObject({ allowed: false, rule: 'cn/contact-persons' });
    expect((await decideAndRecord(s, ref('R-2'), cnCtx)).allowed).toBe(true);
    // the caller's holds still count alongside the recorded ones
    const callerHold = await decideAndRecord(s, req('2026-03-04T16:00:00Z'), { ...ctx, holds: [{ kind: 'cease', from: '2026-03-01T00:00:00Z', until: null }] });
    expect(callerHold).toMatchObject({ allowed: false, rule: 'us-regf/cease' });
    expect((await decideAndRecord(s, req('2026-03-04T17:00:00Z'), ctx)).allowed).toBe(true);
    // the guarantor is in bankruptcy: the stay binds only them
    const g = await decideAndRecord(s, req('2026-03-04T18:00:00Z', { party: { id: 'G-1', kind: 'guarantor', timezones: ['America/New_York'], flags: {} }, contactPoint: { id: '+16175550155', kind: 'phone' } }), ctx);
    expect(g).toMatchObject({ allowed: false, rule: 'us-regf/bankruptcy' });
  });

  it('records who makes each attempt with the decision', async () => {
    store = await backend.open();
    const d = await decideAndRecord(store, req('2026-03-02T15:00:00Z'), ctx, { agentId: 'agent-7', agencyId: 'acme' });
    const plain = await decideAndRecord(store, req('2026-03-02T16:00:00Z'), ctx);
    const rows = await store.db.selectFrom('gate_decisions').select(['id', 'agent_id', 'agency_id']).orderBy('id').execute();
    expect(rows).toEqual([{ id: d.id, agent_id: 'agent-7', agency_id: 'acme' }, { id: plain.id, agent_id: null, agency_id: null }]);
  });

  it('audits loan batches, payments, pauses, strategy activation and each closed business date (not each account)', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2'), loan('L-3')]);
    await recordPayments(s.db, [{ key: 'k1', accountId: 'L-1', date: '2026-01-02', amount: 500 }]);
    await recordPayments(s.db, [{ key: 'k1', accountId: 'L-1', date: '2026-01-02', amount: 500 }]); // duplicate: nothing changes, nothing audited
    await addPause(s.db, 'L-2', { from: '2026-01-02', until: '2026-01-05', reason: 'dispute' });
    await saveActiveStrategy(s.db, { source: 'strategies/default.yaml', text: readFileSync('strategies/default.yaml', 'utf8') });
    await runCycle(s, '2026-01-03', { pageSize: 2 });
    await runCycle(s, '2026-01-04', { pageSize: 2 });
    const log = await s.db.selectFrom('audit_log').select(['kind', 'entity', 'actor', 'data']).orderBy('seq').execute();
    expect(log.map((e) => [e.kind, e.entity])).toEqual([
      ['loans.inserted', 'loans'], ['payments.recorded', 'account:L-1'], ['pause.added', 'account:L-2'], ['strategy.activated', 'strategy'],
      ['cycle.date_closed', 'business_date:2026-01-03'], ['cycle.date_closed', 'business_date:2026-01-04'],
    ]);
    const data = log.map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(data[0]).toEqual({ count: 3, first: 'L-1', last: 'L-3' });
    expect(data[1]).toEqual({ count: 1, payments: [{ key: 'k1', account: 'L-1', date: '2026-01-02', amount: 500 }] });
    expect(data[2]).toEqual({ from: '2026-01-02', until: '2026-01-05', reason: 'dispute' });
    expect(data[3]).toMatchObject({ source: 'strategies/default.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    // three accounts over two pages, one entry for the date with the run's totals (the first run
    // catches each account up from its disbursement: the payment of 01-02 is applied in it)
    expect(data[4]).toMatchObject({ accounts: 3, payments: 1 });
    expect(data[5]).toMatchObject({ accounts: 3, payments: 0 });
    expect(log[5]?.actor).toBe('cycle');
    expect((await verifyAudit(s.db)).ok).toBe(true);
    // a failed change leaves no audit entry behind
    await expect(addPause(s.db, 'L-404', { from: '2026-01-02', until: '2026-01-05', reason: 'x' })).rejects.toThrow('unknown account');
    expect(await s.db.selectFrom('audit_log').select('seq').execute()).toHaveLength(6);
  });
});
