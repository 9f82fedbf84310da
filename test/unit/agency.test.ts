/**
 * The agency domain (src/agency): contracts, allocation by rule, region, capacity and performance,
 * recalls, the commission worked example of docs/agencies.md (hand-computed), and the scorecard.
 */
import { describe, expect, it } from 'vitest';
import {
  agencyScore, allocate, allocationWeights, parseContract, parsePlacementRules, percent, placementCommission, recallsDue, recoveredDuring,
  recoveryScore, regionCovers, type AgencyForAllocation, type AllocatableAccount, type PlacementRule,
} from '../../src/agency/index.js';
import { rate } from '../../src/core/index.js';
import { catchValidation } from '../support/errors.js';

const agency = (id: string, over: Partial<AgencyForAllocation> = {}): AgencyForAllocation => ({
  id, name: id, commission: { M2: rate('0.185'), M3: rate('0.2') }, placementDays: 30, capacity: 1000, regions: ['*'], open: 0, ...over,
});
const acct = (id: string, over: Partial<AllocatableAccount> = {}): AllocatableAccount => ({ id, bucket: 'M2', balance: 100_000, region: 'US', ...over });
const M2: PlacementRule = { id: 'm2', bucket: 'M2', minBalance: 0, maxBalance: null, regions: [], agencies: [] };
const many = (n: number, over: Partial<AllocatableAccount> = {}): AllocatableAccount[] => Array.from({ length: n }, (_, i) => acct(`L-${i}`, over));
const counts = (r: ReturnType<typeof allocate>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of r.placements) out[p.agencyId] = (out[p.agencyId] ?? 0) + 1;
  return out;
};

describe('agency contracts', () => {
  it('parses a contract with exact decimal rates per bucket and checks every field by name', () => {
    const c = parseContract({ id: 'acme', name: ' Acme ', commission: { M2: '0.185', M3: 0.2 }, placementDays: 90, capacity: 50, regions: ['us', 'GB', 'US'] });
    expect(c).toEqual({ id: 'acme', name: 'Acme', commission: { M2: { num: 185, den: 1000 }, M3: { num: 2, den: 10 } }, placementDays: 90, capacity: 50, regions: ['US', 'GB'] });
    expect(catchValidation(() => parseContract({ ...c, commission: { M2: '1.5' } })).field).toBe('agency.commission.M2');
    expect(catchValidation(() => parseContract({ ...c, commission: {} })).field).toBe('agency.commission');
    expect(catchValidation(() => parseContract({ ...c, commission: { M2: '0.1' }, placementDays: 0 })).field).toBe('agency.placementDays');
    expect(catchValidation(() => parseContract({ ...c, commission: { M2: '0.1' }, capacity: -1 })).field).toBe('agency.capacity');
    expect(catchValidation(() => parseContract({ ...c, commission: { M2: '0.1' }, regions: ['USA'] })).field).toBe('agency.regions[0]');
    expect(catchValidation(() => parseContract({ ...c, id: 'a b' })).field).toBe('agency.id');
  });

  it('a country covers its subdivisions, * covers everything including an unknown region', () => {
    expect(regionCovers(['US'], 'US-MA')).toBe(true);
    expect(regionCovers(['US-MA'], 'US')).toBe(false);
    expect(regionCovers(['US'], 'USX')).toBe(false);
    expect(regionCovers(['GB'], null)).toBe(false);
    expect(regionCovers(['*'], null)).toBe(true);
  });

  it('parses placement rules and refuses a bad range or duplicate ids', () => {
    expect(parsePlacementRules([{ id: 'r', bucket: 'M2', minBalance: 10, maxBalance: 20, regions: ['us'] }])).toEqual([
      { id: 'r', bucket: 'M2', minBalance: 10, maxBalance: 20, regions: ['US'], agencies: [] },
    ]);
    expect(catchValidation(() => parsePlacementRules([{ id: 'r', bucket: 'M2', minBalance: 30, maxBalance: 20 }])).field).toBe('rules[0].maxBalance');
    expect(catchValidation(() => parsePlacementRules([{ id: 'r', bucket: 'M2' }, { id: 'r', bucket: 'M3' }])).field).toBe('rules[1].id');
  });
});

