/**
 * Collection letters without a database: the shipped templates, the letter assembled from facts in
 * en and zh-CN, the PDF read back (name, address, amount, due date), deterministic bytes, page
 * counts in a batch, the CJK font setting, and the manifest.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addressLines, assembleLetter, loadLetterTemplates, manifestCsv, parseLetterTemplate, pickLanguage, postalAddress, type LetterFacts,
} from '../../src/channels/letters/batch.js';
import { CJK_FONT_SETTING, renderLetterBatchPdf, renderLetterPdf } from '../../src/channels/letters/letter-pdf.js';
import { catchValidation } from '../support/errors.js';
import { pdfText } from '../support/pdf-text.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const templates = loadLetterTemplates();
const head = { name: 'Example Bank, N.A.', address: ['1 Bank Plaza', 'Springfield, IL 62701'], phone: '(800) 555-0100' };
const facts = (over: Partial<LetterFacts> = {}): LetterFacts => ({
  date: '2026-03-16', accountId: 'L-1001', currency: 'USD', total: 124_240, overdue: 1_754_321, dpd: 45, dueDate: '2026-03-02',
  recipientName: 'Ann Lee', address: ['12 Main St', 'Springfield, IL 62701'], language: 'en', head, ...over,
});
const preLegal = templates.get('pre_legal_notice');

/** A CJK font on this machine: ARREARS_LETTER_CJK_FONT, else Debian's fonts-wqy-microhei; the zh-CN rendering tests need one. */
const WQY = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const cjkFont = process.env[CJK_FONT_SETTING] ?? (existsSync(WQY) ? `${WQY}#WenQuanYiMicroHei` : null);

describe('letter templates', () => {
  it('ships the templates the default strategy uses, with en and zh-CN texts', () => {
    expect(preLegal).toBeDefined();
    expect(preLegal?.purpose).toBe('legal_action');
    expect(Object.keys(preLegal?.texts ?? {}).sort()).toEqual(['en', 'zh-CN']);
    expect(templates.get('overdue_letter')?.purpose).toBe('collect');
  });

  it('refuses a template without English or with broken ICU syntax, naming the field', () => {
    expect(catchValidation(() => parseLetterTemplate({ id: 'x', 'zh-CN': { subject: 'a', body: 'b' } }, 'x.yaml')).field).toBe('x.yaml: en');
    expect(catchValidation(() => parseLetterTemplate({ id: 'x', en: { subject: 'a', body: 'Hi {name' } }, 'x.yaml')).field).toBe('x.yaml: en.body');
    expect(catchValidation(() => parseLetterTemplate({ id: 'x', purpose: 'threaten', en: { subject: 'a', body: 'b' } }, 'x.yaml')).field).toBe('x.yaml: purpose');
  });

  it('picks the recipient\'s first language the template has, else en; the mailing address before the residential one', () => {
    if (!preLegal) throw new Error('no template');
    expect(pickLanguage(preLegal, ['fr', 'zh-CN'])).toBe('zh-CN');
    expect(pickLanguage(preLegal, ['zh'])).toBe('zh-CN');
    expect(pickLanguage(preLegal, ['fr'])).toBe('en');
    expect(pickLanguage(preLegal, [])).toBe('en');
    expect(postalAddress([{ kind: 'residential', line: '1 Home Rd' }, { kind: 'mailing', line: 'PO Box 9, Town' }])?.line).toBe('PO Box 9, Town');
    expect(postalAddress([{ kind: 'work', line: '5 Office St' }, { kind: 'residential', line: '1 Home Rd' }])?.line).toBe('1 Home Rd');
    expect(postalAddress([{ kind: 'work', line: '5 Office St' }])).toBeNull();
    expect(addressLines({ kind: 'mailing', line: 'PO Box 9, Springfield, IL 62701' })).toEqual(['PO Box 9', 'Springfield, IL 62701']);
  });
});

