import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryZones } from '../../src/contact/index.js';
import { FLAT_COLUMNS, parseLoansCsv, type FlatColumn } from '../../src/store/import/parse.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), 'utf8');

/** A good row with every column set; override columns to break it. */
const GOOD: Record<FlatColumn, string> = {
  loan_id: 'L1',
  borrower_id: 'B1',
  borrower_name: 'Ana Lima',
  currency: 'USD',
  principal: '100000',
  disbursed: '2025-01-15',
  timezone: 'America/New_York',
  phones: '+12125550100',
  emails: 'ana@example.com',
  residential_address: '12 Main St',
  id_card_address: '',
  country: '',
  languages: 'en;zh-CN',
  product_id: 'P1',
  method: 'annuity',
  annual_rate: '0.18',
  term_months: '12',
  day_count: '30/360',
  grace_days: '3',
  penalty_daily_rate: '0.0005',
  penalty_base: 'overdue-principal',
  ld_percent: '0.05',
  ld_fixed: '',
  cost_cap: '0.36',
  overpayment: 'credit',
  waterfall: '',
};

const quote = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function csv(...rows: Partial<Record<FlatColumn, string>>[]): string {
  const lines = [FLAT_COLUMNS.join(',')];
  rows.forEach((over, i) => {
    const row: Record<FlatColumn, string> = { ...GOOD, loan_id: `L${i + 1}`, ...over };
    lines.push(FLAT_COLUMNS.map((c) => quote(row[c])).join(','));
  });
  return `${lines.join('\n')}\n`;
}

