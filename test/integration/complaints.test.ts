/**
 * Complaints at the store, on SQLite and PostgreSQL: opening with the jurisdiction's deadline,
 * linking attempts (their agent and agency come along), agents and agencies, the status lifecycle
 * with its history and audit entries, overdue lists, and rates per agent and agency.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRulePack, type AttemptRequest, type GateContext } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import type { Store } from '../../src/store/db.js';
import { verifyAudit } from '../../src/store/audit.js';
import {
  complaintHistory, complaintRates, getComplaint, linkComplaint, listComplaints, listOverdue, openComplaint, updateComplaint,
} from '../../src/store/complaints.js';
import { decideAndRecord } from '../../src/store/gate.js';
import { insertLoans } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const pack = (n: string) => loadRulePack(readFileSync(`rule-packs/${n}.yaml`, 'utf8'), `rule-packs/${n}.yaml`);
const regf = pack('us-regf');
const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: [regf] };
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 10000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: 'N', timezone: 'America/New_York', phones: [], emails: [], addresses: [] },
});
const call = (debt: string, at: string): AttemptRequest => ({
  accountId: debt, debtId: debt, party: { id: `B-${debt}`, kind: 'borrower', timezones: ['America/New_York'], flags: {} },
  contactPoint: { id: `+1617555${debt.slice(-4).padStart(4, '0')}`, kind: 'phone' }, channel: 'call', purpose: 'collect', at,
});
const NOW = '2026-03-20T12:00:00.000Z';

describe.each(BACKENDS)('complaints on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('opens with the jurisdiction\'s deadline, links what it names and walks the lifecycle, each step in history and audit log', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    const d = await decideAndRecord(s, call('L-1', '2026-03-02T15:00:00Z'), ctx, { agentId: 'agent-7', agencyId: 'acme' });
    const us = await openComplaint(s, { accountId: 'L-1', category: 'harassment', receivedOn: '2026-03-03', packs: [regf, pack('us-ma')], attempts: [d.id], summary: 'called at dinner' }, { actor: 'intake', now: NOW });
    expect(us).toMatchObject({
      id: 1, status: 'open', receivedOn: '2026-03-03', dueOn: '2026-03-18', responseDays: 15, summary: 'called at dinner',
      links: { attempts: [d.id], agents: ['agent-7'], agencies: ['acme'] },
    });
    expect(us.deadlineSource).toContain('us-regf: CFPB');
    const uk = await openComplaint(s, { accountId: 'L-1', category: 'time_of_day', receivedOn: '2026-03-03', packs: [pack('uk-conc')] }, { now: NOW });
    expect(uk.dueOn).toBe('2026-04-28');
    const none = await openComplaint(s, { accountId: 'L-1', category: 'other', receivedOn: '2026-03-03' }, { now: NOW });
    expect(none).toMatchObject({ dueOn: '2026-03-18', responseDays: 15 });

    await linkComplaint(s, us.id, { agents: ['agent-7', 'agent-9'] }, { now: NOW });
    await updateComplaint(s, us.id, { status: 'investigating' }, { actor: 'qa', now: NOW });
    await expect(updateComplaint(s, us.id, { status: 'closed', rootCause: 'x', resolution: 'y' })).rejects.toThrow('status: cannot move from investigating to closed');
    await updateComplaint(s, us.id, { status: 'responded', rootCause: 'evening calls allowed by a wrong zone' }, { actor: 'qa', now: NOW });
    await expect(updateComplaint(s, us.id, { status: 'closed' })).rejects.toThrow('resolution: is required to close a complaint');
    const closed = await updateComplaint(s, us.id, { status: 'closed', resolution: 'zone fixed; apology sent' }, { actor: 'qa', now: NOW });
    expect(closed).toMatchObject({ status: 'closed', rootCause: 'evening calls allowed by a wrong zone', resolution: 'zone fixed; apology sent', links: { agents: ['agent-7', 'agent-9'] } });
    await expect(updateComplaint(s, us.id, { status: 'closed', rootCause: 'z' })).rejects.toThrow('the complaint is closed');

    const history = await complaintHistory(s.db, us.id);
    expect(history.map((h) => [h.kind, h.from, h.to])).toEqual([
      ['opened', null, 'open'], ['linked', null, null], ['linked', null, null], ['status_investigating', 'open', 'investigating'],
      ['status_responded', 'investigating', 'responded'], ['status_closed', 'responded', 'closed'],
    ]);
    expect(history[2]?.data).toEqual({ attempts: [], agents: ['agent-9'], agencies: [] });
    const log = await s.db.selectFrom('audit_log').select(['kind', 'actor']).where('entity', '=', `complaint:${us.id}`).orderBy('seq').execute();
    expect(log).toEqual([
      { kind: 'complaint.opened', actor: 'intake' }, { kind: 'complaint.linked', actor: 'intake' }, { kind: 'complaint.linked', actor: 'system' },
      { kind: 'complaint.status_investigating', actor: 'qa' }, { kind: 'complaint.status_responded', actor: 'qa' }, { kind: 'complaint.status_closed', actor: 'qa' },
    ]);
    expect((await verifyAudit(s.db)).ok).toBe(true);
    expect((await getComplaint(s.db, us.id)).status).toBe('closed');
  });

  it('refuses bad input without recording anything', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1')]);
    const blocked = await decideAndRecord(s, call('L-1', '2026-03-02T03:00:00Z'), ctx, { agentId: 'a' });
    expect(blocked.allowed).toBe(false);
    const base = { accountId: 'L-1', category: 'harassment', receivedOn: '2026-03-03' };
    await expect(openComplaint(s, { ...base, accountId: 'L-9' })).rejects.toThrow('accountId: unknown account L-9');
    await expect(openComplaint(s, { ...base, category: 'rudeness' })).rejects.toThrow('category: must be one of harassment');
    await expect(openComplaint(s, { ...base, receivedOn: '2026-02-30' })).rejects.toThrow('receivedOn');
    await expect(openComplaint(s, { ...base, attempts: [999] })).rejects.toThrow('attempt: no gate decision 999');
    await expect(openComplaint(s, { ...base, attempts: [blocked.id] })).rejects.toThrow(`gate decision ${blocked.id} was blocked`);
    await expect(openComplaint(s, { ...base, receivedOn: '2026-03-21' }, { now: NOW })).rejects.toThrow('receivedOn: must not be after today');
    await expect(getComplaint(s.db, 5)).rejects.toThrow('id: no complaint 5');
    expect(await s.db.selectFrom('complaints').select('id').execute()).toEqual([]);
    expect(await s.db.selectFrom('audit_log').select('kind').where('kind', 'like', 'complaint.%').execute()).toEqual([]);
  });

  it('lists overdue complaints and computes rates per agent and agency per 1,000 attempts', async () => {
    store = await backend.open();
    const s = store;
    const ids = Array.from({ length: 8 }, (_, i) => `L-${i + 1}`);
    await insertLoans(s.db, ids.map(loan));
    // agent-1 (acme): 8 attempts; agent-2 (acme): 3; agent-3 (beta): 2, one of them outside the period
    const made: Record<string, number[]> = {};
    const attempt = async (agent: string, agency: string, debt: string, at: string) => {
      const d = await decideAndRecord(s, call(debt, at), ctx, { agentId: agent, agencyId: agency });
      expect(d.allowed).toBe(true);
      (made[agent] ??= []).push(d.id);
    };
    for (const debt of ids) await attempt('agent-1', 'acme', debt, '2026-03-02T15:00:00Z');
    for (const debt of ids.slice(0, 3)) await attempt('agent-2', 'acme', debt, '2026-03-03T15:00:00Z');
    await attempt('agent-3', 'beta', 'L-4', '2026-03-04T15:00:00Z');
    await attempt('agent-3', 'beta', 'L-5', '2026-04-04T15:00:00Z');
    await decideAndRecord(s, call('L-6', '2026-03-05T15:00:00Z'), ctx); // no agent: counts for nobody

    const a1 = made['agent-1'] ?? [];
    const a2 = made['agent-2'] ?? [];
    const c1 = await openComplaint(s, { accountId: 'L-1', category: 'excessive_calls', receivedOn: '2026-03-04', attempts: [a1[0] ?? 0] }, { now: NOW });
    await openComplaint(s, { accountId: 'L-2', category: 'threats', receivedOn: '2026-03-05', attempts: [a1[1] ?? 0, a2[1] ?? 0] }, { now: NOW });
    const c3 = await openComplaint(s, { accountId: 'L-3', category: 'other', receivedOn: '2026-03-10', agents: ['agent-9'] }, { now: NOW });
    await updateComplaint(s, c3.id, { status: 'responded' }, { now: NOW });

    // due 03-19 and 03-20; the responded one is never overdue
    expect(await listOverdue(s.db, '2026-03-19')).toEqual([]);
    expect((await listOverdue(s.db, '2026-03-20')).map((c) => [c.id, c.dueOn])).toEqual([[c1.id, '2026-03-19']]);
    expect((await listOverdue(s.db, '2026-03-21')).map((c) => c.id)).toEqual([c1.id, c1.id + 1]);
    expect((await listOverdue(s.db, '2026-06-01')).map((c) => c.id)).toEqual([c1.id, c1.id + 1]);
    expect((await listComplaints(s.db, { status: 'responded' })).map((c) => c.id)).toEqual([c3.id]);
    expect((await listComplaints(s.db, { accountId: 'L-2' })).map((c) => c.category)).toEqual(['threats']);

    expect(await complaintRates(s.db, 'agent', { from: '2026-03-01', to: '2026-03-31' })).toEqual([
      { id: 'agent-2', complaints: 1, attempts: 3, perThousand: '333.33' },
      { id: 'agent-1', complaints: 2, attempts: 8, perThousand: '250.00' },
      { id: 'agent-3', complaints: 0, attempts: 1, perThousand: '0.00' },
      { id: 'agent-9', complaints: 1, attempts: 0, perThousand: null },
    ]);
    expect((await complaintRates(s.db, 'agent')).find((r) => r.id === 'agent-3')).toEqual({ id: 'agent-3', complaints: 0, attempts: 2, perThousand: '0.00' });
    // agency: a complaint naming two acme agents counts once for acme
    expect(await complaintRates(s.db, 'agency', { from: '2026-03-01', to: '2026-03-31' })).toEqual([
      { id: 'acme', complaints: 2, attempts: 11, perThousand: '181.82' },
      { id: 'beta', complaints: 0, attempts: 1, perThousand: '0.00' },
    ]);
    expect(await complaintRates(s.db, 'agent', { from: '2026-03-05', to: '2026-03-05' })).toEqual([
      { id: 'agent-1', complaints: 1, attempts: 0, perThousand: null },
      { id: 'agent-2', complaints: 1, attempts: 0, perThousand: null },
    ]);
    await expect(complaintRates(s.db, 'agent', { from: '2026-03-05', to: '2026-03-01' })).rejects.toThrow('to: must not be before from');
  });
});
