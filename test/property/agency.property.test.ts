/**
 * Allocation invariants (src/agency/allocate.ts): no agency ever goes over its capacity, each
 * account is placed at most once and only with an agency eligible for it, and with room for
 * everyone the shares converge to the performance weights.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rate } from '../../src/core/index.js';
import { allocate, allocationWeights, regionCovers, type AgencyForAllocation, type AllocatableAccount, type PlacementRule } from '../../src/agency/index.js';

const BUCKETS = ['M1', 'M2', 'M3'];
const REGIONS = ['US', 'US-MA', 'GB', 'CN', null];
const rateArb: fc.Arbitrary<Rate> = fc.record({ num: fc.integer({ min: 0, max: 300 }), den: fc.constant(1000) });

const agencyArb = (i: number): fc.Arbitrary<AgencyForAllocation> => fc.record({
  id: fc.constant(`A${i}`), name: fc.constant(`A${i}`),
  commission: fc.subarray(BUCKETS, { minLength: 1 }).chain((bs) => fc.array(rateArb, { minLength: bs.length, maxLength: bs.length }).map((rs) => Object.fromEntries(bs.map((b, j) => [b, rs[j] as Rate])))),
  placementDays: fc.constant(30), capacity: fc.integer({ min: 0, max: 20 }), open: fc.integer({ min: 0, max: 25 }),
  regions: fc.subarray(['*', 'US', 'US-MA', 'GB', 'CN'], { minLength: 1 }),
});

const accountArb: fc.Arbitrary<AllocatableAccount> = fc.record({
  id: fc.integer({ min: 0, max: 60 }).map((n) => `L-${n}`), bucket: fc.constantFrom(...BUCKETS),
  balance: fc.integer({ min: 0, max: 1_000_000 }), region: fc.constantFrom(...REGIONS),
});

const ruleArb: fc.Arbitrary<PlacementRule> = fc.record({
  id: fc.uuid(), bucket: fc.constantFrom(...BUCKETS), minBalance: fc.integer({ min: 0, max: 500_000 }),
  maxBalance: fc.option(fc.integer({ min: 500_000, max: 1_000_000 })), regions: fc.subarray(['US', 'GB', 'CN']),
  agencies: fc.subarray(['A0', 'A1', 'A2', 'A3']),
});

const historyArb = fc.record({ placed: fc.integer({ min: 0, max: 1e9 }), recovered: fc.integer({ min: 0, max: 1e9 }) });

describe('allocate (property)', () => {
  it('never exceeds capacity, places each account at most once, and only with an eligible agency', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 4 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => agencyArb(i)))),
      fc.array(accountArb, { maxLength: 80 }), fc.array(ruleArb, { minLength: 1, maxLength: 4 }),
      fc.array(fc.tuple(fc.constantFrom('A0', 'A1', 'A2', 'A3'), historyArb), { maxLength: 4 }), fc.oneof(fc.string(), fc.integer()),
      (agencies, accounts, rules, hist, seed) => {
        const r = allocate(accounts, agencies, rules, new Map(hist), seed);
        const ids = r.placements.map((p) => p.accountId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const a of agencies) {
          const n = r.placements.filter((p) => p.agencyId === a.id).length;
          expect(n).toBeLessThanOrEqual(Math.max(0, a.capacity - a.open));
        }
        // an id given twice: the first occurrence counts
        const byId = new Map([...accounts].reverse().map((a) => [a.id, a]));
        for (const p of r.placements) {
          const acc = byId.get(p.accountId) as AllocatableAccount;
          const ag = agencies.find((g) => g.id === p.agencyId) as AgencyForAllocation;
          const rule = rules.find((x) => x.id === p.ruleId) as PlacementRule;
          expect(ag.commission[acc.bucket]).toBeDefined();
          expect(regionCovers(ag.regions, acc.region)).toBe(true);
          expect(rule.bucket).toBe(acc.bucket);
          expect(rule.agencies.length === 0 || rule.agencies.includes(ag.id)).toBe(true);
          // the first matching rule
          expect(rules.findIndex((x) => x.bucket === acc.bucket && acc.balance >= x.minBalance && (x.maxBalance === null || acc.balance <= x.maxBalance)
            && (x.regions.length === 0 || regionCovers(x.regions, acc.region)))).toBe(rules.indexOf(rule));
        }
        // every distinct account is either placed or reported unplaced
        expect(new Set([...ids, ...r.unplaced.map((u) => u.accountId)]).size).toBe(new Set(accounts.map((a) => a.id)).size);
        // deterministic for the seed
        expect(allocate(accounts, agencies, rules, new Map(hist), seed)).toEqual(r);
      },
    ), { numRuns: 300 });
  });

  it('with room for every account, each agency gets its weight\'s share (within max(1.5, k/2) accounts)', () => {
    fc.assert(fc.property(
      fc.array(historyArb.filter((h) => h.placed > 0), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1500 }), fc.string(),
      (hist, n, seed) => {
        const agencies: AgencyForAllocation[] = hist.map((_, i) => ({
          id: `A${i}`, name: `A${i}`, commission: { M2: { num: 1, den: 10 } }, placementDays: 30, capacity: n, regions: ['*'], open: 0,
        }));
        const perf = new Map(hist.map((h, i) => [`A${i}`, h]));
        const accounts = Array.from({ length: n }, (_, i) => ({ id: `L-${i}`, bucket: 'M2', balance: 1000, region: 'US' }));
        const r = allocate(accounts, agencies, [{ id: 'r', bucket: 'M2', minBalance: 0, maxBalance: null, regions: [], agencies: [] }], perf, seed);
        expect(r.placements).toHaveLength(n);
        const w = allocationWeights(agencies, perf);
        let total = 0;
        for (const v of w.values()) total += v;
        for (const a of agencies) {
          const got = r.placements.filter((p) => p.agencyId === a.id).length;
          const quota = total === 0 ? n / agencies.length : (n * (w.get(a.id) ?? 0)) / total;
          expect(Math.abs(got - quota)).toBeLessThanOrEqual(Math.max(1.5, agencies.length / 2));
        }
      },
    ), { numRuns: 200 });
  });
});
