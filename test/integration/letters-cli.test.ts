/**
 * `arrears letters batch|list|show` on SQLite and PostgreSQL: the date's batch PDF and manifests
 * written to a directory, a blocked letter listed with its rule, the same files again on a re-run
 * without a gate decision, a letter that needs a CJK font refused until one is configured.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.js';
import { recordAct } from '../../src/store/acts.js';
import { cliRunner, cliTargets, withDb } from '../support/cli.js';
import { pdfText } from '../support/pdf-text.js';

const DATE = '2025-06-30';
const WQY = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const cjkFont = process.env.ARREARS_LETTER_CJK_FONT ?? (existsSync(WQY) ? `${WQY}#WenQuanYiMicroHei` : null);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const out = mkdtempSync(join(tmpdir(), 'arrears-letters-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));


async function letterTask(s: Store, accountId: string): Promise<void> {
  await s.db.insertInto('tasks').values({
    account_id: accountId, business_date: DATE, type: 'letter', party: 'borrower', channel: 'letter', template: 'pre_legal_notice',
    priority: 5, window: null, stage: 'legal', seq: 1, address: null, status: 'planned',
  }).execute();
}

describe.each(cliTargets('letterscli'))('arrears letters on $name', (t) => {
  const run = cliRunner(t, {
    ARREARS_LENDER_NAME: 'Example Bank, N.A.', ARREARS_LENDER_ADDRESS: '1 Bank Plaza|Springfield, IL 62701', ARREARS_LENDER_PHONE: '(800) 555-0100',
    ARREARS_LETTER_CJK_FONT: '', LOG_LEVEL: 'warn',
  });
  const dir = join(out, t.name);
  const decisions = (): Promise<number> => withDb(t, async (s) => Number((await s.db.selectFrom('gate_decisions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));

  it('writes the batch PDF and manifests, lists the blocked letter, and re-runs to the same files', async () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    expect(run('gate', 'jurisdiction', 'us-regf').status).toBe(0);
    expect(run('cycle', 'run', '--date', DATE).status).toBe(0);
    await withDb(t, async (s) => {
      await letterTask(s, 'L-1001');
      await letterTask(s, 'L-1002');
      await recordAct(s, { kind: 'cease', debtId: 'L-1002', partyId: 'B-502', at: '2025-06-20T15:00:00Z', source: 'letter' });
    });

    const first = run('letters', 'batch', '--date', DATE, '--out', dir);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^batch 1 of ${DATE}: 1 letter\\(s\\), 1 page\\(s\\), sha256 [0-9a-f]{64} \\(new\\)`));
    expect(first.stdout).toContain('1. L-1001 Ana Lima, 12 Main St, Springfield — pre_legal_notice (en), 1 page(s)');
    expect(first.stdout).toMatch(/not printed: task 2 L-1002 \(borrower B-502\) — blocked by us-regf\/cease: /);
    expect(first.stdout).toContain('2 letter task(s) handled');

    const pdf = readFileSync(join(dir, `letters-${DATE}.pdf`));
    const manifest = JSON.parse(readFileSync(join(dir, `letters-${DATE}.json`), 'utf8')) as { sha256: string; letters: { sha256: string; account: string }[]; notPrinted: { account: string; rule: string }[] };
    expect(manifest.sha256).toBe(sha(pdf));
    expect(manifest.letters.map((l) => l.account)).toEqual(['L-1001']);
    expect(manifest.notPrinted).toEqual([expect.objectContaining({ account: 'L-1002', rule: 'us-regf/cease' })]);
    const csv = readFileSync(join(dir, `letters-${DATE}.csv`), 'utf8').split('\r\n');
    expect(csv[0]).toBe('seq,task,account,party,party_kind,recipient,address_1,address_2,template,language,pages,first_page,sha256');
    expect(csv[1]).toBe(`1,1,L-1001,B-501,borrower,Ana Lima,12 Main St,Springfield,pre_legal_notice,en,1,1,${manifest.letters[0]?.sha256 ?? ''}`);
    const text = (await pdfText(pdf)).pages.join(' ');
    expect(text).toContain('Ana Lima');
    expect(text).toContain('Reference: L-1001');
    expect(text).not.toContain('Ben Okafor');
    expect(await decisions()).toBe(2);

    const files = [`letters-${DATE}.pdf`, `letters-${DATE}.csv`, `letters-${DATE}.json`].map((f) => sha(readFileSync(join(dir, f))));
    rmSync(join(dir, `letters-${DATE}.pdf`));
    const again = run('letters', 'batch', '--date', DATE, '--out', dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing new: no gate decision asked, the files were written again');
    expect([`letters-${DATE}.pdf`, `letters-${DATE}.csv`, `letters-${DATE}.json`].map((f) => sha(readFileSync(join(dir, f))))).toEqual(files);
    expect(await decisions()).toBe(2);

    const list = run('letters', 'list', '--date', DATE);
    expect(list.stdout).toMatch(/1\s+2025-06-30\s+1\s+1\s+L-1001\s+Ana Lima \(borrower\)\s+pre_legal_notice\s+en\s+printed\s+1\s+1/);
    expect(list.stdout).toMatch(/2\s+2025-06-30\s+1\s+L-1002\s+Ben Okafor \(borrower\)\s+pre_legal_notice\s+en\s+blocked\s+2\s+us-regf\/cease/);
    const show = run('letters', 'show', '1', '--out', join(dir, 'one.pdf'));
    expect(show.stdout).toContain('letter 1: printed; 2025-06-30 batch 1 #1; task 1; account L-1001');
    expect(show.stdout).toContain('Dear Ana Lima,');
    expect(show.stdout).toContain('(as printed)');
    expect(run('letters', 'show', '2', '--out', join(dir, 'two.pdf')).stderr).toContain('letter 2 was not printed (blocked)');
  });

  it('refuses a letter the standard fonts cannot print until a CJK font is configured, then prints it in a supplementary batch', async () => {
    // Chen Jie's address is in Chinese script
    await withDb(t, (s) => letterTask(s, 'L-1004'));
    const refused = run('letters', 'batch', '--date', DATE, '--out', dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('ARREARS_LETTER_CJK_FONT');
    expect(await decisions()).toBe(2);
    if (cjkFont === null) return; // no CJK font on this machine (Debian: fonts-wqy-microhei)
    const printed = run('letters', 'batch', '--date', DATE, '--out', dir, '--cjk-font', cjkFont);
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toMatch(/batch 2 of 2025-06-30: 1 letter\(s\), 1 page\(s\), sha256 [0-9a-f]{64} \(new\)/);
    const text = (await pdfText(readFileSync(join(dir, `letters-${DATE}-2.pdf`)))).pages.join(' ').replace(/\s+/g, '');
    expect(text).toContain('上海市浦东新区');
    expect(await decisions()).toBe(3);
    // another process renders the embedded-font batch to the same bytes (the stored SHA-256 is checked)
    const again = run('letters', 'batch', '--date', DATE, '--out', dir, '--cjk-font', cjkFont);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('nothing new');
  });
});
