import { describe, expect, it } from 'vitest';
import {
  checkTemplate, compilePhrase, compileWordList, defaultWordLists, type TemplateIssue, type WordLists,
} from '../../src/compliance/templates.js';
import { catchValidation } from '../support/errors.js';

type Audience = 'borrower' | 'third_party';
function check(body: string, audience: Audience = 'borrower', language = 'en'): TemplateIssue[] {
  return checkTemplate({ id: 't1', audience, language, body });
}
function rules(body: string, audience: Audience = 'borrower', language = 'en'): [string, string][] {
  return check(body, audience, language).map((i) => [i.rule, i.phrase]);
}

describe('template declarations', () => {
  it('refuses an unknown audience or language, naming the field and template', () => {
    const e = catchValidation(() => checkTemplate({ id: 'sms-1', audience: 'neighbour', language: 'en', body: 'Hi' }));
    expect(e.field).toBe('audience');
    expect(e.where).toBe('template sms-1');
    expect(catchValidation(() => checkTemplate({ id: 'sms-1', audience: 'borrower', language: 'fr', body: 'Salut' })).field).toBe('language');
    expect(catchValidation(() => checkTemplate({ id: 'sms-1', audience: 'borrower', language: 'zh-cn', body: '你好' })).field).toBe('language');
    expect(catchValidation(() => checkTemplate({ id: '', audience: 'borrower', language: 'en', body: 'Hi' })).field).toBe('id');
    expect(catchValidation(() => checkTemplate({ id: 'x', audience: 'borrower', language: 'en', body: '  ' })).field).toBe('body');
  });

  it('passes clean templates for both audiences and languages', () => {
    expect(check('Hi {{first_name}}, your payment of {{amount_due}} is due on {{due_date}}. Reply STOP to opt out.')).toEqual([]);
    expect(check('您好，您的账单 {{amount_due}} 将于 {{due_date}} 到期，请按时还款。', 'borrower', 'zh-CN')).toEqual([]);
    expect(check('Hello, this is Jamie from Acme Services calling for {{borrower_name}}. Please ask them to call us back at 800-555-0100.', 'third_party')).toEqual([]);
    expect(check('您好，我是某某公司的工作人员，请转告{{borrower_name}}尽快回电 400-800-1234，谢谢。', 'third_party', 'zh-CN')).toEqual([]);
  });
});

describe('threatening wording (any audience)', () => {
  it('finds English threats case-insensitively, with the template id, rule and reason', () => {
    const [issue, ...rest] = check('Pay now or you will be ARRESTED and we will come to your work.');
    expect(rest.map((i) => i.phrase)).toEqual(['come to your work']);
    expect(issue).toMatchObject({ templateId: 't1', rule: 'threatening-wording', phrase: 'ARRESTED' });
    expect(issue?.matchedBy).toBe('arrest* (en.txt)');
    expect(issue?.reason).toContain('"ARRESTED" is threatening wording');
  });

  it('reports the longer of overlapping phrases once', () => {
    expect(rules('We will sue you today.')).toEqual([['threatening-wording', 'sue you today']]);
  });

  it('matches whole English words only (false-positive guards)', () => {
    expect(check('Our suede wallets ship free. We will issue you a new card.')).toEqual([]);
    expect(check('If you think this is identity theft, you may file a police report.')).toEqual([]);
    expect(check('Pick a time that suits you; our skilled staff can help, elsewhere or online.')).toEqual([]);
    expect(check('It is a shame we missed you.')).toEqual([]);
    expect(rules('They may sue-you')).toEqual([['threatening-wording', 'sue-you']]);
    expect(rules('You will be jailed!')).toEqual([['threatening-wording', 'jailed']]);
  });

  it('finds Chinese threats as substrings, also with spaces or full-width forms', () => {
    expect(rules('再不还款就让你坐牢，我们会联系你通讯录里的所有人。', 'borrower', 'zh-CN')).toEqual([
      ['threatening-wording', '坐牢'],
      ['threatening-wording', '通讯录'],
    ]);
    expect(rules('明天起诉你，并上门催收。', 'borrower', 'zh-CN')).toEqual([
      ['threatening-wording', '起诉你'],
      ['threatening-wording', '上门催收'],
    ]);
    expect(rules('我们将把你曝光', 'borrower', 'zh-CN')).toEqual([['threatening-wording', '曝光']]);
    expect(rules('让你坐 牢', 'borrower', 'zh-CN')).toEqual([['threatening-wording', '坐 牢']]);
    expect(rules('ＡＲＲＥＳＴ', 'borrower', 'en')).toEqual([['threatening-wording', 'ARREST']]);
  });

  it('does not flag ordinary Chinese uses (false-positive guards)', () => {
    expect(check('我们提供免费上门服务。不客气，祝您生活愉快！请告诉你的家人注意防范电信诈骗，小心点击陌生链接。', 'borrower', 'zh-CN')).toEqual([]);
  });

  it('applies every language list whatever the declared language', () => {
    expect(rules('Remember: 坐牢', 'borrower', 'en')).toEqual([['threatening-wording', '坐牢']]);
    expect(rules('你会被 arrested', 'borrower', 'zh-CN')).toEqual([['threatening-wording', 'arrested']]);
  });
});

