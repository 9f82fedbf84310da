/**
 * The demo staff's simulated outcomes (src/sim/work.ts): deterministic for a seed, weighted by the
 * borrower's behaviour, promises backed by the simulator's coming payment when there is one.
 */
import { describe, expect, it } from 'vitest';
import { addressLocation, demoReference, drawCallOutcome, drawThirdPartyOutcome, drawVisitOutcome, workRng, type BorrowerOutlook } from '../../src/sim/index.js';

const payer: BorrowerOutlook = { archetype: 'prompt', nextPayment: { date: '2026-03-06', amount: 12_345 }, overdue: 20_000 };
const defaulter: BorrowerOutlook = { archetype: 'defaulter', nextPayment: null, overdue: 50_000 };

describe('simulated work outcomes', () => {
  it('the same seed and labels give the same draws; other labels other draws', () => {
    const a = Array.from({ length: 50 }, (_, i) => drawCallOutcome(workRng(42, 'call', '2026-03-02', i), payer, '2026-03-02'));
    const b = Array.from({ length: 50 }, (_, i) => drawCallOutcome(workRng(42, 'call', '2026-03-02', i), payer, '2026-03-02'));
    const c = Array.from({ length: 50 }, (_, i) => drawCallOutcome(workRng(43, 'call', '2026-03-02', i), payer, '2026-03-02'));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('prompt payers are reached and promise more often than defaulters; promises are the coming payment', () => {
    const n = 3000;
    const count = (o: BorrowerOutlook) => {
      let reached = 0;
      let promises = 0;
      for (let i = 0; i < n; i++) {
        const d = drawCallOutcome(workRng(7, i), o, '2026-03-02');
        if (['conversation', 'promise', 'refused_to_pay', 'hardship', 'dispute'].includes(d.outcome)) reached++;
        if (d.outcome === 'promise') {
          promises++;
          expect(d.promise).not.toBeNull();
          if (o.nextPayment) expect(d.promise).toEqual({ amount: 12_345, due: '2026-03-06' });
          else expect(d.promise!.due > '2026-03-02' && d.promise!.due <= '2026-03-09' && d.promise!.amount > 0 && d.promise!.amount <= 50_000).toBe(true);
        } else expect(d.promise).toBeNull();
      }
      return { reached, promises };
    };
    const p = count(payer);
    const d = count(defaulter);
    expect(p.reached).toBeGreaterThan(d.reached * 1.5);
    expect(p.promises).toBeGreaterThan(d.promises * 3);
    expect(d.promises).toBeGreaterThan(0);
  });

  it('calls to references never carry a promise; some refuse further contact', () => {
    const draws = Array.from({ length: 500 }, (_, i) => drawThirdPartyOutcome(workRng(1, 'ref', i)));
    expect(draws.every((d) => d.promise === null && d.outcome !== 'promise')).toBe(true);
    expect(draws.some((d) => d.outcome === 'refused_contact')).toBe(true);
  });

  it('a visit with nobody home has no promise; a promise falls on or after the visit', () => {
    for (let i = 0; i < 500; i++) {
      const v = drawVisitOutcome(workRng(3, 'visit', i), i % 2 ? payer : defaulter, '2026-03-02');
      if (v.met === 'nobody') expect(['not_home', 'moved', 'wrong_address']).toContain(v.outcome);
      if (v.outcome === 'promise') expect(v.promise!.date >= '2026-03-02').toBe(true);
      else expect(v.promise).toBeNull();
    }
  });

  it('references and locations are stable per account', () => {
    expect(demoReference('L-0000006', '+12125550123')).toEqual(demoReference('L-0000006', '+12125550123'));
    const refs = Array.from({ length: 600 }, (_, i) => demoReference(`L-${String(i).padStart(7, '0')}`, '+12125550123')).filter((r) => r !== null);
    expect(refs.length).toBeGreaterThan(60);
    expect(refs.length).toBeLessThan(140);
    expect(refs.every((r) => r.phones[0] !== '+12125550123' && r.phones[0]!.startsWith('+121255501'))).toBe(true);
    const loc = addressLocation('L-1', '12 Main St, Boston, MA');
    expect(loc).toEqual(addressLocation('L-1', '12 Main St, Boston, MA'));
    expect(loc!.district).toBe('Boston, MA');
    expect(Math.abs(loc!.lat - 42.3601)).toBeLessThan(0.05);
    expect(addressLocation('L-1', 'nowhere')).toBeNull();
  });
});
