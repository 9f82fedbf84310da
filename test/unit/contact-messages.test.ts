import { describe, expect, it } from 'vitest';
import { formatBusinessDate, formatMoney, renderMessage } from '../../src/contact/index.js';
import { catchValidation } from '../support/errors.js';

const reminderEn = { id: 'reminder', language: 'en', body: 'Hi {name}, {amount} is due on {due}.{missed, plural, =0 {} one { We missed you once.} other { We missed you # times.}}' };
const reminderZh = { id: 'reminder', language: 'zh-CN', body: '{name}，您好！您本期应还{amount}，请于{due}前还款。{missed, plural, =0 {} other {已有#次未接通。}}' };

describe('message templates (ICU MessageFormat)', () => {
  it('renders amounts exactly from minor units and dates by language', () => {
    const values = { name: 'Ann', amount: { money: 17770, currency: 'USD' }, due: { date: '2026-03-16' }, missed: 2 };
    expect(renderMessage(reminderEn, values)).toBe('Hi Ann, $177.70 is due on March 16, 2026. We missed you 2 times.');
    expect(renderMessage(reminderEn, { ...values, missed: 1 })).toBe('Hi Ann, $177.70 is due on March 16, 2026. We missed you once.');
    expect(renderMessage(reminderZh, { name: '李明', amount: { money: 300000, currency: 'CNY' }, due: { date: '2026-03-16' }, missed: 0 }))
      .toBe('李明，您好！您本期应还¥3,000.00，请于2026年3月16日前还款。');
  });

  it('formats money without going through a float, in every currency\'s digits', () => {
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(123456, 'JPY', 'en')).toBe('¥123,456');
    expect(formatMoney(5, 'GBP', 'en')).toBe('£0.05');
    expect(formatMoney(-2550, 'USD', 'en')).toBe('-$25.50');
    expect(formatBusinessDate('2026-12-31', 'en')).toBe('December 31, 2026');
  });

  it('names the template and the problem: bad syntax, a missing value', () => {
    const bad = catchValidation(() => renderMessage({ id: 'broken', language: 'en', body: 'Hi {name' }, { name: 'Ann' }));
    expect(bad.field).toBe('body');
    expect(bad.message).toContain('template broken');
    expect(bad.rule).toMatch(/is not valid ICU MessageFormat/);
    const missing = catchValidation(() => renderMessage(reminderEn, { name: 'Ann' }));
    expect(missing.rule).toMatch(/cannot render template reminder: .*amount/);
  });
});
