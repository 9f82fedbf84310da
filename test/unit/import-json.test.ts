import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLoansCsv, parseLoansJson } from '../../src/store/import/parse.js';
import { CASH_12 } from '../support/import-expected.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), 'utf8');

const nested = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'L1',
  principal: 100000,
  currency: 'USD',
  disbursed: '2025-01-15',
  product: { id: 'P1', method: 'annuity', annualRate: '0.12', termMonths: 12 },
  borrower: { id: 'B1', name: 'Ana Lima', timezone: 'America/New_York', phones: ['+12125550100'] },
  ...over,
});

const flat = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  loan_id: 'L1',
  borrower_id: 'B1',
  borrower_name: 'Ana Lima',
  currency: 'USD',
  principal: 100000,
  disbursed: '2025-01-15',
  timezone: 'America/New_York',
  method: 'annuity',
  annual_rate: 0.12,
  term_months: 12,
  ...over,
});

const json = (...items: unknown[]): string => JSON.stringify(items);

describe('parseLoansJson: flat objects', () => {
  it('reads the flat fixture: numbers or strings, lists as arrays or ";" strings', () => {
    const r = parseLoansJson(fixture('loans-flat.json'));
    expect(r.issues).toEqual([]);
    expect(r.rowsRead).toBe(2);
    expect(r.records.map((x) => x.row)).toEqual([1, 2]);
    expect(r.records[0]?.borrower).toEqual({
      id: 'B-501',
      name: 'Ana Lima',
      timezone: 'America/New_York',
      phones: ['+12125550100', '+12125550101'],
      emails: ['ana@example.com'],
      addresses: [{ kind: 'residential', line: '12 Main St, Springfield' }],
      languages: ['en', 'es'],
    });
    expect(r.records[1]?.borrower.languages).toEqual(['zh-CN', 'en']);
    expect(r.records[0]?.product).toMatchObject({
      id: 'CASH-12', annualRate: { num: 18, den: 100 }, penalty: { dailyRate: { num: 5, den: 10000 }, base: 'overdue-principal' },
    });
    expect(r.records[1]?.account).toEqual({
      id: '3002', borrowerId: 'B-502', productId: r.records[1]?.product.id, currency: 'USD', principal: 120000, disbursed: '2025-02-01',
    });
  });

  it('gives the same records as the equivalent CSV', () => {
    const fromJson = parseLoansJson(json(flat({ phones: ['+12125550100'], grace_days: 3 })));
    const fromCsv = parseLoansCsv(
      'loan_id,borrower_id,borrower_name,currency,principal,disbursed,timezone,method,annual_rate,term_months,phones,grace_days\n'
      + 'L1,B1,Ana Lima,USD,100000,2025-01-15,America/New_York,annuity,0.12,12,+12125550100,3\n',
    );
    expect(fromJson.records.map(({ row: _row, ...rest }) => rest)).toEqual(fromCsv.records.map(({ row: _row, ...rest }) => rest));
  });

  it('names the same columns as CSV in issues', () => {
    const r = parseLoansJson(json(flat(), flat({ loan_id: 'L2', principal: 10.5, term_months: '12.0', phones: ['+1', 7] })));
    expect(r.records.map((x) => x.row)).toEqual([1]);
    expect(r.issues).toEqual([
      { row: 2, field: 'principal', reason: expect.stringContaining('got 10.5') },
      { row: 2, field: 'phones', reason: expect.stringContaining('list') },
      { row: 2, field: 'term_months', reason: expect.stringContaining('digits only') },
    ]);
  });

  it('rejects non-text values for text fields', () => {
    const r = parseLoansJson(json(flat({ borrower_name: { first: 'Ana' } })));
    expect(r.issues).toEqual([{ row: 1, field: 'borrower_name', reason: expect.stringContaining('must be text') }]);
  });
});