describe('allocate', () => {
  it('takes the first matching rule: bucket, balance range (inclusive) and region', () => {
    const rules: PlacementRule[] = [
      { id: 'small-us', bucket: 'M2', minBalance: 0, maxBalance: 50_000, regions: ['US'], agencies: ['a'] },
      { id: 'rest', bucket: 'M2', minBalance: 0, maxBalance: null, regions: [], agencies: ['b'] },
    ];
    const r = allocate([acct('L-1', { balance: 50_000 }), acct('L-2', { balance: 50_001 }), acct('L-3', { balance: 100, region: 'GB' }), acct('L-4', { bucket: 'M5' })],
      [agency('a'), agency('b')], rules, new Map(), 7);
    expect(r.placements.map((p) => [p.accountId, p.agencyId, p.ruleId]).sort()).toEqual([['L-1', 'a', 'small-us'], ['L-2', 'b', 'rest'], ['L-3', 'b', 'rest']]);
    expect(r.unplaced).toEqual([{ accountId: 'L-4', reason: 'no_rule' }]);
  });

  it('places only with agencies whose contract has the bucket and whose regions cover the account', () => {
    const r = allocate([acct('L-1', { region: 'US-MA' }), acct('L-2', { region: 'CN' }), acct('L-3', { region: null })],
      [agency('us', { regions: ['US'] }), agency('gb', { regions: ['GB'] }), agency('m3only', { commission: { M3: rate('0.2') } })], [M2], new Map(), 1);
    expect(r.placements.map((p) => [p.accountId, p.agencyId])).toEqual([['L-1', 'us']]);
    expect(r.unplaced.map((u) => [u.accountId, u.reason]).sort()).toEqual([['L-2', 'no_agency'], ['L-3', 'no_agency']]);
  });

  it('never goes over capacity, counting the placements an agency holds open already', () => {
    const r = allocate(many(10), [agency('a', { capacity: 5, open: 3 }), agency('b', { capacity: 3 })], [M2], new Map(), 1);
    expect(counts(r)).toEqual({ a: 2, b: 3 });
    expect(r.unplaced.filter((u) => u.reason === 'capacity')).toHaveLength(5);
  });

  it('assigns an account given twice once', () => {
    const r = allocate([acct('L-1'), acct('L-1')], [agency('a')], [M2], new Map(), 1);
    expect(r.placements).toHaveLength(1);
    expect(r.unplaced).toEqual([{ accountId: 'L-1', reason: 'duplicate' }]);
  });

  it('shares equally without history, and in proportion to recovery rates with it', () => {
    expect(counts(allocate(many(300), [agency('a'), agency('b'), agency('c')], [M2], new Map(), 'x'))).toEqual({ a: 100, b: 100, c: 100 });
    // recovery 30% vs 10%: weights 300,000 and 100,000 → 3:1
    const perf = new Map([['a', { placed: 1_000_000, recovered: 300_000 }], ['b', { placed: 500_000, recovered: 50_000 }]]);
    expect(counts(allocate(many(400), [agency('a'), agency('b')], [M2], perf, 'x'))).toEqual({ a: 300, b: 100 });
    // a newcomer gets the mean weight of the others: (300,000 + 100,000) / 2 = 200,000 → 3:1:2
    expect(counts(allocate(many(600), [agency('a'), agency('b'), agency('new')], [M2], perf, 'x'))).toEqual({ a: 300, b: 100, new: 200 });
  });

  it('computes weights as recovery in parts per million, capped at one, newcomers at the mean', () => {
    expect(recoveryScore({ placed: 3, recovered: 1 })).toBe(333_333);
    expect(recoveryScore({ placed: 3, recovered: 9 })).toBe(1_000_000);
    expect(recoveryScore({ placed: 0, recovered: 0 })).toBeNull();
    const w = allocationWeights([{ id: 'a' }, { id: 'b' }, { id: 'c' }], new Map([['a', { placed: 3, recovered: 1 }], ['b', { placed: 2, recovered: 1 }]]));
    expect([...w]).toEqual([['a', 333_333], ['b', 500_000], ['c', 416_666]]);
  });

  it('is deterministic for a seed; another seed picks other accounts but keeps the shares', () => {
    const accounts = many(50);
    const agencies = [agency('a'), agency('b')];
    const one = allocate(accounts, agencies, [M2], new Map(), 42);
    expect(allocate([...accounts].reverse(), agencies, [M2], new Map(), 42)).toEqual(one);
    const other = allocate(accounts, agencies, [M2], new Map(), 43);
    expect(counts(other)).toEqual(counts(one));
    const byAgency = (r: typeof one): string[] => r.placements.filter((p) => p.agencyId === 'a').map((p) => p.accountId).sort();
    expect(byAgency(other)).not.toEqual(byAgency(one));
  });
});