describe('third-party templates', () => {
  it('refuses naming the debt or the collection purpose', () => {
    expect(rules('Please tell John his DEBT is overdue and the payment due must be made.', 'third_party')).toEqual([
      ['third-party-disclosure', 'DEBT'],
      ['third-party-disclosure', 'overdue'],
      ['third-party-disclosure', 'payment due'],
    ]);
    expect(rules('This is a collection call about money John owes.', 'third_party')).toEqual([
      ['third-party-disclosure', 'collection'],
      ['third-party-disclosure', 'owes'],
    ]);
    const [issue] = check('He owes us.', 'third_party');
    expect(issue?.reason).toMatch(/third party/);
  });

  it('refuses Chinese disclosure words', () => {
    expect(rules('请转告张三，他的欠款已逾期，请尽快还款。', 'third_party', 'zh-CN')).toEqual([
      ['third-party-disclosure', '欠款'],
      ['third-party-disclosure', '逾期'],
      ['third-party-disclosure', '还款'],
    ]);
    expect(rules('我们是催收公司，他有一笔债务。', 'third_party', 'zh-CN')).toEqual([
      ['third-party-disclosure', '催收'],
      ['third-party-disclosure', '债务'],
    ]);
  });

  it('refuses amounts with currency symbols, codes and words', () => {
    const amounts = (body: string, lang = 'en') => check(body, 'third_party', lang).filter((i) => i.rule === 'amount-to-third-party').map((i) => i.phrase);
    expect(amounts('Ask him about the $1,200.50 and the £ 40.')).toEqual(['$1,200.50', '£ 40']);
    expect(amounts('About USD 300 and 20 dollars and 5 EUR.')).toEqual(['USD 300', '20 dollars', '5 EUR']);
    expect(amounts('请转告他 500元，以及 ¥300 和 ￥８００。', 'zh-CN')).toEqual(['500元', '¥300', '¥800']);
    expect(amounts('共计三千元，另有两万元。', 'zh-CN')).toEqual(['三千元', '两万元']);
    expect(amounts('Call {{agent_name}} about {{amount_due}} / ${balance} / {loan.totalDue}.')).toEqual(['{{amount_due}}', '${balance}', '{loan.totalDue}']);
  });

  it('does not take phone numbers, times, dates or "together" for amounts', () => {
    expect(check('Please call 800-555-0100 between 9 and 5, reference 20261120.', 'third_party')).toEqual([]);
    expect(check('请于2026年11月20日前回电，电话 010-12345678，我们一块儿解决。', 'third_party', 'zh-CN')).toEqual([]);
  });

  it('reads placeholder names for disclosure words', () => {
    expect(rules('Ref {{loan_id}}', 'third_party')).toEqual([['third-party-disclosure', '{{loan_id}}']]);
    expect(rules('Ref {{debtReference}}', 'third_party')).toEqual([['third-party-disclosure', '{{debtReference}}']]);
  });

  it('allows the same words to the borrower', () => {
    expect(check('Your debt of $1,200.50 is overdue; the payment due date has passed.')).toEqual([]);
    expect(check('您的欠款 500元 已逾期，请尽快还款。', 'borrower', 'zh-CN')).toEqual([]);
  });

  it('reports threats and disclosure together', () => {
    expect(rules('Tell him we will call the police about his debt.', 'third_party')).toEqual([
      ['threatening-wording', 'call the police'],
      ['third-party-disclosure', 'debt'],
    ]);
  });
});

describe('word lists', () => {
  it('loads the shipped lists with entries in both languages', () => {
    const lists = defaultWordLists();
    expect(lists.threats.map((l) => l.source)).toEqual(['en.txt', 'zh-CN.txt']);
    expect(lists.disclosure.map((l) => l.source)).toEqual(['disclosure.en.txt', 'disclosure.zh-CN.txt']);
    for (const l of [...lists.threats, ...lists.disclosure]) expect(l.entries.length).toBeGreaterThan(20);
  });

  it('compiles custom lists: comments, blanks, duplicates and wildcards', () => {
    const list = compileWordList('# comment\n\nfoo bar\nFOO BAR\nbaz*\n坏话\n', 'custom.txt');
    expect(list.entries.map((e) => e.phrase)).toEqual(['foo bar', 'baz*', '坏话']);
    const lists: WordLists = { threats: [list], disclosure: [] };
    expect(checkTemplate({ id: 'c', audience: 'third_party', language: 'en', body: 'foo  bar, bazooka, 说坏话, arrest' }, lists).map((i) => i.phrase))
      .toEqual(['foo  bar', 'bazooka', '坏话']);
    expect(compilePhrase('sue').test('suede')).toBe(false);
  });

  it('names the line of a bad entry', () => {
    expect(catchValidation(() => compileWordList('ok\n*\n', 'bad.txt')).where).toBe('bad.txt:2');
  });
});