describe('letter PDF', () => {
  it('prints the letterhead, date, recipient and address, reference, amounts exact from minor units and the due date (en)', async () => {
    if (!preLegal) throw new Error('no template');
    const { content, message } = assembleLetter(preLegal, facts());
    expect(message).toMatchObject({ id: 'pre_legal_notice', audience: 'borrower', language: 'en' });
    const r = await renderLetterPdf(content, { date: '2026-03-16' });
    expect(r.pages).toBe(1);
    const { pages, info } = await pdfText(r.bytes);
    expect(pages).toHaveLength(1);
    const text = pages[0] ?? '';
    for (const s of [
      'Example Bank, N.A.', '1 Bank Plaza', 'March 16, 2026', 'Reference: L-1001',
      'Ann Lee', '12 Main St', 'Springfield, IL 62701',
      'Notice before legal review: account L-1001', 'Dear Ann Lee,',
      'is 45 days past due', 'The overdue amount is $17,543.21, unpaid since March 2, 2026', 'total balance of the account is $1,242.40',
      'by March 30, 2026', 'contact us at (800) 555-0100', 'Page 1 of 1',
    ]) expect(text).toContain(s);
    expect(String(info.CreationDate)).toContain('20260316');
  });

  it('gives the same bytes for the same letter and date, and other bytes for another date', async () => {
    if (!preLegal) throw new Error('no template');
    const { content } = assembleLetter(preLegal, facts());
    const a = await renderLetterPdf(content, { date: '2026-03-16' });
    const b = await renderLetterPdf(content, { date: '2026-03-16' });
    expect(sha(a.bytes)).toBe(sha(b.bytes));
    const c = await renderLetterPdf(content, { date: '2026-03-17' });
    expect(sha(c.bytes)).not.toBe(sha(a.bytes));
  });

  it('starts every letter of a batch on a new page and counts each letter\'s pages', async () => {
    if (!preLegal) throw new Error('no template');
    const short = assembleLetter(preLegal, facts()).content;
    const long = { ...short, recipient: { name: 'Bo Chen', address: ['9 Elm St', 'Springfield, IL 62701'] }, body: `${short.body}\n\n${'A long paragraph of text. '.repeat(150)}` };
    const alone = await renderLetterPdf(long, { date: '2026-03-16' });
    expect(alone.pages).toBe(2);
    const batch = await renderLetterBatchPdf([short, long, short], { date: '2026-03-16' });
    expect(batch.pages).toEqual([1, 2, 1]);
    const { pages } = await pdfText(batch.bytes);
    expect(pages).toHaveLength(4);
    expect(pages[0]).toContain('Ann Lee');
    expect(pages[1]).toContain('Bo Chen');
    expect(pages[1]).toContain('Page 1 of 2');
    expect(pages[2]).toContain('Page 2 of 2');
    expect(pages[2]).not.toContain('Ann Lee');
    expect(pages[3]).toContain('Ann Lee');
    const again = await renderLetterBatchPdf([short, long, short], { date: '2026-03-16' });
    expect(sha(again.bytes)).toBe(sha(batch.bytes));
  });

  it('refuses a zh-CN letter without a CJK font, naming the setting', async () => {
    if (!preLegal) throw new Error('no template');
    const { content } = assembleLetter(preLegal, facts({ language: 'zh-CN', recipientName: '李明', address: ['北京市朝阳区建国路 1 号'], currency: 'CNY' }));
    expect(content.language).toBe('zh-CN');
    const e = await renderLetterPdf(content, { date: '2026-03-16' }).then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ field: CJK_FONT_SETTING });
    expect(String(e)).toContain('standard PDF fonts cannot print');
    // a collection without a face named is refused too, as is a missing file
    await expect(renderLetterPdf(content, { date: '2026-03-16', cjkFont: '/nonexistent/font.ttf' })).rejects.toThrow('does not exist');
    // an English letter to a recipient whose name is in Chinese script needs the font as well
    const en = assembleLetter(preLegal, facts({ recipientName: '李明' })).content;
    await expect(renderLetterPdf(en, { date: '2026-03-16' })).rejects.toThrow(CJK_FONT_SETTING);
  });

  it.skipIf(cjkFont === null)('prints a zh-CN letter with the configured font, amounts and dates in Chinese formats, deterministically', async () => {
    if (!preLegal || cjkFont === null) throw new Error('no template or font');
    const { content } = assembleLetter(preLegal, facts({ language: 'zh-CN', recipientName: '李明', address: ['北京市朝阳区', '建国路 1 号'], currency: 'CNY', total: 300_000, overdue: 50_000 }));
    const a = await renderLetterPdf(content, { date: '2026-03-16', cjkFont });
    const b = await renderLetterPdf(content, { date: '2026-03-16', cjkFont });
    expect(sha(a.bytes)).toBe(sha(b.bytes));
    const text = ((await pdfText(a.bytes)).pages[0] ?? '').replace(/\s+/g, '');
    for (const s of ['李明', '北京市朝阳区', '参考编号：L-1001', '2026年3月16日', '¥500.00', '¥3,000.00', '2026年3月2日', '第1页，共1页']) expect(text).toContain(s);
  });
});

describe('manifest', () => {
  it('is CSV with one address column per line and quoted cells where needed', () => {
    const csv = manifestCsv([
      { seq: 1, firstPage: 1, taskId: 7, account: 'L-1', party: 'B-1', partyKind: 'borrower', recipient: 'Lee, Ann', address: ['12 Main St', 'Springfield, IL 62701'], template: 't', language: 'en', pages: 1, sha256: 'ab' },
      { seq: 2, firstPage: 2, taskId: 8, account: 'L-2', party: 'B-2', partyKind: 'borrower', recipient: 'Bo "B" Chen', address: ['1 Rd'], template: 't', language: 'en', pages: 2, sha256: 'cd' },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'seq,task,account,party,party_kind,recipient,address_1,address_2,template,language,pages,first_page,sha256',
      '1,7,L-1,B-1,borrower,"Lee, Ann",12 Main St,"Springfield, IL 62701",t,en,1,1,ab',
      '2,8,L-2,B-2,borrower,"Bo ""B"" Chen",1 Rd,,t,en,2,2,cd',
      '',
    ]);
  });
});