describe('recallsDue', () => {
  const p = { id: 1, accountId: 'L-1', agencyId: 'acme', placedOn: '2026-03-02', endsOn: '2026-04-01' };
  it('recalls at the end of the period', () => {
    expect(recallsDue([p], '2026-03-31', [])).toEqual([]);
    expect(recallsDue([p], '2026-04-01', [])).toEqual([{ placementId: 1, accountId: 'L-1', agencyId: 'acme', reason: 'period_end', on: '2026-04-01', ref: null }]);
  });
  it('recalls on a complaint or an agreed plan during the placement, the earliest first', () => {
    const events = [
      { kind: 'plan_agreed' as const, accountId: 'L-1', on: '2026-03-20', ref: 'plan-9' },
      { kind: 'complaint' as const, accountId: 'L-1', on: '2026-03-25', ref: 'complaint:4' },
      { kind: 'complaint' as const, accountId: 'L-1', on: '2026-03-01' }, // before the placement
      { kind: 'complaint' as const, accountId: 'L-2', on: '2026-03-05' }, // another account
    ];
    expect(recallsDue([p], '2026-03-19', events)).toEqual([]);
    expect(recallsDue([p], '2026-03-26', events)).toEqual([{ placementId: 1, accountId: 'L-1', agencyId: 'acme', reason: 'plan_agreed', on: '2026-03-20', ref: 'plan-9' }]);
    expect(recallsDue([p], '2026-03-20', [{ kind: 'plan_agreed', accountId: 'L-1', on: '2026-03-20' }, { kind: 'complaint', accountId: 'L-1', on: '2026-03-20', ref: 'c' }])[0]?.reason).toBe('complaint');
    expect(recallsDue([p], '2026-05-01', [{ kind: 'complaint', accountId: 'L-1', on: '2026-04-01' }])[0]?.reason).toBe('period_end');
  });
});

describe('commission: the worked example of docs/agencies.md', () => {
  // L-1 placed with acme on 2026-03-02 in M2 (rate 0.185), balance 1,500.00; recalled on a complaint on 2026-03-25
  const w = { placedOn: '2026-03-02', end: '2026-03-25', balance: 150_000 };
  const payments = [
    { date: '2026-03-01', amount: 5_000 }, // before the placement: not the agency's
    { date: '2026-03-05', amount: 10_003 },
    { date: '2026-03-12', amount: 20_003 },
    { date: '2026-03-20', amount: 12_345 },
    { date: '2026-03-25', amount: 7_000 }, // on the recall date: the lender's
  ];
  it('is the recovered amount times the rate, rounded half-up once: 42,351 × 0.185 = 7,834.935 → 7,835', () => {
    expect(recoveredDuring(w, payments)).toBe(42_351);
    expect(placementCommission(w, rate('0.185'), payments)).toEqual({ recovered: 42_351, commission: 7_835 });
    // rounding per payment would give 1,851 + 3,701 + 2,284 = 7,836: one minor unit too much
    expect(1_851 + 3_701 + 2_284).toBe(7_836);
  });
  it('never counts more than the balance placed', () => {
    expect(placementCommission({ ...w, balance: 30_000 }, rate('0.185'), payments)).toEqual({ recovered: 30_000, commission: 5_550 });
  });
});

describe('scorecard', () => {
  it('recovery rate over placed balances, promise-kept rate over matured promises made during placements', () => {
    const placements = [
      { id: 1, accountId: 'L-1', agencyId: 'acme', bucket: 'M2', balance: 150_000, placedOn: '2026-03-02', endsOn: '2026-04-01', recalledOn: '2026-03-25' },
      { id: 2, accountId: 'L-2', agencyId: 'acme', bucket: 'M3', balance: 50_000, placedOn: '2026-03-02', endsOn: '2026-04-01', recalledOn: null },
      { id: 3, accountId: 'L-3', agencyId: 'other', bucket: 'M3', balance: 50_000, placedOn: '2026-03-02', endsOn: '2026-04-01', recalledOn: null },
    ];
    const payments = new Map([
      ['L-1', [{ date: '2026-03-05', amount: 10_003 }, { date: '2026-03-12', amount: 20_003 }, { date: '2026-03-20', amount: 12_345 }]],
      ['L-2', [{ date: '2026-03-10', amount: 5_000 }]],
    ]);
    const promises = new Map([
      ['L-1', [
        { accountId: 'L-1', date: '2026-03-03', amount: 10_000, due: '2026-03-06' }, // kept (10,003 on 03-05)
        { accountId: 'L-1', date: '2026-03-13', amount: 20_000, due: '2026-03-18' }, // broken (nothing 03-13…03-18)
        { accountId: 'L-1', date: '2026-03-01', amount: 1, due: '2026-03-02' }, // before the placement
      ]],
      ['L-2', [
        { accountId: 'L-2', date: '2026-03-09', amount: 5_000, due: '2026-03-10' }, // kept
        { accountId: 'L-2', date: '2026-03-20', amount: 5_000, due: '2026-04-02' }, // not due yet
      ]],
    ]);
    expect(agencyScore('acme', placements, payments, promises, '2026-03-28')).toEqual({
      agencyId: 'acme', placements: 2, open: 1, placedBalance: 200_000, recovered: 47_351, recoveryRate: '23.68',
      promises: 3, promisesKept: 2, promiseKeptRate: '66.67',
    });
  });
  it('percentages are exact and half-up; n/a with nothing to divide by', () => {
    expect(percent(1, 8)).toBe('12.50');
    expect(percent(1, 3)).toBe('33.33');
    expect(percent(2, 3)).toBe('66.67');
    expect(percent(1, 0)).toBeNull();
  });
});
