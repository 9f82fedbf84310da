import { describe, expect, it } from 'vitest';
import { NO_HOLIDAYS } from '../../src/compliance/calendar.js';
import { maskAccountNumber, validationNotice, type ValidationNoticeInput } from '../../src/compliance/validation-notice.js';
import { catchValidation } from '../support/errors.js';
import { NOTICE_INPUT } from '../support/notice-input.js';

const base: ValidationNoticeInput = NOTICE_INPUT;

describe('validation notice dates', () => {
  it('assumes receipt five business days after sending, skipping Thanksgiving', () => {
    // Fri 20 sent; Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 Thanksgiving, Fri 27 (4), Mon 30 (5).
    const n = validationNotice(base);
    expect(n.sentOn).toBe('2026-11-20');
    expect(n.assumedReceipt).toBe('2026-11-30');
    expect(n.validationPeriodEnds).toBe('2026-12-30');
  });

  it('skips an observed holiday (July 4, 2026 is a Saturday, observed Friday July 3)', () => {
    // Mon 29 Jun sent; Tue 30 (1), Wed 1 (2), Thu 2 (3), Fri 3 observed, Mon 6 (4), Tue 7 (5).
    const n = validationNotice({ ...base, sentOn: '2026-06-29', itemizationDate: '2026-05-31' });
    expect(n.assumedReceipt).toBe('2026-07-07');
    expect(n.validationPeriodEnds).toBe('2026-08-06');
  });

  it('ends the period on a calendar date even when it is a weekend or holiday', () => {
    // Sent Mon 2026-11-23 → receipt Tue 12-01 → period ends Thu 12-31; sent Tue 11-24 → receipt
    // Wed 12-02 → ends Fri 2027-01-01, New Year's Day, and is not moved.
    expect(validationNotice({ ...base, sentOn: '2026-11-24' }).validationPeriodEnds).toBe('2027-01-01');
  });

  it('counts five business days from a weekend sending day', () => {
    const n = validationNotice({ ...base, sentOn: '2026-11-21' }); // Saturday
    expect(n.assumedReceipt).toBe('2026-11-30');
  });

  it('takes another holiday calendar when given one', () => {
    const n = validationNotice({ ...base, holidays: NO_HOLIDAYS });
    expect(n.assumedReceipt).toBe('2026-11-27');
    expect(n.validationPeriodEnds).toBe('2026-12-27');
  });
});

describe('validation notice amounts', () => {
  it('itemises and adds up: 2234.56 + 75.00 + 25.00 − 50.00 − 10.00 = 2274.56', () => {
    const n = validationNotice(base);
    expect(n.currentAmount).toBe(227_456);
    expect(n.currentAmountFormatted).toBe('2274.56');
    expect(n.itemization.map((l) => [l.key, l.amount, l.formatted])).toEqual([
      ['amountAtItemization', 223_456, '2234.56'],
      ['interest', 7_500, '75.00'],
      ['fees', 2_500, '25.00'],
      ['payments', -5_000, '-50.00'],
      ['credits', -1_000, '-10.00'],
    ]);
    expect(n.itemization.reduce((s, l) => s + l.amount, 0)).toBe(n.currentAmount);
    expect(n.itemizationDate).toBe('2026-06-30');
    expect(n.itemizationReference).toBe('last-statement');
  });

  it('accepts a matching current amount and refuses one that is off by a cent', () => {
    expect(validationNotice({ ...base, currentAmount: 227_456 }).currentAmount).toBe(227_456);
    const e = catchValidation(() => validationNotice({ ...base, currentAmount: 227_455 }));
    expect(e.field).toBe('currentAmount');
    expect(e.rule).toContain('2274.56');
  });

  it('refuses a negative total and bad amounts, naming the field', () => {
    expect(catchValidation(() => validationNotice({ ...base, paymentsSince: 300_000 })).field).toBe('currentAmount');
    expect(catchValidation(() => validationNotice({ ...base, interestSince: -1 })).field).toBe('interestSince');
    expect(catchValidation(() => validationNotice({ ...base, feesSince: 1.5 })).field).toBe('feesSince');
    expect(catchValidation(() => validationNotice({ ...base, creditsSince: Number.NaN })).field).toBe('creditsSince');
  });

  it('uses the currency’s minor units', () => {
    const n = validationNotice({ ...base, currency: 'JPY', amountAtItemization: 50_000, interestSince: 0, feesSince: 0, paymentsSince: 0, creditsSince: 0 });
    expect(n.currentAmountFormatted).toBe('50000');
    expect(n.itemization[3]?.amount).toBe(0);
    expect(Object.is(n.itemization[3]?.amount, -0)).toBe(false);
  });
});

describe('validation notice fields', () => {
  it('masks all but the last four characters of the account number', () => {
    expect(validationNotice(base).accountNumberMasked).toBe('************5678');
    expect(maskAccountNumber('AB-12345')).toBe('****2345');
    expect(maskAccountNumber('1234')).toBe('****');
    expect(maskAccountNumber('12')).toBe('**');
  });

  it('carries the consumer, creditor and dispute prompts', () => {
    const n = validationNotice(base);
    expect(n.consumer).toEqual({ name: 'Jane Doe', address: ['1 Main St', 'Springfield, IL 62701'] });
    expect(n.creditor).toBe('Example Bank, N.A.');
    expect(n.disputePrompts).toContain('This is not my debt.');
    expect(n.disputePrompts).toContain('The amount is wrong.');
    expect(n.disputePrompts[0]).toBe('How do you want to respond?');
  });

  it('names the field of every invalid input', () => {
    const cases: [Partial<ValidationNoticeInput>, string][] = [
      [{ sentOn: '2026-11-31' }, 'sentOn'],
      [{ itemizationDate: 'yesterday' }, 'itemizationDate'],
      [{ itemizationDate: '2026-11-21' }, 'itemizationDate'],
      [{ currency: 'XXX' }, 'currency'],
      [{ creditor: ' ' }, 'creditor'],
      [{ accountNumber: '' }, 'accountNumber'],
      [{ consumer: { name: '', address: ['x'] } }, 'consumer.name'],
      [{ consumer: { name: 'Jane', address: [] } }, 'consumer.address'],
      [{ consumer: { name: 'Jane', address: ['1 Main St', ''] } }, 'consumer.address[1]'],
      [{ itemizationReference: 'whenever' as never }, 'itemizationReference'],
    ];
    for (const [patch, field] of cases) {
      expect(catchValidation(() => validationNotice({ ...base, ...patch })).field, field).toBe(field);
    }
  });
});
