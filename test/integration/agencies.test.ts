/**
 * Agencies at the store, on SQLite and PostgreSQL: contracts, placing by rules within capacity
 * (also when two runs race), recalls on period end, complaint and agreed plan, the commission
 * worked example of docs/agencies.md, the scorecard, agency scoping, and the audit entries.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRulePack, type AttemptRequest, type GateContext } from '../../src/compliance/index.js';
import { DomainError } from '../../src/core/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import type { PlacementRule } from '../../src/agency/index.js';
import {
  accountsVisibleTo, addAgency, agencyScorecards, assertVisible, commissionReport, listAgencies, listPlacements, placeAccounts, recallDue, recallPlacement,
} from '../../src/store/agencies.js';
import { verifyAudit } from '../../src/store/audit.js';
import { openComplaint } from '../../src/store/complaints.js';
import type { Store } from '../../src/store/db.js';
import { decideAndRecord } from '../../src/store/gate.js';
import { insertLoans, recordAttempts, recordPayments } from '../../src/store/repo.js';
import { BACKENDS } from '../support/stores.js';

const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const loan = (id: string, country: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 150_000, disbursed: '2025-10-01' },
  product,
  borrower: { id: `B-${id}`, name: 'N', timezone: 'America/New_York', phones: [], emails: [], addresses: [{ kind: 'residential' as const, line: '1 Main St', country }] },
});
const NOW = '2026-03-02T09:00:00.000Z';
const contract = (id: string, over: Record<string, unknown> = {}) => ({
  id, name: id.toUpperCase(), commission: { M2: '0.185', M3: '0.2' }, placementDays: 30, capacity: 10, regions: ['US'], ...over,
});
const M2: PlacementRule = { id: 'm2', bucket: 'M2', minBalance: 0, maxBalance: null, regions: [], agencies: [] };

/** Ages accounts as the cycle would have: bucket and what is owed (the ledger is tested elsewhere). */
async function age(s: Store, ids: readonly string[], bucket: string, total: number): Promise<void> {
  await s.db.updateTable('account_state').set({ bucket, total, dpd: 45, as_of: '2026-03-01' }).where('account_id', 'in', [...ids]).execute();
}
/** Records payments and marks them applied on their date, as the next close of business does. */
async function pay(s: Store, account: string, list: readonly [string, number][]): Promise<void> {
  await recordPayments(s.db, list.map(([date, amount], i) => ({ key: `${account}-${date}-${i}`, accountId: account, date, amount })));
  await s.db.updateTable('payments').set((eb) => ({ applied_date: eb.ref('business_date') })).where('account_id', '=', account).execute();
}

/** Three US loans, two of them in M2; agencies acme and best with room for one each; placed on 2026-03-02. */
async function twoAgenciesOnePlacementEach(s: Store) {
  await insertLoans(s.db, ['L-1', 'L-2', 'L-3'].map((id) => loan(id, 'US')));
  await age(s, ['L-1', 'L-2'], 'M2', 100_000);
  await addAgency(s, contract('acme', { capacity: 1 }));
  await addAgency(s, contract('best', { capacity: 1 }));
  const placed = await placeAccounts(s, { rules: [M2], asOf: '2026-03-02', seed: 1 });
  const of = (agency: string): string => {
    const id = placed.placements.find((p) => p.agencyId === agency)?.accountId;
    if (id === undefined) throw new Error(`test setup: nothing placed with ${agency}`);
    return id;
  };
  return { a: of('acme'), b: of('best') };
}

