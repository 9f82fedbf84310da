/**
 * The database half of `arrears import`, on every backend: good rows land atomically, bad rows are
 * reported, loans already stored are never overwritten, --strict imports nothing when a row is bad.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { importLoans } from '../../src/cli/import.js';
import { runCycle } from '../../src/cycle/index.js';
import type { Store } from '../../src/store/db.js';
import { rowToBorrower } from '../../src/store/codec.js';
import { BACKENDS } from '../support/stores.js';

const GOOD = 'test/fixtures/import/loans.csv';
const MIXED = 'test/fixtures/import/loans-mixed.csv';
const read = (f: string): string => readFileSync(f, 'utf8');

describe.each(BACKENDS)('import on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('imports a good file with products, borrowers and opening states', async () => {
    store = await backend.open();
    const r = await importLoans(store, GOOD, read(GOOD), { strict: false });
    expect(r.issues).toEqual([]);
    expect(r.imported).toBe(5);
    const accounts = await store.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    expect(accounts.map((a) => a.id)).toEqual(['L-1001', 'L-1002', 'L-1003', 'L-1004', 'L-1005']);
    expect(accounts[0]).toMatchObject({ borrower_id: 'B-501', product_id: 'CASH-12', currency: 'USD', principal: 500000, disbursed: '2025-01-15' });
    const states = await store.db.selectFrom('account_state').select(['account_id', 'as_of', 'dpd', 'bucket', 'principal']).orderBy('account_id').execute();
    expect(states[0]).toEqual({ account_id: 'L-1001', as_of: null, dpd: 0, bucket: 'C', principal: 500000 });
    // the imported loans age like any other
    await runCycle(store, '2025-06-30');
    const aged = await store.db.selectFrom('account_state').select(['account_id', 'as_of']).execute();
    expect(aged.every((a) => a.as_of === '2025-06-30')).toBe(true);
  });

  it('imports the good rows of a mixed file and reports every bad one by row and column', async () => {
    store = await backend.open();
    const r = await importLoans(store, MIXED, read(MIXED), { strict: false });
    const ids = (await store.db.selectFrom('accounts').select('id').orderBy('id').execute()).map((a) => a.id);
    expect(ids).toEqual(['L1', 'L5', 'L7']);
    expect(r.imported).toBe(3);
    expect(r.issues).toContainEqual(expect.objectContaining({ row: 3, field: 'principal' }));
    expect(r.issues).toContainEqual(expect.objectContaining({ row: 3, field: 'disbursed' }));
    expect(r.issues).toContainEqual(expect.objectContaining({ row: 5, field: 'loan_id' }));
    expect(r.rejected).toBe(4);
  });

  it('--strict imports nothing when any row is bad', async () => {
    store = await backend.open();
    const r = await importLoans(store, MIXED, read(MIXED), { strict: true });
    expect(r.imported).toBe(0);
    expect(r.issues.length).toBeGreaterThan(0);
    expect(await store.db.selectFrom('accounts').select('id').execute()).toEqual([]);
  });

  it('stores the borrower\'s languages and the time zone derived from the address or the phones; rows from before languages read as []', async () => {
    store = await backend.open();
    const csv = [
      'loan_id,borrower_id,borrower_name,currency,principal,disbursed,method,annual_rate,term_months,phones,residential_address,country,languages',
      'L1,B1,Wang Fang,CNY,100000,2025-01-15,annuity,0.12,12,+8613800138000,"100 Century Ave, Shanghai",CN,zh-CN',
      'L2,B2,Ana Lima,USD,100000,2025-01-15,annuity,0.12,12,+13125550123,"400 Lake Shore Dr, Chicago",US,es;en',
      'L3,B3,Dana Wright,GBP,100000,2025-01-15,annuity,0.12,12,,"1 High St, Leeds",GB,',
      'L4,B4,Bo Chen,USD,100000,2025-01-15,annuity,0.12,12,+12125550100;+13125550123,"1 Main St, Springfield",US,en',
      '',
    ].join('\n');
    const r = await importLoans(store, 'book.csv', csv, { strict: false });
    expect(r.imported).toBe(3);
    expect(r.issues).toEqual([{ row: 5, field: 'timezone', reason: expect.stringContaining("US has") as unknown }]);
    expect(r.issues[0]?.reason).toContain("the phones' area codes do not agree on one zone");
    const rows = await store.db.selectFrom('borrowers').selectAll().orderBy('id').execute();
    expect(rows.map((b) => rowToBorrower(b)).map((b) => [b.id, b.timezone, b.languages])).toEqual([
      ['B1', 'Asia/Shanghai', ['zh-CN']],
      ['B2', 'America/Chicago', ['es', 'en']],
      ['B3', 'Europe/London', []],
    ]);
    // a row written before borrowers had languages
    await store.db.updateTable('borrowers').set({ data: JSON.stringify({ phones: [], emails: [], addresses: [] }) }).where('id', '=', 'B1').execute();
    const old = await store.db.selectFrom('borrowers').selectAll().where('id', '=', 'B1').executeTakeFirstOrThrow();
    expect(rowToBorrower(old).languages).toEqual([]);
  });

  it('re-importing reports the loans already stored and changes nothing', async () => {
    store = await backend.open();
    await importLoans(store, GOOD, read(GOOD), { strict: false });
    const before = await store.db.selectFrom('account_state').selectAll().orderBy('account_id').execute();
    const again = await importLoans(store, GOOD, read(GOOD), { strict: false });
    expect(again.imported).toBe(0);
    expect(again.issues).toHaveLength(5);
    expect(again.issues[0]).toMatchObject({ row: 2, field: 'loan_id', reason: 'loan L-1001 is already in the database' });
    expect(await store.db.selectFrom('account_state').selectAll().orderBy('account_id').execute()).toEqual(before);
  });
});

describe('arrears import (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arrears-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const CLI = join(process.cwd(), 'dist/src/cli/main.js');

  it('prints rejected rows with row, column and reason and exits 1', () => {
    const db = join(dir, 'a.db');
    const r = spawnSync(process.execPath, [CLI, '--db', db, 'import', MIXED], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('3 loan(s) imported, 4 row(s) rejected');
    expect(r.stderr).toMatch(/loans-mixed\.csv: row 3: principal: /);
    const ok = execFileSync(process.execPath, [CLI, '--db', join(dir, 'b.db'), 'import', GOOD], { encoding: 'utf8' });
    expect(ok).toContain('5 loan(s) imported, 0 row(s) rejected');
  });
});