describe('parseLoansJson: nested objects', () => {
  it('reads the nested fixture', () => {
    const r = parseLoansJson(fixture('loans-nested.json'));
    expect(r.issues).toEqual([]);
    const [a, b] = r.records;
    expect(a?.account).toEqual({
      id: 'L-2001', borrowerId: 'B-501', productId: 'CASH-12', currency: 'USD', principal: 500000, disbursed: '2025-01-15',
    });
    expect(a?.product).toEqual(CASH_12);
    expect(a?.borrower).toEqual({
      id: 'B-501',
      name: 'Ana Lima',
      timezone: 'America/New_York',
      phones: ['+12125550100'],
      emails: ['ana@example.com'],
      addresses: [{ kind: 'residential', line: '12 Main St, Springfield', country: 'US' }],
      languages: ['en', 'es'],
    });
    expect(b?.product.id).toMatch(/^auto-[0-9a-f]{12}$/);
    expect(b?.product).toMatchObject({ method: 'bullet', annualRate: { num: 3, den: 10 }, overpayment: 'prepay' });
    expect(b?.borrower).toEqual({ id: 'B-504', name: 'Dana Wright', timezone: 'Europe/London', phones: [], emails: [], addresses: [], languages: [] });
  });

  it('names dotted paths in issues and reports every bad field', () => {
    const r = parseLoansJson(json(nested({
      principal: -5,
      product: { method: 'annuity', annualRate: '0.12', termMonths: 0, penalty: { dailyRate: '1' }, bogus: 1 },
      borrower: {
        id: 'B1', name: 'Ana', timezone: 'Moon/Base', phones: ['+12125550100', '12'], emails: ['nope'],
        addresses: [{ kind: 'home', line: 'x' }],
      },
    })));
    expect(r.records).toEqual([]);
    expect(r.issues.map((i) => [i.row, i.field])).toEqual([
      [1, 'principal'],
      [1, 'borrower.timezone'],
      [1, 'borrower.phones[1]'],
      [1, 'borrower.emails[0]'],
      [1, 'borrower.addresses[0].kind'],
      [1, 'product.bogus'],
      [1, 'product.termMonths'],
      [1, 'product.penalty.dailyRate'],
    ]);
    expect(r.issues[2]?.reason).toBe('must be an E.164 number such as +12125550100, got "12"');
    expect(r.issues[5]?.reason).toContain('is not a known field');
  });

  it('requires product and borrower objects', () => {
    const r = parseLoansJson(json(nested({ product: undefined, borrower: 'B1' })));
    expect(r.issues).toEqual([
      { row: 1, field: 'borrower', reason: expect.stringContaining('must be an object') },
      { row: 1, field: 'product', reason: 'is required' },
    ]);
  });

  it('checks duplicates, borrower names and product definitions across objects', () => {
    const r = parseLoansJson(json(
      nested(),
      nested({ id: 'L1' }),
      nested({ id: 'L3', borrower: { id: 'B1', name: 'Ana Silva', timezone: 'UTC' } }),
      nested({ id: 'L4', product: { id: 'P1', method: 'bullet', annualRate: '0.12', termMonths: 12 } }),
    ));
    expect(r.records.map((x) => x.row)).toEqual([1]);
    expect(r.issues).toEqual([
      { row: 2, field: 'id', reason: 'duplicate loan id L1: already on row 1' },
      { row: 3, field: 'borrower.name', reason: 'borrower B1 was named "Ana Lima" on row 1' },
      { row: 4, field: 'product.id', reason: 'product_id P1 was defined differently on row 1 (differs in: product.method)' },
    ]);
  });
});

describe('parseLoansJson: the file', () => {
  it('accepts flat and nested objects in one array, and a BOM', () => {
    const r = parseLoansJson(`\uFEFF${json(nested(), flat({ loan_id: 'L2', borrower_id: 'B2' }))}`);
    expect(r.issues).toEqual([]);
    expect(r.records.map((x) => x.account.id)).toEqual(['L1', 'L2']);
  });

  it('reports unknown keys once, at row 0, and keeps the records', () => {
    const r = parseLoansJson(json(flat({ note: 'a' }), flat({ loan_id: 'L2', note: 'b', loanId: 'x' }), nested({ id: 'L3', extra: true })));
    expect(r.records).toHaveLength(3);
    expect(r.issues).toEqual([
      { row: 0, field: 'note', reason: 'is not a known field (first seen in record 1); it is ignored' },
      { row: 0, field: 'loanId', reason: 'is not a known field (first seen in record 2); it is ignored (did you mean loan_id?)' },
      { row: 0, field: 'extra', reason: 'is not a known field (first seen in record 3); it is ignored' },
    ]);
  });

  it('reports a non-object element on its row', () => {
    const r = parseLoansJson(json(nested(), 5, [1]));
    expect(r.rowsRead).toBe(3);
    expect(r.records).toHaveLength(1);
    expect(r.issues).toEqual([
      { row: 2, field: 'row', reason: 'must be an object, got 5' },
      { row: 3, field: 'row', reason: 'must be an object, got an array' },
    ]);
  });

  it('reports invalid JSON and a non-array at row 0', () => {
    expect(parseLoansJson('[{')).toEqual({
      records: [], issues: [{ row: 0, field: 'file', reason: expect.stringContaining('is not valid JSON') }], rowsRead: 0,
    });
    expect(parseLoansJson('{"loans": []}').issues).toEqual([{ row: 0, field: 'file', reason: 'must be a JSON array of loan objects' }]);
  });
});