describe('one bad field → one issue naming row, column and reason', () => {
  const cases: [Partial<Record<FlatColumn, string>>, FlatColumn, string][] = [
    [{ loan_id: '' }, 'loan_id', 'is required'],
    [{ borrower_id: ' ' }, 'borrower_id', 'is required'],
    [{ borrower_name: '' }, 'borrower_name', 'is required'],
    [{ currency: '' }, 'currency', 'is required'],
    [{ currency: 'usd' }, 'currency', 'ISO 4217'],
    [{ currency: 'XYZ' }, 'currency', 'got "XYZ"'],
    [{ principal: '' }, 'principal', 'is required'],
    [{ principal: '1,000' }, 'principal', 'digits only'],
    [{ principal: '10.5' }, 'principal', 'got "10.5"'],
    [{ principal: '-3' }, 'principal', 'no sign'],
    [{ principal: '1e5' }, 'principal', 'digits only'],
    [{ principal: '0' }, 'principal', 'greater than 0'],
    [{ principal: '99999999999999999999' }, 'principal', 'too large'],
    [{ disbursed: '' }, 'disbursed', 'is required'],
    [{ disbursed: '15/01/2025' }, 'disbursed', 'YYYY-MM-DD'],
    [{ disbursed: '2025-02-30' }, 'disbursed', 'not a calendar date'],
    [{ timezone: 'Mars/Olympus' }, 'timezone', 'IANA time zone'],
    [{ timezone: 'EST' }, 'timezone', 'got "EST"'],
    [{ phones: '+12125550100; 555-0100' }, 'phones', 'E.164 number such as +12125550100, got "555-0100"'],
    [{ emails: 'ana@example.com;ana@' }, 'emails', 'e-mail address, got "ana@"'],
    [{ languages: 'en;English' }, 'languages', 'must be a language tag such as en or zh-CN, got "English"'],
    [{ languages: 'en;zh_CN' }, 'languages', 'got "zh_CN"'],
    [{ country: 'us' }, 'country', 'ISO 3166-1 alpha-2'],
    [{ country: 'US', residential_address: '' }, 'country', 'no residential_address or id_card_address'],
    [{ timezone: '', phones: '' }, 'timezone', 'is not given and could not be derived: no address has a country and the borrower has no phone number'],
    [{ timezone: '', phones: '', country: 'US' }, 'timezone', `US has ${countryZones('US').length} time zones and the borrower has no phone number`],
    [{ method: '' }, 'method', 'is required'],
    [{ method: 'baloon' }, 'method', 'must be one of annuity, equal-principal, bullet, got "baloon"'],
    [{ annual_rate: '' }, 'annual_rate', 'is required'],
    [{ annual_rate: '12%' }, 'annual_rate', 'non-negative decimal'],
    [{ annual_rate: '0,12' }, 'annual_rate', 'non-negative decimal'],
    [{ annual_rate: '-0.1' }, 'annual_rate', 'non-negative decimal'],
    [{ annual_rate: '11' }, 'annual_rate', 'at most 10'],
    [{ term_months: '' }, 'term_months', 'is required'],
    [{ term_months: '10.5' }, 'term_months', 'digits only'],
    [{ term_months: '0' }, 'term_months', 'from 1 to 600, got 0'],
    [{ term_months: '601' }, 'term_months', 'from 1 to 600'],
    [{ day_count: 'act/360' }, 'day_count', 'must be one of 30/360, actual/365'],
    [{ grace_days: '-1' }, 'grace_days', 'no sign'],
    [{ grace_days: '400' }, 'grace_days', 'from 0 to 365'],
    [{ penalty_daily_rate: '0.2' }, 'penalty_daily_rate', 'at most 0.1'],
    [{ penalty_daily_rate: 'x' }, 'penalty_daily_rate', 'non-negative decimal'],
    [{ penalty_base: 'principal' }, 'penalty_base', 'must be one of overdue-principal, overdue-amount'],
    [{ penalty_daily_rate: '' }, 'penalty_base', 'penalty_daily_rate is empty'],
    [{ ld_percent: '2' }, 'ld_percent', 'at most 1'],
    [{ ld_percent: '', ld_fixed: '1.5' }, 'ld_fixed', 'digits only'],
    [{ ld_fixed: '500' }, 'ld_fixed', 'not both'],
    [{ cost_cap: 'abc' }, 'cost_cap', 'non-negative decimal'],
    [{ overpayment: 'refund' }, 'overpayment', 'must be one of credit, prepay'],
    [{ waterfall: 'fees;fees;interest;principal' }, 'waterfall', 'exactly once'],
    [{ waterfall: 'fees;penalty;interest;capital' }, 'waterfall', 'got "capital"'],
  ];

  it.each(cases)('%j → %s', (over, field, reason) => {
    const r = parseLoansCsv(csv(over));
    expect(r.records).toEqual([]);
    expect(r.rowsRead).toBe(1);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toEqual({ row: 2, field, reason: expect.stringContaining(reason) });
  });

  it('the good row itself has no issue', () => {
    const r = parseLoansCsv(csv({}));
    expect(r.issues).toEqual([]);
    expect(r.records).toHaveLength(1);
    expect(r.records[0]?.borrower.languages).toEqual(['en', 'zh-CN']);
  });

  it('puts the country on the row\'s addresses and takes a single-zone country\'s zone when timezone is empty', () => {
    const r = parseLoansCsv(csv({ timezone: '', country: 'GB', id_card_address: '1 High St' }));
    expect(r.issues).toEqual([]);
    expect(r.pending).toBeUndefined();
    expect(r.records[0]?.borrower.addresses).toEqual([
      { kind: 'residential', line: '12 Main St', country: 'GB' }, { kind: 'id-card', line: '1 High St', country: 'GB' },
    ]);
    expect(r.records[0]?.borrower.timezone).toBe('Europe/London');
    expect(r.records[0]?.timezoneFrom).toBe('address');
  });

  it('leaves a row without a time zone whose zone must come from its phones pending (neither record nor issue)', () => {
    const r = parseLoansCsv(csv({ timezone: '', country: 'US' }, { timezone: '' }));
    expect(r.records).toEqual([]);
    expect(r.issues).toEqual([]);
    expect(r.pending?.map((p) => [p.record.row, p.field])).toEqual([[2, 'timezone'], [3, 'timezone']]);
  });
});

describe('several bad fields in one row', () => {
  it('reports each of them, not only the first', () => {
    const r = parseLoansCsv(csv({
      currency: 'usd', principal: '1,000', disbursed: '2025-13-01', timezone: 'Nowhere/Land', phones: '555',
      emails: 'x', method: 'baloon', annual_rate: '-1', term_months: '900', penalty_daily_rate: '0.5',
      cost_cap: 'lots', overpayment: 'refund',
    }));
    expect(r.records).toEqual([]);
    expect(r.issues.map((i) => i.field).sort()).toEqual([
      'annual_rate', 'cost_cap', 'currency', 'disbursed', 'emails', 'method', 'overpayment', 'penalty_daily_rate', 'phones',
      'principal', 'term_months', 'timezone',
    ]);
    expect(r.issues.every((i) => i.row === 2)).toBe(true);
  });

  it('reports one issue per column even when a list has several bad items', () => {
    const r = parseLoansCsv(csv({ phones: '1;2;3' }));
    expect(r.issues).toEqual([{ row: 2, field: 'phones', reason: expect.stringContaining('"1"') }]);
  });
});

