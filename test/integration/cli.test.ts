/**
 * The `arrears` command as a user drives it: init, import, pay, pause, cycle run / catch-up /
 * status, summary — on a SQLite file, and on PostgreSQL when a URL is given.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, openStore } from '../../src/store/db.js';
import { PG_URL, uniqueSchema } from '../support/stores.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'arrears-cli-'));
const schema = uniqueSchema('cli');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (PG_URL) await dropSchema(PG_URL, schema);
});

const targets = [
  { name: 'sqlite', env: { DATABASE_URL: join(dir, 'cli.db') }, url: join(dir, 'cli.db'), schema: undefined },
  ...(PG_URL ? [{ name: 'postgres', env: { DATABASE_URL: PG_URL, ARREARS_DB_SCHEMA: schema }, url: PG_URL, schema }] : []),
];

describe.each(targets)('arrears CLI on $name', (t) => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...t.env } });

  it('walks a loan book through payments, a pause and the cycle', async () => {
    expect(run('init').stdout).toContain('database ready');
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);

    const pay = ['pay', '--account', 'L-1001', '--amount', '47000', '--date', '2025-02-15', '--key', 'bank-1'];
    expect(run(...pay).stdout).toContain('payment bank-1 recorded');
    expect(run(...pay).stdout).toContain('already recorded; nothing changed');
    const conflict = run('pay', '--account', 'L-1001', '--amount', '1', '--date', '2025-02-15', '--key', 'bank-1');
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toContain('--key: key bank-1 was already used');
    const unknown = run('pay', '--account', 'L-9', '--amount', '1', '--date', '2025-02-15', '--key', 'k2');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('unknown account L-9');

    expect(run('pause', '--account', 'L-1002', '--from', '2025-03-05', '--until', '2025-03-20', '--reason', 'dispute').status).toBe(0);
    const badPause = run('pause', '--account', 'L-1002', '--from', '2025-03-20', '--until', '2025-03-05', '--reason', 'x');
    expect(badPause.stderr).toContain('pause.until: must not be before pause.from');

    expect(run('cycle', 'status').stdout).toContain('none');
    expect(run('cycle', 'catch-up', '--until', '2025-03-01').stderr).toContain('no business date has been closed yet');
    expect(run('cycle', 'run', '--date', '2025-03-01').status).toBe(0);
    const up = run('cycle', 'catch-up', '--until', '2025-03-31');
    expect(up.stdout).toContain('closed 30 business date(s): 2025-03-02 … 2025-03-31');
    expect(run('cycle', 'run', '--date', '2025-03-31').stderr).toContain('already closed');
    expect(run('cycle', 'status').stdout).toContain('2025-03-31');
    expect(run('summary').stdout).toMatch(/Portfolio as of 2025-03-31/);

    const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      const paid = await s.db.selectFrom('payments').select(['key', 'applied_date']).execute();
      expect(paid).toEqual([{ key: 'bank-1', applied_date: '2025-02-15' }]);
      const paused = await s.db.selectFrom('account_state').select('dpd').where('account_id', '=', 'L-1002').executeTakeFirstOrThrow();
      // L-1002: due 2025-03-01 unpaid; 30 days late on 03-31, less the 16 paused days
      expect(paused.dpd).toBe(30 - 16);
    } finally {
      await s.close();
    }
  });
});
