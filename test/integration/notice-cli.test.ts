/**
 * `arrears notice validation` and `arrears notice due` as a user drives them (dist/src/cli/main.js;
 * build first) — on a SQLite file, and on PostgreSQL when ARREARS_TEST_PG_URL is set.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { recordAttempts } from '../../src/store/repo.js';
import { pdfText } from '../support/pdf-text.js';
import { cliRunner, cliTargets } from '../support/cli.js';

const targets = cliTargets('notice');
/** where the PDFs go */
const dir = mkdtempSync(join(tmpdir(), 'arrears-notice-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const collector = ['--collector-name', 'Acme Recovery Services, LLC', '--collector-address', 'PO Box 1234', '--collector-address', 'Springfield, IL 62701', '--collector-phone', '(800) 555-0100'];

describe.each(targets)('arrears notice on $name', (t) => {
  const run = cliRunner(t, { ARREARS_COLLECTOR_NAME: '', ARREARS_COLLECTOR_ADDRESS: '' });

  it('writes and records the validation notice, and lists overdue notices', async () => {
    expect(run('init').status).toBe(0);
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    expect(run('pay', '--account', 'L-1001', '--amount', '47000', '--date', '2025-02-15', '--key', 'bank-1').status).toBe(0);
    expect(run('cycle', 'run', '--date', '2025-03-01').status).toBe(0);
    expect(run('cycle', 'catch-up', '--until', '2025-03-31').status).toBe(0);

    // first communications: L-1001 and L-1002 called on 03-20 (the CLI has no attempt command yet)
    const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      await recordAttempts(s.db, ['L-1001', 'L-1002'].map((accountId) => ({
        accountId, date: '2025-03-20', time: '10:00', party: 'borrower' as const, channel: 'call' as const, outcome: 'no_answer' as const, promise: null,
      })));
    } finally {
      await s.close();
    }
    expect(run('notice', 'due', '--as-of', '2025-03-25').stdout).toContain('no validation notice overdue as of 2025-03-25');

    const missing = run('notice', 'validation', '--account', 'L-1001', '--sent', '2025-04-01', '--out', join(dir, 'x.pdf'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--collector-name: is required');

    const out1 = join(dir, `${t.name}-1.pdf`);
    const r = run('notice', 'validation', '--account', 'L-1001', '--sent', '2025-04-01', '--out', out1, '--creditor', 'Example Bank, N.A.', ...collector);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // sent Tue 2025-04-01 → received Tue 04-08 → dispute by Thu 05-08
    expect(r.stdout).toContain('itemization date 2025-02-15 (last-payment)');
    expect(r.stdout).toContain('sent 2025-04-01, assumed received 2025-04-08, dispute by 2025-05-08');
    expect(r.stdout).toMatch(/recorded as notice #\d+/);
    const pdf = readFileSync(out1);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = (await pdfText(pdf)).pages.join(' ');
    const now = /amount now (\$[\d,]+\.\d\d) \(close of 2025-03-31\)/.exec(r.stdout)?.[1];
    expect(now).toBeDefined();
    expect(text).toContain(`Total amount of the debt now: ${now}`);
    expect(text).toContain('As of February 15, 2025, you owed:');
    expect(text).toContain('by May 8, 2025');
    expect(text).toContain('Ana Lima');
    expect(text).toContain('you owe to Example Bank, N.A.');

    // the amount now is the ledger's: balances less credit on the last closed date
    const s2 = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      const st = await s2.db.selectFrom('account_state').select(['total', 'credit']).where('account_id', '=', 'L-1001').executeTakeFirstOrThrow();
      expect(now).toBe(`$${((st.total - st.credit) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
      const rows = await s2.db.selectFrom('validation_notices').select(['debt_id', 'sent_on', 'validation_period_ends', 'file_hash']).execute();
      expect(rows).toEqual([{ debt_id: 'L-1001', sent_on: '2025-04-01', validation_period_ends: '2025-05-08', file_hash: createHash('sha256').update(pdf).digest('hex') }]);
    } finally {
      await s2.close();
    }

    // the same notice again: byte-identical file, not recorded twice
    const out2 = join(dir, `${t.name}-2.pdf`);
    const again = run('notice', 'validation', '--account', 'L-1001', '--sent', '2025-04-01', '--out', out2, '--creditor', 'Example Bank, N.A.', ...collector);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already recorded');
    expect(Buffer.compare(readFileSync(out2), pdf)).toBe(0);

    // a consumer address the letter fonts cannot print is a clear input error
    const cn = run('notice', 'validation', '--account', 'L-1004', '--sent', '2025-04-01', '--out', join(dir, 'cn.pdf'), ...collector);
    expect(cn.status).toBe(1);
    expect(cn.stderr).toContain('consumer.address[0]: contains');
    expect(existsSync(join(dir, 'cn.pdf'))).toBe(false);

    // L-1002: first call 03-20, notice due by 03-25, none sent → 7 days late on 04-01; L-1001 has its notice
    const due = run('notice', 'due', '--as-of', '2025-04-01');
    expect(due.status).toBe(0);
    expect(due.stdout).toMatch(/L-1002\s+2025-03-20\s+attempt\s+2025-03-25\s+7/);
    expect(due.stdout).not.toContain('L-1001');
    expect(due.stdout).toContain('1 debt(s) without a validation notice');

    const audit = run('audit', 'verify');
    expect(audit.status).toBe(0);
    expect(audit.stdout).toContain('audit log intact');
  });
});
