import { describe, expect, it } from 'vitest';
import { DEFAULT_WATERFALL, parseProduct, productToSpec } from '../../src/ledger/index.js';
import { catchValidation } from '../support/errors.js';


const base = { method: 'annuity', annualRate: 0.12, termMonths: 12 } as const;

describe('parseProduct', () => {
  it('fills defaults', () => {
    const p = parseProduct('p12', base);
    expect(p).toEqual({
      id: 'p12',
      method: 'annuity',
      annualRate: { num: 12, den: 100 },
      termMonths: 12,
      dayCount: '30/360',
      graceDays: 0,
      penalty: null,
      liquidatedDamages: null,
      costCap: null,
      overpayment: 'credit',
      waterfall: DEFAULT_WATERFALL,
    });
    expect(DEFAULT_WATERFALL).toEqual(['fees', 'penalty', 'interest', 'principal']);
  });

  it('reads every field', () => {
    const p = parseProduct('full', {
      method: 'bullet',
      annualRate: '0.365',
      termMonths: 6,
      dayCount: 'actual/365',
      graceDays: 5,
      penalty: { dailyRate: '0.0005' },
      liquidatedDamages: { fixed: 2500 },
      costCap: 0.24,
      overpayment: 'prepay',
      waterfall: ['principal', 'interest', 'penalty', 'fees'],
    });
    expect(p.method).toBe('bullet');
    expect(p.annualRate).toEqual({ num: 365, den: 1000 });
    expect(p.dayCount).toBe('actual/365');
    expect(p.graceDays).toBe(5);
    expect(p.penalty).toEqual({ dailyRate: { num: 5, den: 10000 }, base: 'overdue-principal' });
    expect(p.liquidatedDamages).toEqual({ kind: 'fixed', amount: 2500 });
    expect(p.costCap).toEqual({ num: 24, den: 100 });
    expect(p.overpayment).toBe('prepay');
    expect(p.waterfall).toEqual(['principal', 'interest', 'penalty', 'fees']);

    const q = parseProduct('q', { ...base, penalty: { dailyRate: 0.001, base: 'overdue-amount' }, liquidatedDamages: { percentOfInstalment: 0.05 } });
    expect(q.penalty?.base).toBe('overdue-amount');
    expect(q.liquidatedDamages).toEqual({ kind: 'percent', rate: { num: 5, den: 100 } });
  });

  it('treats null penalty, LD and cost cap as none', () => {
    const p = parseProduct('p', { ...base, penalty: null, liquidatedDamages: null, costCap: null });
    expect(p.penalty).toBeNull();
    expect(p.liquidatedDamages).toBeNull();
    expect(p.costCap).toBeNull();
  });

  it('round-trips through productToSpec', () => {
    const specs = [
      base,
      { method: 'equal-principal', annualRate: '0.0799', termMonths: 36, dayCount: 'actual/365', graceDays: 3, penalty: { dailyRate: 0.0007, base: 'overdue-amount' }, liquidatedDamages: { percentOfInstalment: '0.025' }, costCap: '0.36', overpayment: 'prepay', waterfall: ['interest', 'principal', 'fees', 'penalty'] },
      { method: 'bullet', annualRate: 0, termMonths: 1, liquidatedDamages: { fixed: 0 } },
    ];
    for (const spec of specs) {
      const p = parseProduct('x', spec);
      expect(parseProduct('x', productToSpec(p))).toEqual(p);
    }
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['unknown field', { ...base, rate: 0.1 }, 'rate', 'is not a known field (known: method, annualRate, termMonths, dayCount, graceDays, penalty, liquidatedDamages, costCap, overpayment, waterfall)'],
    ['missing method', { annualRate: 0.1, termMonths: 12 }, 'method', 'is required'],
    ['unknown method', { ...base, method: 'balloon' }, 'method', 'must be one of annuity, equal-principal, bullet, got "balloon"'],
    ['missing annualRate', { method: 'annuity', termMonths: 12 }, 'annualRate', 'is required'],
    ['negative rate', { ...base, annualRate: -0.1 }, 'annualRate', 'must be a non-negative decimal number, got -0.1'],
    ['rate above 10', { ...base, annualRate: 11 }, 'annualRate', 'must be at most 10, got 11'],
    ['rate as words', { ...base, annualRate: 'twelve' }, 'annualRate', 'must be a non-negative decimal number, got "twelve"'],
    ['missing term', { method: 'annuity', annualRate: 0.1 }, 'termMonths', 'is required'],
    ['zero term', { ...base, termMonths: 0 }, 'termMonths', 'must be a whole number from 1 to 600, got 0'],
    ['fractional term', { ...base, termMonths: 1.5 }, 'termMonths', 'must be a whole number from 1 to 600, got 1.5'],
    ['term too long', { ...base, termMonths: 601 }, 'termMonths', 'must be a whole number from 1 to 600, got 601'],
    ['term as text', { ...base, termMonths: '12' }, 'termMonths', 'must be a whole number from 1 to 600, got "12"'],
    ['unknown day count', { ...base, dayCount: 'actual/360' }, 'dayCount', 'must be one of 30/360, actual/365, got "actual/360"'],
    ['negative grace', { ...base, graceDays: -1 }, 'graceDays', 'must be a whole number from 0 to 365, got -1'],
    ['grace too long', { ...base, graceDays: 366 }, 'graceDays', 'must be a whole number from 0 to 365, got 366'],
    ['penalty not a mapping', { ...base, penalty: 0.0005 }, 'penalty', 'must be a mapping { dailyRate, base }'],
    ['penalty without rate', { ...base, penalty: {} }, 'penalty.dailyRate', 'is required'],
    ['penalty rate too high', { ...base, penalty: { dailyRate: 0.2 } }, 'penalty.dailyRate', 'must be at most 0.1, got 0.2'],
    ['penalty base unknown', { ...base, penalty: { dailyRate: 0.001, base: 'total' } }, 'penalty.base', 'must be one of overdue-principal, overdue-amount, got "total"'],
    ['penalty unknown key', { ...base, penalty: { dailyRate: 0.001, rate: 1 } }, 'penalty.rate', 'is not a known field (known: dailyRate, base)'],
    ['LD not a mapping', { ...base, liquidatedDamages: 5 }, 'liquidatedDamages', 'must be a mapping { percentOfInstalment } or { fixed }'],
    ['LD both kinds', { ...base, liquidatedDamages: { fixed: 100, percentOfInstalment: 0.05 } }, 'liquidatedDamages', 'must set exactly one of percentOfInstalment or fixed'],
    ['LD neither kind', { ...base, liquidatedDamages: {} }, 'liquidatedDamages', 'must set exactly one of percentOfInstalment or fixed'],
    ['LD fixed fractional', { ...base, liquidatedDamages: { fixed: 1.5 } }, 'liquidatedDamages.fixed', 'must be a whole number of minor units (e.g. cents), got 1.5'],
    ['LD fixed negative', { ...base, liquidatedDamages: { fixed: -100 } }, 'liquidatedDamages.fixed', 'must not be negative, got -100'],
    ['LD percent above 1', { ...base, liquidatedDamages: { percentOfInstalment: 2 } }, 'liquidatedDamages.percentOfInstalment', 'must be at most 1, got 2'],
    ['LD unknown key', { ...base, liquidatedDamages: { amount: 5 } }, 'liquidatedDamages.amount', 'is not a known field (known: percentOfInstalment, fixed)'],
    ['cost cap as words', { ...base, costCap: 'high' }, 'costCap', 'must be a non-negative decimal number, got "high"'],
    ['cost cap above 100', { ...base, costCap: 101 }, 'costCap', 'must be at most 100, got 101'],
    ['overpayment unknown', { ...base, overpayment: 'refund' }, 'overpayment', 'must be one of credit, prepay, got "refund"'],
    ['waterfall not a list', { ...base, waterfall: 'fees,penalty' }, 'waterfall', 'must list fees, penalty, interest, principal in paying order'],
    ['waterfall unknown part', { ...base, waterfall: ['fees', 'tax', 'interest', 'principal'] }, 'waterfall[1]', 'must be one of fees, penalty, interest, principal, got "tax"'],
    ['waterfall duplicate', { ...base, waterfall: ['fees', 'fees', 'interest', 'principal'] }, 'waterfall', 'must list each of fees, penalty, interest, principal exactly once'],
    ['waterfall missing a part', { ...base, waterfall: ['fees', 'interest', 'principal'] }, 'waterfall', 'must list each of fees, penalty, interest, principal exactly once'],
  ])('rejects %s, naming field and rule', (_name, raw, field, rule) => {
    const e = catchValidation(() => parseProduct('p', raw));
    expect(e.field).toBe(field);
    expect(e.rule).toBe(rule);
    expect(e.message).toBe(`${field}: ${rule}`);
  });

  it('prefixes field paths', () => {
    const e = catchValidation(() => parseProduct('p1', { ...base, termMonths: 0 }, 'products.p1.'));
    expect(e.field).toBe('products.p1.termMonths');
    expect(catchValidation(() => parseProduct('p1', { ...base, penalty: {} }, 'products.p1.')).field).toBe('products.p1.penalty.dailyRate');
    expect(catchValidation(() => parseProduct('p1', { ...base, extra: 1 }, 'products.p1.')).field).toBe('products.p1.extra');
    expect(catchValidation(() => parseProduct('p1', [], 'products.p1.')).field).toBe('products.p1');
  });

  it.each([[null], [[]], ['annuity'], [42]])('rejects a non-mapping %j', (raw) => {
    const e = catchValidation(() => parseProduct('p', raw));
    expect(e.field).toBe('product');
    expect(e.rule).toBe('must be a mapping of product fields');
  });
});
