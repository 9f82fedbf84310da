import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import { productToSpec } from '../../src/ledger/index.js';
import { derivedProductId, parseLoansCsv, parseLoansFile } from '../../src/store/import/parse.js';
import { CASH_12 } from '../support/import-expected.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), 'utf8');

/** The required columns and a time zone (without one, a row needs phones or an address country to derive it from). */
const REQUIRED = 'loan_id,borrower_id,borrower_name,currency,principal,disbursed,method,annual_rate,term_months';
const HEADER = `${REQUIRED},timezone`;
const ROW = (id: string): string => `${id},B1,Ana Lima,USD,100000,2025-01-15,annuity,0.12,12,UTC`;

describe('parseLoansCsv: the example loans.csv', () => {
  const result = parseLoansCsv(fixture('loans.csv'));

  it('reads every row without issues', () => {
    expect(result.issues).toEqual([]);
    expect(result.rowsRead).toBe(5);
    expect(result.records.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    expect(result.records.map((r) => r.account.id)).toEqual(['L-1001', 'L-1002', 'L-1003', 'L-1004', 'L-1005']);
  });

  it('builds the exact Account, Product and Borrower', () => {
    const first = result.records[0];
    expect(first?.account).toEqual({
      id: 'L-1001', borrowerId: 'B-501', productId: 'CASH-12', currency: 'USD', principal: 500000, disbursed: '2025-01-15',
    });
    expect(first?.product).toEqual(CASH_12);
    expect(first?.borrower).toEqual({
      id: 'B-501',
      name: 'Ana Lima',
      timezone: 'America/New_York',
      phones: ['+12125550100', '+12125550101'],
      emails: ['ana@example.com'],
      addresses: [{ kind: 'residential', line: '12 Main St, Springfield' }],
      languages: ['en', 'es'],
    });
    expect(first?.timezoneFrom).toBe('given');
  });

  it('shares one Product object between rows naming the same product', () => {
    expect(result.records[1]?.product).toBe(result.records[0]?.product);
  });

  it('reads fixed liquidated damages, the other penalty base and prepay', () => {
    const p = result.records[2]?.product;
    expect(p?.liquidatedDamages).toEqual({ kind: 'fixed', amount: 2500 });
    expect(p?.penalty?.base).toBe('overdue-amount');
    expect(p?.dayCount).toBe('actual/365');
    expect(p?.costCap).toBeNull();
    expect(p?.overpayment).toBe('prepay');
  });

  it('keeps doubled quotes, non-ASCII text and both address kinds', () => {
    const b = result.records[3]?.borrower;
    expect(b?.name).toBe('Chen "CJ" Jie');
    expect(b?.addresses).toEqual([
      { kind: 'residential', line: '上海市浦东新区世纪大道 100 号' },
      { kind: 'id-card', line: '北京市朝阳区建国路 1 号' },
    ]);
  });

  it('derives a stable product id from the product fields when product_id is empty', () => {
    const r = result.records[3];
    expect(r?.product.id).toMatch(/^auto-[0-9a-f]{12}$/);
    expect(r?.product.id).toBe(derivedProductId(JSON.stringify(productToSpec(r!.product))));
    expect(r?.account.productId).toBe(r?.product.id);
    expect(parseLoansCsv(fixture('loans.csv')).records[3]?.product.id).toBe(r?.product.id);
  });

  it('applies the defaults of optional columns', () => {
    const r = result.records[4];
    expect(r?.product).toMatchObject({
      method: 'bullet', termMonths: 6, dayCount: '30/360', graceDays: 0, penalty: null, liquidatedDamages: null,
      costCap: null, overpayment: 'credit',
    });
    expect(r?.borrower).toEqual({
      id: 'B-504', name: 'Dana Wright', timezone: 'Europe/London', phones: ['+447700900123'], emails: ['dana@example.co.uk'], addresses: [], languages: [],
    });
  });
});

describe('parseLoansCsv: minimal columns', () => {
  it('needs only the required columns and a time zone', () => {
    const r = parseLoansCsv(`${HEADER}\n${ROW('L1')}\n`);
    expect(r.issues).toEqual([]);
    expect(r.records[0]?.borrower).toEqual({ id: 'B1', name: 'Ana Lima', timezone: 'UTC', phones: [], emails: [], addresses: [], languages: [] });
    expect(r.records[0]?.product.annualRate).toEqual({ num: 12, den: 100 });
  });

  it('refuses a row with neither a time zone nor anything to derive one from, naming timezone and why', () => {
    const r = parseLoansCsv(`${REQUIRED}\nL1,B1,Ana Lima,USD,100000,2025-01-15,annuity,0.12,12\n`);
    expect(r.records).toEqual([]);
    expect(r.pending).toBeUndefined();
    expect(r.issues).toEqual([{ row: 2, field: 'timezone', reason: 'is not given and could not be derived: no address has a country and the borrower has no phone number' }]);
  });

  it('matches header names ignoring case and surrounding spaces, and trims values', () => {
    const r = parseLoansCsv(`${HEADER.toUpperCase().split(',').join(' , ')}\n L1 , B1 ,Ana Lima, USD , 100000 ,2025-01-15, annuity , 0.12 ,12, UTC \n`);
    expect(r.issues).toEqual([]);
    expect(r.records[0]?.account).toEqual({
      id: 'L1', borrowerId: 'B1', productId: r.records[0]?.product.id, currency: 'USD', principal: 100000, disbursed: '2025-01-15',
    });
  });

  it('reads a waterfall column', () => {
    const r = parseLoansCsv(`${HEADER},waterfall\n${ROW('L1')},principal;interest;penalty;fees\n`);
    expect(r.issues).toEqual([]);
    expect(r.records[0]?.product.waterfall).toEqual(['principal', 'interest', 'penalty', 'fees']);
  });
});

describe('parseLoansCsv: file formatting', () => {
  it('handles a BOM, CRLF, quoted commas and newlines, blank and empty-valued lines', () => {
    const text = '\uFEFF'
      + `${HEADER},residential_address\r\n`
      + `${ROW('L1')},"1 Main St, Apt 2"\r\n`
      + '\r\n'
      + `${ROW('L2')},"line one\r\nline two"\r\n`
      + ',,,,,,,,,,\r\n'
      + `L3,B3,Cara,USD,-5,2025-01-15,annuity,0.12,12,UTC,\r\n`
      + `${ROW('L4')},"x"\r\n`
      + '\r\n\r\n';
    const r = parseLoansCsv(text);
    expect(r.rowsRead).toBe(4);
    expect(r.records.map((x) => [x.row, x.account.id])).toEqual([[2, 'L1'], [4, 'L2'], [8, 'L4']]);
    expect(r.records[0]?.borrower.addresses).toEqual([{ kind: 'residential', line: '1 Main St, Apt 2' }]);
    expect(r.records[1]?.borrower.addresses[0]?.line).toBe('line one\r\nline two');
    expect(r.issues).toEqual([{ row: 7, field: 'principal', reason: expect.stringContaining('digits only') }]);
  });

  it('counts lines in LF and CR-only files too', () => {
    for (const eol of ['\n', '\r']) {
      const r = parseLoansCsv([HEADER, ROW('L1'), '', 'L2,B2,Bo,USD,0,2025-01-15,annuity,0.12,12,UTC'].join(eol));
      expect(r.issues).toEqual([{ row: 4, field: 'principal', reason: expect.stringContaining('greater than 0') }]);
    }
  });

  it('accepts a file without a final newline, and a header-only file', () => {
    expect(parseLoansCsv(`${HEADER}\n${ROW('L1')}`).records).toHaveLength(1);
    expect(parseLoansCsv(`${HEADER}\n`)).toEqual({ records: [], issues: [], rowsRead: 0 });
  });

  it('reports an empty file', () => {
    expect(parseLoansCsv('')).toEqual({ records: [], issues: [{ row: 1, field: 'file', reason: expect.stringContaining('empty') }], rowsRead: 0 });
    expect(parseLoansCsv('\uFEFF\r\n\r\n').issues[0]?.field).toBe('file');
  });

  it('rejects the whole file on an unclosed quote, naming the line where that row starts', () => {
    const r = parseLoansCsv(`${HEADER}\n${ROW('L1')}\n\nL2,B2,"Bo,USD,1,2025-01-15,annuity,0.12,12\n${ROW('L3')}\n`);
    expect(r.records).toEqual([]);
    expect(r.issues).toEqual([{ row: 4, field: 'file', reason: expect.stringContaining('never closed') }]);
  });

  it('rejects the whole file on a stray quote inside an unquoted value', () => {
    const r = parseLoansCsv(`${HEADER}\r\n${ROW('L1')}\r\nL2,B2,Bo "Bob,USD,1,2025-01-15,annuity,0.12,12\r\n`);
    expect(r.records).toEqual([]);
    expect(r.issues).toEqual([{ row: 3, field: 'file', reason: expect.stringContaining('quote') }]);
  });

  it('rejects a row whose value count differs from the header, but allows empty trailing values', () => {
    const r = parseLoansCsv(`${HEADER}\n${ROW('L1')},,\nL2,B1,Ana Lima,USD,100000\n${ROW('L3')},x\n`);
    expect(r.records.map((x) => x.account.id)).toEqual(['L1']);
    expect(r.issues).toEqual([
      { row: 3, field: 'row', reason: 'has 5 values but the header has 10 columns' },
      { row: 4, field: 'row', reason: 'has 11 values but the header has 10 columns' },
    ]);
  });
});

describe('parseLoansCsv: header problems', () => {
  it('reports an unknown column once on line 1 and ignores its values', () => {
    const r = parseLoansCsv(`${HEADER},notes,princpal\n${ROW('L1')},hi,x\n${ROW('L2')},yo,y\n`);
    expect(r.records).toHaveLength(2);
    expect(r.issues).toEqual([
      { row: 1, field: 'notes', reason: 'is not a known column; its values are ignored' },
      { row: 1, field: 'princpal', reason: 'is not a known column; its values are ignored (did you mean principal?)' },
    ]);
  });

  it('rejects the file when a required column is missing', () => {
    const r = parseLoansCsv('loan_id,borrower_id,borrower_name,currency,disbursed,method,annual_rate\nL1,B1,Ana,USD,2025-01-15,bullet,0.1\n');
    expect(r.records).toEqual([]);
    expect(r.rowsRead).toBe(1);
    expect(r.issues).toEqual([
      { row: 1, field: 'principal', reason: 'is a required column and is missing from the header' },
      { row: 1, field: 'term_months', reason: 'is a required column and is missing from the header' },
    ]);
  });

  it('rejects the file when a column appears twice', () => {
    const r = parseLoansCsv(`${HEADER},Principal\n${ROW('L1')},5\n`);
    expect(r.records).toEqual([]);
    expect(r.issues).toEqual([{ row: 1, field: 'Principal', reason: 'appears more than once (columns 5 and 11)' }]);
  });

  it('reports a column without a name', () => {
    const r = parseLoansCsv(`${HEADER},\n${ROW('L1')},\n`);
    expect(r.records).toHaveLength(1);
    expect(r.issues).toEqual([{ row: 1, field: 'column 11', reason: 'has no name; its values are ignored' }]);
  });
});

describe('parseLoansFile', () => {
  it('picks the parser by extension, in any case', () => {
    expect(parseLoansFile('book.CSV', `${HEADER}\n${ROW('L1')}\n`).records).toHaveLength(1);
    expect(parseLoansFile('/tmp/book.json', '[]')).toEqual({ records: [], issues: [], rowsRead: 0 });
  });

  it('throws a ValidationError on field "file" for other extensions', () => {
    expect(() => parseLoansFile('book.xlsx', '')).toThrow(ValidationError);
    try {
      parseLoansFile('book.xlsx', '');
    } catch (e) {
      expect((e as ValidationError).field).toBe('file');
      expect((e as ValidationError).rule).toContain('.csv or .json');
    }
  });
});
