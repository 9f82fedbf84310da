/**
 * `arrears demo` — what `npm start` runs — on a small portfolio: creates the database, runs the
 * cycle over the history, prints the portfolio by bucket; a second run only catches up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { importLoans } from '../../src/cli/import.js';
import { lastClosedDate } from '../../src/cycle/index.js';
import { loadJurisdictions } from '../../src/store/gate.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'arrears-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function demo(db: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--db', db, 'demo', '--accounts', '300', '--history', '5', ...args], { encoding: 'utf8' });
}

describe('arrears demo', () => {
  const db = join(dir, 'demo.db');

  it('creates a portfolio with a spread of delinquency and prints it by bucket', async () => {
    const r = demo(db, '--as-of', '2026-06-30');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Portfolio as of 2026-06-30');
    for (const bucket of ['C ', 'M1 ', 'M7+ ']) expect(r.stdout).toContain(`\n${bucket}`);
    const s = await openStore({ url: db });
    try {
      expect(await lastClosedDate(s.db)).toBe('2026-06-30');
      const runs = await s.db.selectFrom('cycle_runs').select('business_date').orderBy('business_date').execute();
      expect(runs.map((x) => x.business_date)).toEqual(['2026-06-25', '2026-06-26', '2026-06-27', '2026-06-28', '2026-06-29', '2026-06-30']);
      const applied = await s.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('applied_date', 'is not', null).executeTakeFirstOrThrow();
      expect(Number(applied.n)).toBeGreaterThan(300);
      // the gate knows which packs bind the demo borrowers' countries
      expect(await loadJurisdictions(s.db)).toEqual({ default: null, byCountry: { US: ['us-regf'], GB: ['uk-conc'], CN: ['cn'] } });
    } finally {
      await s.close();
    }
  });

  it('a later run records the new days\' payments and only catches the cycle up', async () => {
    const r = demo(db, '--as-of', '2026-07-10');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Portfolio as of 2026-07-10');
    const s = await openStore({ url: db });
    try {
      expect(await lastClosedDate(s.db)).toBe('2026-07-10');
      const july = await s.db.selectFrom('payments').select('key').where('business_date', '>', '2026-06-30').execute();
      expect(july.length).toBeGreaterThan(0);
      expect((await s.db.selectFrom('accounts').select('id').execute()).length).toBe(300);
    } finally {
      await s.close();
    }
  });

  it('refuses a database that holds other loans', async () => {
    const other = join(dir, 'other.db');
    const s = await openStore({ url: other });
    await importLoans(s, 'test/fixtures/import/loans.csv', (await import('node:fs')).readFileSync('test/fixtures/import/loans.csv', 'utf8'), { strict: false });
    await s.close();
    const r = demo(other, '--as-of', '2026-06-30');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already holds loans that are not the demo');
  });

  it('rejects bad options naming the option and the rule', () => {
    const r = demo(join(dir, 'x.db'), '--as-of', '2026-02-30');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--as-of: "2026-02-30" is not a calendar date');
  });
});