describe.each(BACKENDS)('agencies on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('adds contracts (audited, ids unique) and places by rule, region and capacity, each account once', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [...['L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6'].map((id) => loan(id, 'US')), loan('L-7', 'GB'), loan('L-8', 'US')]);
    await age(s, ['L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6', 'L-7'], 'M2', 100_000);
    await age(s, ['L-8'], 'M5', 100_000);
    await addAgency(s, contract('acme', { capacity: 2 }), { actor: 'ops', now: NOW });
    await addAgency(s, contract('best', { capacity: 3 }), { actor: 'ops', now: NOW });
    await expect(addAgency(s, contract('acme'))).rejects.toThrow('agency.id: agency "acme" exists already');
    await expect(addAgency(s, contract('x', { commission: { M2: 'abc' } }))).rejects.toThrow('agency.commission.M2');

    const r = await placeAccounts(s, { rules: [M2, { ...M2, id: 'm5', bucket: 'M5' }], asOf: '2026-03-02', seed: 9, actor: 'ops', now: NOW });
    expect(r.placements).toHaveLength(5);
    expect(r.placements.filter((p) => p.agencyId === 'acme')).toHaveLength(2);
    expect(r.placements.filter((p) => p.agencyId === 'best')).toHaveLength(3);
    expect(r.placements[0]).toMatchObject({ bucket: 'M2', balance: 100_000, currency: 'USD', placedOn: '2026-03-02', endsOn: '2026-04-01', recalledOn: null });
    // L-7 is in GB (no agency covers it), L-8 in M5 (no contract rate for it), one US account finds no room
    expect(r.unplaced.map((u) => [u.accountId, u.reason]).filter(([a]) => a === 'L-7' || a === 'L-8')).toEqual([['L-7', 'no_agency'], ['L-8', 'no_agency']]);
    expect(r.unplaced.filter((u) => u.reason === 'capacity')).toHaveLength(1);
    expect((await listAgencies(s.db)).map((a) => [a.id, a.open])).toEqual([['acme', 2], ['best', 3]]);

    // a second run places nothing more: everyone is full, and placed accounts are not candidates
    const again = await placeAccounts(s, { rules: [M2], asOf: '2026-03-03', seed: 9 });
    expect(again.placements).toEqual([]);
    expect(await listPlacements(s.db, { open: true })).toHaveLength(5);

    const log = await s.db.selectFrom('audit_log').select(['kind', 'entity', 'actor']).orderBy('seq').execute();
    expect(log.filter((l) => l.kind === 'agency.added')).toEqual([
      { kind: 'agency.added', entity: 'agency:acme', actor: 'ops' }, { kind: 'agency.added', entity: 'agency:best', actor: 'ops' },
    ]);
    expect(log.filter((l) => l.kind === 'agency.placed').map((l) => l.entity).sort()).toEqual(r.placements.map((p) => `account:${p.accountId}`).sort());
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('never goes over capacity when two placement runs race', async () => {
    store = await backend.open();
    const s = store;
    const ids = Array.from({ length: 12 }, (_, i) => `L-${i + 1}`);
    await insertLoans(s.db, ids.map((id) => loan(id, 'US')));
    await age(s, ids, 'M2', 50_000);
    await addAgency(s, contract('acme', { capacity: 5 }));
    const runs = await Promise.allSettled([1, 2, 3].map((seed) => placeAccounts(s, { rules: [M2], asOf: '2026-03-02', seed })));
    expect(runs.every((x) => x.status === 'fulfilled')).toBe(true);
    const open = await listPlacements(s.db, { open: true });
    expect(open).toHaveLength(5);
    expect(new Set(open.map((p) => p.accountId)).size).toBe(5);
  });

  it('the commission worked example: recalled on a complaint, 42,351 recovered × 0.185 = 7,835', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1', 'US'), loan('L-2', 'US')]);
    await age(s, ['L-1'], 'M2', 150_000);
    await addAgency(s, contract('acme'));
    const placed = await placeAccounts(s, { rules: [M2], asOf: '2026-03-02', seed: 1 });
    expect(placed.placements.map((p) => [p.accountId, p.balance])).toEqual([['L-1', 150_000]]);
    await pay(s, 'L-1', [['2026-03-01', 5_000], ['2026-03-05', 10_003], ['2026-03-12', 20_003], ['2026-03-20', 12_345], ['2026-03-25', 7_000]]);
    // a recorded payment the cycle has not applied yet does not count
    await recordPayments(s.db, [{ key: 'pending', accountId: 'L-1', date: '2026-03-21', amount: 900 }]);

    // before the complaint nothing is due; the complaint received on 03-25 recalls it that day
    expect(await recallDue(s, { asOf: '2026-03-24' })).toEqual([]);
    const c = await openComplaint(s, { accountId: 'L-1', category: 'harassment', receivedOn: '2026-03-25', agencies: ['acme'] }, { now: '2026-03-25T12:00:00Z' });
    const recalled = await recallDue(s, { asOf: '2026-03-26', actor: 'ops', now: '2026-03-26T08:00:00Z' });
    expect(recalled).toEqual([{ placementId: 1, accountId: 'L-1', agencyId: 'acme', reason: 'complaint', on: '2026-03-25', ref: `complaint:${c.id}` }]);
    expect(await recallDue(s, { asOf: '2026-03-27' })).toEqual([]);

    const lines = await commissionReport(s.db, { asOf: '2026-03-31' });
    expect(lines).toEqual([{
      placementId: 1, accountId: 'L-1', agencyId: 'acme', bucket: 'M2', rate: '0.185', currency: 'USD', balance: 150_000,
      placedOn: '2026-03-02', endsOn: '2026-03-25', end: '2026-03-25', open: false, recovered: 42_351, commission: 7_835,
    }]);
    // commission to date while it was placed: up to and including 03-12
    expect((await commissionReport(s.db, { asOf: '2026-03-12' }))[0]).toMatchObject({ end: '2026-03-13', open: true, recovered: 30_006, commission: 5_551 });
    const entry = await s.db.selectFrom('audit_log').select(['kind', 'entity', 'actor', 'data']).where('kind', '=', 'agency.recalled').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ entity: 'account:L-1', actor: 'ops' });
    expect(JSON.parse(entry.data)).toEqual({ placement: 1, agency: 'acme', reason: 'complaint', on: '2026-03-25', ref: `complaint:${c.id}` });
  });

  it('recalls at the end of the period and when a plan is agreed', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1', 'US'), loan('L-2', 'US')]);
    await age(s, ['L-1', 'L-2'], 'M2', 80_000);
    await addAgency(s, contract('acme'));
    await placeAccounts(s, { rules: [M2], asOf: '2026-03-02', seed: 1 });
    await expect(recallPlacement(s, { accountId: 'L-1', reason: 'plan_agreed', on: '2026-03-01' })).rejects.toThrow('on: must be within the placement');
    expect(await recallPlacement(s, { accountId: 'L-1', reason: 'plan_agreed', on: '2026-03-10', ref: 'plan-7' })).toMatchObject({ reason: 'plan_agreed', on: '2026-03-10' });
    await expect(recallPlacement(s, { accountId: 'L-1', reason: 'manual', on: '2026-03-11' })).rejects.toThrow('account L-1 has no open placement');
    expect(await recallDue(s, { asOf: '2026-03-31' })).toEqual([]);
    expect((await recallDue(s, { asOf: '2026-04-02' })).map((r) => [r.accountId, r.reason, r.on])).toEqual([['L-2', 'period_end', '2026-04-01']]);
    expect((await listPlacements(s.db)).map((p) => [p.accountId, p.recalledOn, p.recallReason, p.recallRef]).sort()).toEqual([
      ['L-1', '2026-03-10', 'plan_agreed', 'plan-7'], ['L-2', '2026-04-01', 'period_end', null],
    ]);
    // recalled accounts can be placed again
    expect((await placeAccounts(s, { rules: [M2], asOf: '2026-04-02', seed: 1 })).placements).toHaveLength(2);
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('scorecard: recovery, promises kept, complaints and gate blocks per agency; performance steers the next allocation', async () => {
    store = await backend.open();
    const s = store;
    const { a, b } = await twoAgenciesOnePlacementEach(s);
    await pay(s, a, [['2026-03-04', 25_000]]);
    await pay(s, b, [['2026-03-06', 50_000], ['2026-03-09', 10_000]]);
    await recordAttempts(s.db, [
      { accountId: b, date: '2026-03-03', time: null, party: 'borrower', channel: 'call', outcome: 'promise', promise: { amount: 50_000, due: '2026-03-06' } },
      { accountId: b, date: '2026-03-07', time: null, party: 'borrower', channel: 'call', outcome: 'promise', promise: { amount: 20_000, due: '2026-03-09' } },
      { accountId: a, date: '2026-03-04', time: null, party: 'borrower', channel: 'call', outcome: 'no_answer', promise: null },
    ]);
    const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
    const ctx: Omit<GateContext, 'history'> = { holds: [], optOuts: [], refusedContact: false, workplaceForbidden: false, holidays: [], packs: [regf] };
    const call = (at: string): AttemptRequest => ({
      accountId: a, debtId: a, party: { id: `B-${a}`, kind: 'borrower', timezones: ['America/New_York'], flags: {} },
      contactPoint: { id: '+16175550100', kind: 'phone' }, channel: 'call', purpose: 'collect', at,
    });
    const allowed = await decideAndRecord(s, call('2026-03-04T15:00:00Z'), ctx, { agencyId: 'acme' });
    const blocked = await decideAndRecord(s, call('2026-03-04T07:00:00Z'), ctx, { agencyId: 'acme' }); // 2 a.m. in New York
    expect([allowed.allowed, blocked.allowed]).toEqual([true, false]);
    await openComplaint(s, { accountId: a, category: 'time_of_day', receivedOn: '2026-03-05', attempts: [allowed.id] }, { now: '2026-03-05T12:00:00Z' });

    const cards = await agencyScorecards(s.db, { asOf: '2026-03-10' });
    expect(cards).toEqual([
      {
        agencyId: 'acme', name: 'ACME', placements: 1, open: 1, placedBalance: 100_000, recovered: 25_000, recoveryRate: '25.00',
        promises: 0, promisesKept: 0, promiseKeptRate: null, complaints: 1, complaintsPerThousand: '1000.00', gateBlocks: 1, commission: 4_625, currency: 'USD',
      },
      {
        agencyId: 'best', name: 'BEST', placements: 1, open: 1, placedBalance: 100_000, recovered: 60_000, recoveryRate: '60.00',
        promises: 2, promisesKept: 1, promiseKeptRate: '50.00', complaints: 0, complaintsPerThousand: null, gateBlocks: 0, commission: 11_100, currency: 'USD',
      },
    ]);
    // recalled placements are the history the next allocation weighs: 25% (acme, recalled on the complaint) vs 60%
    await recallDue(s, { asOf: '2026-04-01' });
    const ids = Array.from({ length: 17 }, (_, i) => `N-${i + 1}`);
    await insertLoans(s.db, ids.map((id) => loan(id, 'US')));
    await age(s, ids, 'M2', 10_000);
    await s.db.updateTable('agencies').set({ capacity: 100 }).execute();
    const next = await placeAccounts(s, { rules: [M2], asOf: '2026-04-01', seed: 1, accountIds: ids });
    // weights 250,000 : 600,000 → 17 × 5/17 = 5 and 12
    expect(next.placements.filter((p) => p.agencyId === 'acme')).toHaveLength(5);
    expect(next.placements.filter((p) => p.agencyId === 'best')).toHaveLength(12);
  });

  it('scopes agency users to the accounts placed with their agency', async () => {
    store = await backend.open();
    const s = store;
    const { a, b } = await twoAgenciesOnePlacementEach(s);
    expect(await accountsVisibleTo(s.db, { agencyId: 'acme' })).toEqual([a]);
    expect(await accountsVisibleTo(s.db, { agencyId: 'best' })).toEqual([b]);
    expect(await accountsVisibleTo(s.db, { agencyId: 'nobody' })).toEqual([]);
    await expect(assertVisible(s.db, 'acme', a)).resolves.toBeUndefined();
    const err = await assertVisible(s.db, 'acme', b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('agency.scope');
    expect((err as DomainError).message).toContain(`agency "acme" cannot read account ${b}`);
    await expect(assertVisible(s.db, 'acme', 'L-3')).rejects.toThrow('agency.scope');
    // once recalled, the agency loses sight of it
    await recallPlacement(s, { accountId: a, reason: 'manual', on: '2026-03-05' });
    expect(await accountsVisibleTo(s.db, { agencyId: 'acme' })).toEqual([]);
    await expect(assertVisible(s.db, 'acme', a)).rejects.toThrow('agency.scope');
  });
});
