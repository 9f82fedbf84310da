/**
 * Message templates (src/channels/messages.ts): the shipped files cover every SMS/e-mail template
 * the shipped strategies name, in en and zh-CN, and pass the compliance template checks; parsing
 * names the file and field; language choice, rendering for SMS and e-mail, contact points, purposes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { checkTemplate } from '../../src/compliance/index.js';
import {
  loadMessageTemplates, messageLanguage, messagePurpose, parseMessageTemplate, renderTaskMessage, taskContactPoint, type AccountDay,
} from '../../src/channels/messages.js';

const DAY: AccountDay = { accountId: 'L-7', date: '2026-03-16', currency: 'USD', borrowerName: 'Ann Lee', dpd: 5, overdue: 12_345, total: 100_000 };

/** sms/email templates named in strategies/*.yaml (a task on those channels, or an offer sent on one) */
function strategyTemplates(): string[] {
  const out = new Set<string>();
  for (const f of readdirSync('strategies').filter((x) => x.endsWith('.yaml'))) {
    const doc = parseYaml(readFileSync(`strategies/${f}`, 'utf8')) as { stages: { actions?: { task: string; channel?: string; template?: string }[] }[] };
    for (const s of doc.stages) {
      for (const a of s.actions ?? []) {
        const channel = a.channel ?? a.task;
        if ((channel === 'sms' || channel === 'email') && a.template) out.add(a.template);
      }
    }
  }
  return [...out].sort();
}

describe('shipped message templates', () => {
  const templates = loadMessageTemplates();

  it('cover every sms/email template of the shipped strategies, in en and zh-CN, with subjects for e-mail', () => {
    const named = strategyTemplates();
    expect(named).toEqual(expect.arrayContaining(['overdue', 'overdue_reminder', 'promise_reminder', 'hardship_options']));
    for (const id of named) {
      const t = templates.get(id);
      expect(t, id).toBeDefined();
      expect(Object.keys(t?.texts ?? {}).sort(), id).toEqual(['en', 'zh-CN']);
      for (const x of Object.values(t?.texts ?? {})) expect(x.subject, id).not.toBeNull();
    }
  });

  it('pass the gate\'s template checks (no threats) as written, subject and body', () => {
    for (const t of templates.values()) {
      for (const lang of ['en', 'zh-CN'] as const) {
        const m = renderTaskMessage(t, 'email', lang, DAY);
        expect(checkTemplate(m.gate), `${t.id} ${lang}`).toEqual([]);
        expect(m.gate.audience).toBe('borrower');
      }
    }
  });
});

describe('renderTaskMessage', () => {
  const t = parseMessageTemplate({
    id: 'x', audience: 'borrower',
    en: { subject: 'Account {account}', body: 'Hi {name}, {amount} of {balance} is overdue ({dpd, plural, one {# day} other {# days}}) as of {date}.' },
    'zh-CN': { subject: '账户 {account}', body: '{name}，您好！逾期 {amount}。' },
  }, 'x.yaml');

  it('renders SMS without a subject and e-mail with one; the gate sees the template as written', () => {
    const sms = renderTaskMessage(t, 'sms', 'en', DAY);
    expect(sms).toMatchObject({ language: 'en', subject: null, body: 'Hi Ann Lee, $123.45 of $1,000.00 is overdue (5 days) as of March 16, 2026.' });
    expect(sms.gate).toEqual({ id: 'x', audience: 'borrower', language: 'en', body: t.texts.en?.body });
    const mail = renderTaskMessage(t, 'email', 'zh-CN', DAY);
    expect(mail).toMatchObject({ language: 'zh-CN', subject: '账户 L-7', body: 'Ann Lee，您好！逾期 US$123.45。' });
    expect(mail.gate.body).toBe('账户 {account}\n\n{name}，您好！逾期 {amount}。');
  });

  it('refuses e-mail from an SMS-only template', () => {
    const smsOnly = parseMessageTemplate({ id: 'y', audience: 'third_party', en: { body: 'Please ask {name} to call us.' } }, 'y.yaml');
    expect(renderTaskMessage(smsOnly, 'sms', 'zh-CN', DAY)).toMatchObject({ language: 'en', body: 'Please ask Ann Lee to call us.' });
    expect(() => renderTaskMessage(smsOnly, 'email', 'en', DAY)).toThrow('has no subject');
  });

  it('picks the recipient\'s first language the template has, else en', () => {
    expect(messageLanguage(t, ['fr', 'zh'])).toBe('zh-CN');
    expect(messageLanguage(t, ['zh-Hans-CN'])).toBe('zh-CN');
    expect(messageLanguage(t, ['en-GB', 'zh-CN'])).toBe('en');
    expect(messageLanguage(t, [])).toBe('en');
    expect(messageLanguage({ texts: { en: t.texts.en } }, ['zh-CN'])).toBe('en');
  });
});

describe('parseMessageTemplate', () => {
  const bad: [unknown, string][] = [
    [{ id: 'a', en: { body: 'x' } }, 'a.yaml: audience'],
    [{ id: 'a', audience: 'everyone', en: { body: 'x' } }, 'a.yaml: audience'],
    [{ id: 'a', audience: 'borrower', 'zh-CN': { body: 'x' } }, 'a.yaml: en'],
    [{ id: 'a', audience: 'borrower', en: { body: 'Hi {who}' } }, 'a.yaml: en.body'],
    [{ id: 'a', audience: 'borrower', en: { body: 'Hi {name' } }, 'a.yaml: en.body'],
    [{ id: 'a', audience: 'borrower', en: { body: 'x', subject: 'two\nlines' } }, 'a.yaml: en.subject'],
    [{ id: 'a', audience: 'borrower', en: { body: 'x', subject: 's' }, 'zh-CN': { body: 'y' } }, 'a.yaml: subject'],
    [{ id: 'a', audience: 'borrower', en: { body: 'x' }, purpose: 'collect' }, 'a.yaml: purpose'],
    [{ id: 'A b', audience: 'borrower', en: { body: 'x' } }, 'a.yaml: id'],
  ];
  it.each(bad)('refuses %j naming the field', (raw, field) => {
    expect(() => parseMessageTemplate(raw, 'a.yaml')).toThrow(field);
  });
});

describe('contact point and purpose', () => {
  const who = { id: 'P', phones: ['+12125550100'], emails: [], addresses: [{ kind: 'residential' as const, line: '1 Main St' }] };
  it('takes the first phone for SMS, the first e-mail, the mailing else residential address', () => {
    expect(taskContactPoint(who, 'sms')).toEqual({ to: '+12125550100' });
    expect(taskContactPoint(who, 'email')).toEqual({ reason: 'P has no e-mail address' });
    expect(taskContactPoint(who, 'letter')).toEqual({ to: '1 Main St' });
    expect(taskContactPoint({ ...who, phones: [] }, 'sms')).toEqual({ reason: 'P has no phone number for SMS' });
  });
  it('collects from those who owe the debt and only passes a message through others', () => {
    expect(['borrower', 'co_borrower', 'guarantor'].map((k) => messagePurpose(k as 'borrower'))).toEqual(['collect', 'collect', 'collect']);
    expect(messagePurpose('reference')).toBe('message');
    expect(messagePurpose('employer')).toBe('message');
  });
});
