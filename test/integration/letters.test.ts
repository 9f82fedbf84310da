/**
 * The daily letter batch on both databases: letter tasks through the gate (a cease blocks one, a
 * borrower without a postal address is not printed), the batch PDF and manifest, the contact result
 * recorded, an idempotent re-run (no new gate decision, the same bytes), a supplementary batch for
 * a task added later, and the audit entries.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProduct } from '../../src/ledger/index.js';
import { insertLoans } from '../../src/store/repo.js';
import { runCycle } from '../../src/cycle/index.js';
import { recordAct } from '../../src/store/acts.js';
import { verifyAudit } from '../../src/store/audit.js';
import { getLetter, LETTER_DECISION_MINUTE, listBatches, listLetters, runLetterBatch, type LetterBatchOptions } from '../../src/store/letters.js';
import { decideAndRecord } from '../../src/store/gate.js';
import { attemptRequest, instantAt } from '../../src/compliance/index.js';
import { loadLetterTemplates } from '../../src/channels/letters/batch.js';
import { renderLetterPdf } from '../../src/channels/letters/letter-pdf.js';
import { findPackFile, loadPackFile } from '../../src/cli/packs.js';
import type { Store } from '../../src/store/db.js';
import { BACKENDS } from '../support/stores.js';
import { pdfText } from '../support/pdf-text.js';

const bullet = parseProduct('B2', {
  method: 'bullet', annualRate: 0.12, termMonths: 2, dayCount: '30/360', graceDays: 0,
  penalty: { dailyRate: 0.0005, base: 'overdue-principal' }, liquidatedDamages: { fixed: 2500 },
});

function loan(id: string, name: string, addresses: { kind: 'residential' | 'mailing'; line: string }[]) {
  return {
    account: { id, borrowerId: `B-${id}`, productId: 'B2', currency: 'USD', principal: 120_000, disbursed: '2026-01-01' },
    product: bullet,
    borrower: { id: `B-${id}`, name, timezone: 'America/New_York', phones: ['+12125550100'], emails: [], addresses },
  };
}

const DATE = '2026-03-16';
const WQY = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const cjkFont = process.env.ARREARS_LETTER_CJK_FONT || (existsSync(WQY) ? `${WQY}#WenQuanYiMicroHei` : null);
const usRegf = loadPackFile(findPackFile('us-regf'));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function letterTask(s: Store, accountId: string): Promise<number> {
  const r = await s.db.insertInto('tasks').values({
    account_id: accountId, business_date: DATE, type: 'letter', party: 'borrower', channel: 'letter', template: 'pre_legal_notice',
    priority: 5, window: null, stage: 'legal', seq: 1, address: null, status: 'planned',
  }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

const count = async (s: Store, table: 'gate_decisions' | 'attempts'): Promise<number> =>
  Number((await s.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe.each(BACKENDS)('letter batch on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  const options = (over: Partial<LetterBatchOptions> = {}): LetterBatchOptions => ({
    date: DATE,
    head: { name: 'Example Bank, N.A.', address: ['1 Bank Plaza', 'Springfield, IL 62701'], phone: '(800) 555-0100' },
    templates: loadLetterTemplates(),
    packsFor: () => Promise.resolve({ packs: [usRegf], holidays: [] }),
    now: '2026-03-16T20:00:00Z',
    ...over,
  });

  it('prints the allowed letters into one PDF, lists the blocked ones, records the results, and re-runs without asking the gate', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [
      loan('L-1', 'Ann Lee', [{ kind: 'residential', line: '1 Home Rd, Town, IL 60000' }, { kind: 'mailing', line: 'PO Box 12, Springfield, IL 62701' }]),
      loan('L-2', 'Bo Chen', [{ kind: 'residential', line: '2 Oak St, Springfield, IL 62701' }]),
      loan('L-3', 'Cy Diaz', []),
      loan('L-4', 'Di Evans', [{ kind: 'residential', line: '4 Elm St, Springfield, IL 62701' }]),
    ]);
    await runCycle(s, '2026-03-15');
    // Bo Chen asked in writing to stop contact: only a cease confirmation may go to him
    await recordAct(s, { kind: 'cease', debtId: 'L-2', partyId: 'B-L-2', at: '2026-03-10T15:00:00Z', source: 'letter' });
    const t1 = await letterTask(s, 'L-1');
    const t2 = await letterTask(s, 'L-2');
    const t3 = await letterTask(s, 'L-3');
    const progress: number[] = [];

    const first = await runLetterBatch(s, options({ onProgress: (d) => progress.push(d) }));
    expect(first).toMatchObject({ date: DATE, handled: 3, stored: 1 });
    expect(progress).toEqual([1, 2, 3]);
    expect(first.batches).toHaveLength(1);
    const b1 = first.batches[0];
    if (!b1?.pdf) throw new Error('no batch PDF');
    expect(b1.manifest).toMatchObject({ date: DATE, batch: 1, file: `letters-${DATE}.pdf`, pages: 1, sha256: sha(b1.pdf) });
    expect(b1.manifest.letters).toEqual([expect.objectContaining({
      seq: 1, firstPage: 1, taskId: t1, account: 'L-1', party: 'B-L-1', recipient: 'Ann Lee', address: ['PO Box 12', 'Springfield, IL 62701'],
      template: 'pre_legal_notice', language: 'en', pages: 1,
    })]);
    expect(b1.manifest.notPrinted).toEqual([
      expect.objectContaining({ taskId: t2, account: 'L-2', status: 'blocked', rule: 'us-regf/cease' }),
      expect.objectContaining({ taskId: t3, account: 'L-3', status: 'unaddressable', rule: null, reason: expect.stringContaining('no mailing or residential address') as unknown }),
    ]);
    expect(b1.manifest.notPrinted[0]?.reason).toContain('stop contact');

    // the PDF holds Ann Lee's letter only, at her mailing address, with her amounts
    const { pages } = await pdfText(b1.pdf);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('Ann Lee');
    expect(pages[0]).toContain('PO Box 12');
    expect(pages[0]).toContain('Reference: L-1');
    expect(pages[0]).not.toContain('Bo Chen');
    const state = await s.db.selectFrom('account_state').select(['total', 'overdue']).where('account_id', '=', 'L-1').executeTakeFirstOrThrow();
    expect(pages[0]).toContain(`$${(Number(state.overdue) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);

    // the letter's own PDF hash is what was recorded
    const rows = await listLetters(s.db, { date: DATE });
    expect(rows.map((r) => [r.accountId, r.status])).toEqual([['L-1', 'printed'], ['L-2', 'blocked'], ['L-3', 'unaddressable']]);
    const one = await getLetter(s.db, rows[0]?.id ?? 0);
    if (!one?.content) throw new Error('no content');
    expect(sha((await renderLetterPdf(one.content, { date: DATE })).bytes)).toBe(one.letter.sha256);

    // two gate decisions (the unaddressable letter never reached the gate); the allowed one is `sent`, with its attempt
    const decisions = await s.db.selectFrom('gate_decisions').select(['id', 'debt_id', 'channel', 'purpose', 'allowed', 'outcome', 'contact_point']).orderBy('id').execute();
    expect(decisions.map((d) => [d.debt_id, d.channel, d.purpose, d.allowed, d.outcome])).toEqual([
      ['L-1', 'letter', 'legal_action', 1, 'sent'], ['L-2', 'letter', 'legal_action', 0, null],
    ]);
    expect(decisions[0]?.contact_point).toBe('PO Box 12, Springfield, IL 62701');
    const attempts = await s.db.selectFrom('attempts').select(['account_id', 'business_date', 'channel', 'outcome', 'decision_id']).execute();
    expect(attempts.map((a) => ({ ...a, decision_id: Number(a.decision_id) }))).toEqual([
      { account_id: 'L-1', business_date: DATE, channel: 'letter', outcome: 'sent', decision_id: Number(decisions[0]?.id) },
    ]);

    const statuses = await s.db.selectFrom('tasks').select(['id', 'status']).orderBy('id').execute();
    expect(statuses.map((x) => [Number(x.id), x.status])).toEqual([[t1, 'done'], [t2, 'planned'], [t3, 'planned']]);

    // again: nothing asked, nothing recorded, the same bytes
    const again = await runLetterBatch(s, options({ now: '2026-03-17T08:00:00Z' }));
    expect(again).toMatchObject({ handled: 0, stored: null });
    expect(again.batches[0]?.pdf?.equals(b1.pdf)).toBe(true);
    expect(again.batches[0]?.manifest).toEqual(b1.manifest);
    expect(await count(s, 'gate_decisions')).toBe(2);
    expect(await count(s, 'attempts')).toBe(1);

    // a task added later the same day goes into a supplementary batch; the first stays as it was
    const t4 = await letterTask(s, 'L-4');
    const later = await runLetterBatch(s, options());
    expect(later).toMatchObject({ handled: 1, stored: 2 });
    expect(later.batches.map((b) => b.manifest.batch)).toEqual([1, 2]);
    expect(later.batches[0]?.pdf?.equals(b1.pdf)).toBe(true);
    expect(later.batches[1]?.manifest).toMatchObject({ file: `letters-${DATE}-2.pdf`, letters: [expect.objectContaining({ seq: 1, taskId: t4, account: 'L-4' })], notPrinted: [] });
    expect(await count(s, 'gate_decisions')).toBe(3);
    expect((await listBatches(s.db, DATE)).map((b) => [b.batch, b.letters, b.notPrinted, b.pages])).toEqual([[1, 1, 2, 1], [2, 1, 0, 1]]);

    // one audit entry per batch, the chain intact
    const audit = await s.db.selectFrom('audit_log').select(['kind', 'entity', 'data']).where('kind', '=', 'letters.batch').orderBy('seq').execute();
    expect(audit.map((a) => a.entity)).toEqual([`letters:${DATE}`, `letters:${DATE}`]);
    expect(JSON.parse(audit[0]?.data ?? '{}')).toMatchObject({ batch: 1, sha256: sha(b1.pdf), letters: 1, notPrinted: [{ account: 'L-2', status: 'blocked', rule: 'us-regf/cease' }, { account: 'L-3', status: 'unaddressable' }] });
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });

  it('refuses the whole batch before asking the gate when a template is unknown', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1', 'Ann Lee', [{ kind: 'residential', line: '1 Home Rd, Town, IL 60000' }])]);
    await runCycle(s, '2026-03-15');
    await letterTask(s, 'L-1');
    await s.db.insertInto('tasks').values({
      account_id: 'L-1', business_date: DATE, type: 'letter', party: 'borrower', channel: 'letter', template: 'no_such_letter',
      priority: 5, window: null, stage: 'legal', seq: 2, address: null, status: 'planned',
    }).execute();
    await expect(runLetterBatch(s, options())).rejects.toThrow('uses template "no_such_letter"');
    expect(await count(s, 'gate_decisions')).toBe(0);
    expect(await listLetters(s.db, { date: DATE })).toEqual([]);
  });
  it('writes to the borrower in their first language the template has, else English', async () => {
    store = await backend.open();
    const s = store;
    const home = [{ kind: 'residential' as const, line: '1 Home Rd, Town, IL 60000' }];
    await insertLoans(s.db, [
      { ...loan('L-1', 'Wang Fang', home), borrower: { ...loan('L-1', 'Wang Fang', home).borrower, languages: ['es', 'zh-CN', 'en'] } },
      { ...loan('L-2', 'Ana Lima', home), borrower: { ...loan('L-2', 'Ana Lima', home).borrower, languages: ['es'] } },
    ]);
    await runCycle(s, '2026-03-15');
    await letterTask(s, 'L-1');
    await letterTask(s, 'L-2');
    // Wang Fang's letter is in zh-CN (es is not a template language): without a CJK font it cannot be printed, before any gate decision
    await expect(runLetterBatch(s, options({ cjkFont: null }))).rejects.toThrow('ARREARS_LETTER_CJK_FONT');
    expect(await count(s, 'gate_decisions')).toBe(0);
    if (cjkFont === null) return; // no CJK font on this machine (Debian: fonts-wqy-microhei)
    const r = await runLetterBatch(s, options({ cjkFont }));
    expect(r.batches[0]?.manifest.letters.map((l) => [l.account, l.language])).toEqual([['L-1', 'zh-CN'], ['L-2', 'en']]);
    const { pages } = await pdfText(r.batches[0]?.pdf ?? new Uint8Array());
    expect(pages[0]?.replace(/\s+/g, '')).toContain('尊敬的WangFang');
    expect(pages[1]).toContain('Dear Ana Lima');
  });

    it('uses the decision of a run that crashed before recording its letter instead of asking the gate again', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1', 'Ann Lee', [{ kind: 'residential', line: '1 Home Rd, Town, IL 60000' }])]);
    await runCycle(s, '2026-03-15');
    const task = await letterTask(s, 'L-1');
    // the decision the batch asks for, recorded as if the run had died right after it
    const at = new Date(instantAt(DATE, LETTER_DECISION_MINUTE, 'America/New_York')).toISOString();
    const orphan = await decideAndRecord(s, attemptRequest(
      { id: 'B-L-1', kind: 'borrower', zones: ['America/New_York'], flags: {}, phones: [], emails: [], addresses: [{ kind: 'residential', line: '1 Home Rd, Town, IL 60000' }] },
      { accountId: 'L-1', channel: 'letter', at, to: '1 Home Rd, Town, IL 60000', purpose: 'legal_action' },
    ), { packs: [usRegf], holidays: [], holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false });
    expect(orphan.allowed).toBe(true);
    const r = await runLetterBatch(s, options());
    expect(r.batches[0]?.manifest.letters).toEqual([expect.objectContaining({ taskId: task, account: 'L-1' })]);
    expect(await count(s, 'gate_decisions')).toBe(1);
    expect((await listLetters(s.db, { date: DATE }))[0]?.decisionId).toBe(orphan.id);
    expect(await count(s, 'attempts')).toBe(1);
  });
});