describe('checks across rows', () => {
  it('reports a duplicate loan_id on the later row', () => {
    const r = parseLoansCsv(csv({ loan_id: 'L9' }, {}, { loan_id: 'L9' }));
    expect(r.records.map((x) => x.row)).toEqual([2, 3]);
    expect(r.issues).toEqual([{ row: 4, field: 'loan_id', reason: 'duplicate loan id L9: already on row 2' }]);
  });

  it('reports a borrower renamed on a later row, and accepts the same name again', () => {
    const r = parseLoansCsv(csv({}, { borrower_name: 'Ana Silva' }, {}));
    expect(r.records.map((x) => x.row)).toEqual([2, 4]);
    expect(r.issues).toEqual([{ row: 3, field: 'borrower_name', reason: 'borrower B1 was named "Ana Lima" on row 2' }]);
  });

  it('reports a product_id defined differently on the later row, naming the columns that differ', () => {
    const r = parseLoansCsv(csv({}, {}, { annual_rate: '0.2', penalty_base: 'overdue-amount' }));
    expect(r.records.map((x) => x.row)).toEqual([2, 3]);
    expect(r.issues).toEqual([{
      row: 4,
      field: 'product_id',
      reason: 'product_id P1 was defined differently on row 2 (differs in: annual_rate, penalty_daily_rate/penalty_base)',
    }]);
  });

  it('treats equal values written differently as the same product', () => {
    const r = parseLoansCsv(csv(
      { day_count: '', grace_days: '0', annual_rate: '0.18' },
      { day_count: '30/360', grace_days: '', annual_rate: '0.180' },
    ));
    expect(r.issues).toEqual([]);
    expect(r.records[1]?.product).toBe(r.records[0]?.product);
  });

  it('derives equal ids for equal products without product_id, and different ids otherwise', () => {
    const r = parseLoansCsv(csv({ product_id: '' }, { product_id: '' }, { product_id: '', term_months: '6' }));
    expect(r.issues).toEqual([]);
    const ids = r.records.map((x) => x.product.id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(r.records.map((x) => x.account.productId)).toEqual(ids);
  });

  it('lets the first row define ids even when that row is otherwise bad', () => {
    const r = parseLoansCsv(csv({ loan_id: 'L1', principal: 'x' }, { loan_id: 'L1' }));
    expect(r.records).toEqual([]);
    expect(r.issues.map((i) => [i.row, i.field])).toEqual([[2, 'principal'], [3, 'loan_id']]);
  });
});

describe('mixed good and bad rows', () => {
  it('returns the good rows and an issue for each bad one (loans-mixed.csv)', () => {
    const r = parseLoansCsv(fixture('loans-mixed.csv'));
    expect(r.rowsRead).toBe(7);
    expect(r.records.map((x) => [x.row, x.account.id])).toEqual([[2, 'L1'], [6, 'L5'], [8, 'L7']]);
    expect(r.records[2]?.account).toMatchObject({ currency: 'JPY', principal: 5000000 });
    expect(r.issues.map((i) => `${i.row} ${i.field}`)).toEqual([
      '1 notes',
      '3 currency', '3 principal', '3 disbursed', '3 timezone', '3 phones', '3 emails',
      '4 timezone', '4 term_months', '4 penalty_base', '4 ld_fixed', '4 method', '4 annual_rate', '4 grace_days',
      '5 loan_id', '5 borrower_name', '5 product_id',
      '7 borrower_id', '7 borrower_name', '7 principal',
    ]);
  });

  it('every data row is either a record, pending (its zone to come from its phones) or has an issue, only one of these', () => {
    const value = (c: FlatColumn): fc.Arbitrary<string> => fc.oneof(
      fc.constant(GOOD[c]),
      fc.constantFrom('', 'x', '0', '-1', '1.5', '1,0', '"q"', 'L1', 'B1', 'USD', '2025-02-29', '+1212555010'),
    );
    const row = fc.record(Object.fromEntries(FLAT_COLUMNS.map((c) => [c, value(c)])) as Record<FlatColumn, fc.Arbitrary<string>>);
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), (rows) => {
      const r = parseLoansCsv(csv(...rows));
      const good = new Set([...r.records.map((x) => x.row), ...(r.pending ?? []).map((p) => p.record.row)]);
      expect(good.size).toBe(r.records.length + (r.pending?.length ?? 0));
      const bad = new Set(r.issues.map((i) => i.row));
      expect(r.rowsRead).toBe(rows.length);
      for (let line = 2; line < rows.length + 2; line++) expect(good.has(line) !== bad.has(line)).toBe(true);
    }), { numRuns: 300 });
  });
});
