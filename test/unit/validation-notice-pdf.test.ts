import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validationNotice, type ValidationNoticeInput } from '../../src/compliance/index.js';
import { longDate, money, renderValidationNoticePdf, type ValidationNoticeLetter } from '../../src/channels/letters/validation-notice-pdf.js';
import { catchValidation } from '../support/errors.js';
import { NOTICE_INPUT } from '../support/notice-input.js';
import { pdfText } from '../support/pdf-text.js';

const input: ValidationNoticeInput = { ...NOTICE_INPUT, itemizationReference: 'last-payment' };

const collector = { name: 'Acme Recovery Services, LLC', address: ['PO Box 1234', 'Springfield, IL 62701'], phone: '(800) 555-0100' };
const letter = (over: Partial<ValidationNoticeInput> = {}, extra: Partial<ValidationNoticeLetter> = {}): ValidationNoticeLetter => ({
  notice: validationNotice({ ...input, ...over }), collector, ...extra,
});
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('validation notice PDF', () => {
  it('is a one-page PDF with the itemisation, the current amount and the dispute deadline as text', async () => {
    const pdf = await renderValidationNoticePdf(letter());
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { pages } = await pdfText(pdf);
    expect(pages).toHaveLength(1);
    const text = pages[0] ?? '';
    for (const s of [
      'Acme Recovery Services, LLC is a debt collector.',
      'you owe to Example Bank, N.A. We will use',
      'Jane Doe', '1 Main St', 'Springfield, IL 62701', 'PO Box 1234', '(800) 555-0100',
      'account number ****5678',
      'As of June 30, 2026, you owed: $2,234.56',
      'Between June 30, 2026 and today:',
      'in interest: + $75.00',
      'in fees: + $25.00',
      'toward the debt: – $60.00', // payments 50.00 and credits 10.00 on the model form's one line
      'Total amount of the debt now: $2,274.56',
      'Call or write to us by December 30, 2026, to dispute all or part of the debt.',
      'If you write to us by December 30, 2026, we must stop collection',
      'www.cfpb.gov/debt-collection',
      'How do you want to respond?', 'This is not my debt.', 'The amount is wrong.',
      'I want you to send me the name and address of the original creditor.',
      'Mail this form to:', 'I enclosed this amount:', 'Reference: ****5678',
    ]) expect(text).toContain(s);
    expect(text).not.toContain('español');
    expect(text).not.toContain('4111');
  });

  it('prints the optional Spanish-language offer and checkbox when asked', async () => {
    const text = (await pdfText(await renderValidationNoticePdf(letter({}, { spanish: true })))).pages.join(' ');
    expect(text).toContain('Póngase en contacto con nosotros para solicitar una copia de este formulario en español.');
    expect(text).toContain('Quiero este formulario en español.');
  });

  it('is byte-identical for the same input, with fixed dates and producer', async () => {
    const a = await renderValidationNoticePdf(letter());
    const b = await renderValidationNoticePdf(letter());
    expect(sha(a)).toBe(sha(b));
    expect(Buffer.compare(a, b)).toBe(0);
    const { info } = await pdfText(a);
    expect(info).toMatchObject({ Producer: 'Arrears', Creator: 'Arrears', CreationDate: expect.stringMatching(/^D:20261120000000/), ModDate: expect.stringMatching(/^D:20261120000000/) });
    // a different sending date (and so deadline) is a different file
    expect(sha(await renderValidationNoticePdf(letter({ sentOn: '2026-11-23' })))).not.toBe(sha(a));
  });

  it('formats money with the currency\'s minor digits', async () => {
    expect(money(223_456, 'USD')).toBe('$2,234.56');
    expect(money(1_234_567, 'JPY')).toBe('JPY 1,234,567');
    expect(money(1_234_567, 'KWD')).toBe('KWD 1,234.567');
    expect(longDate('2027-01-01')).toBe('January 1, 2027');
    const text = (await pdfText(await renderValidationNoticePdf(letter({ currency: 'JPY', amountAtItemization: 1_234_567, interestSince: 0, feesSince: 0, paymentsSince: 0, creditsSince: 0 })))).pages[0];
    expect(text).toContain('you owed: JPY 1,234,567');
    expect(text).toContain('Total amount of the debt now: JPY 1,234,567');
  });

  it('refuses text the standard fonts cannot print, naming the field', async () => {
    const e = await catchValidation(() => renderValidationNoticePdf(letter({ consumer: { name: '陈杰', address: ['1 Main St'] } })));
    expect(e.field).toBe('consumer.name');
    expect((await catchValidation(() => renderValidationNoticePdf(letter({}, { collector: { name: 'Acme', address: [] } })))).field).toBe('collector.address');
  });

  it('refuses address blocks too long for one page', async () => {
    const many = Array.from({ length: 14 }, (_, i) => `Line ${i + 1}`);
    const e = await catchValidation(() => renderValidationNoticePdf(letter({ consumer: { name: 'Jane Doe', address: many } })));
    expect(e.field).toBe('letter');
  });
});
