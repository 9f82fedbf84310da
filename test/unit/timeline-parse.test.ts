import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import { EVENT_KINDS, parseTimeline, resolvePackPaths, TimelineError, TIMELINE_KEYS } from '../../src/timeline/index.js';
import type { Timeline } from '../../src/timeline/index.js';

const EXAMPLE = `start: 2026-01-01
until: 2026-06-30
products:
  p12:
    method: annuity
    annualRate: 0.12
    termMonths: 12
    dayCount: 30/360
    penalty: { dailyRate: 0.0005, base: overdue-principal }
    liquidatedDamages: { percentOfInstalment: 0.05 }
accounts:
  - id: L-1
    product: p12
    principal: 1000000        # minor units: 10,000.00
    currency: USD
    disbursed: 2026-01-01     # first instalment due 2026-02-01, then the 1st of each month
    borrower: { id: B-1, name: Ann Lee, timezone: America/New_York, phones: ["+12125550100"] }
events:
  - { date: 2026-02-01, account: L-1, payment: 88849 }
  - { date: 2026-04-20, account: L-1, payment: 100000, key: pay-7 }
`;

const FILE = 'timeline.yaml';

/** The example with `from` replaced by `to`; fails loudly if `from` is not in it. */
function edit(from: string, to: string, text = EXAMPLE): string {
  if (!text.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} not in the text`);
  return text.replace(from, to);
}

/** `line:col` (1-based) of the first occurrence of `needle` in `text` — computed independently of the parser. */
function at(text: string, needle: string, nth = 0): string {
  let idx = -1;
  for (let k = 0; k <= nth; k++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`test setup: ${JSON.stringify(needle)} not found`);
  }
  const before = text.slice(0, idx).split('\n');
  return `${before.length}:${(before[before.length - 1] ?? '').length + 1}`;
}

function errorOf(text: string, file = FILE): TimelineError {
  try {
    parseTimeline(text, file);
  } catch (e) {
    if (e instanceof TimelineError) return e;
    throw e;
  }
  throw new Error('expected parseTimeline to throw');
}

/** Asserts the error has a line `file:line:col: field: …rule…`. */
function expectIssue(text: string, where: string, field: string, rule: string | RegExp): TimelineError {
  const err = errorOf(text);
  const lines = err.message.split('\n');
  const prefix = `${FILE}:${where}: ${field}: `;
  const hit = lines.find((l) => l.startsWith(prefix));
  expect(hit, `no line starting with "${prefix}" in:\n${err.message}`).toBeDefined();
  const ruleText = (hit ?? '').slice(prefix.length);
  if (typeof rule === 'string') expect(ruleText).toContain(rule);
  else expect(ruleText).toMatch(rule);
  return err;
}

const EXPECTED: Timeline = {
  file: 'example.yaml',
  start: '2026-01-01',
  until: '2026-06-30',
  products: {
    p12: {
      id: 'p12',
      method: 'annuity',
      annualRate: { num: 12, den: 100 },
      termMonths: 12,
      dayCount: '30/360',
      graceDays: 0,
      penalty: { dailyRate: { num: 5, den: 10000 }, base: 'overdue-principal' },
      liquidatedDamages: { kind: 'percent', rate: { num: 5, den: 100 } },
      costCap: null,
      overpayment: 'credit',
      waterfall: ['fees', 'penalty', 'interest', 'principal'],
    },
  },
  accounts: [
    {
      account: { id: 'L-1', borrowerId: 'B-1', productId: 'p12', currency: 'USD', principal: 1000000, disbursed: '2026-01-01' },
      borrower: { id: 'B-1', name: 'Ann Lee', timezone: 'America/New_York', phones: ['+12125550100'], emails: [], addresses: [], languages: [] },
      parties: [],
      consumer: { inconvenientTimes: [], inconvenientMedia: [], consentedContactPoints: [], timeBarredSince: null },
    },
  ],
  events: [
    { kind: 'payment', date: '2026-02-01', accountId: 'L-1', amount: 88849, key: 'L-1:2026-02-01:0', line: 19, index: 0 },
    { kind: 'payment', date: '2026-04-20', accountId: 'L-1', amount: 100000, key: 'pay-7', line: 20, index: 1 },
  ],
  buckets: null,
  strategy: null,
  jurisdiction: null,
  templates: {},
  automate: [],
};

describe('parseTimeline: the example', () => {
  it('parses to the expected structure', () => {
    expect(parseTimeline(EXAMPLE, 'example.yaml')).toEqual(EXPECTED);
  });

  it('timelines/example.yaml is the documented example and parses the same', () => {
    const text = readFileSync(new URL('../../timelines/example.yaml', import.meta.url), 'utf8');
    expect(text).toBe(EXAMPLE);
    expect(parseTimeline(text, 'example.yaml')).toEqual(EXPECTED);
  });

  it('reads the borrower\'s languages, checked as language tags', () => {
    const t = parseTimeline(edit('phones: ["+12125550100"] }', 'phones: ["+12125550100"], languages: [zh-CN, en] }'), FILE);
    expect(t.accounts[0]?.borrower.languages).toEqual(['zh-CN', 'en']);
    const err = errorOf(edit('phones: ["+12125550100"] }', 'phones: ["+12125550100"], languages: [Chinese] }'));
    expect(err.message).toContain('accounts[0].borrower.languages[0]');
    expect(err.message).toContain('must be a language tag such as en or zh-CN, got "Chinese"');
  });

    it('keeps dates and the day count as strings, even under a YAML 1.1 directive', () => {
    const t = parseTimeline(`%YAML 1.1\n---\n${EXAMPLE}`, FILE);
    expect(t.start).toBe('2026-01-01');
    expect(typeof t.accounts[0]?.account.disbursed).toBe('string');
    expect(t.products.p12?.dayCount).toBe('30/360');
  });
});

describe('parseTimeline: events', () => {
  const withEvents = (events: string): string => edit(EXAMPLE.slice(EXAMPLE.indexOf('events:')), `events:\n${events}`);

  it('sorts events by date, keeping file order on the same date, with stable default keys', () => {
    const t = parseTimeline(
      withEvents(
        [
          '  - { date: 2026-03-05, account: L-1, payment: 300 }',
          '  - { date: 2026-03-01, account: L-1, payment: 100 }',
          '  - { date: 2026-03-05, account: L-1, payment: 200, key: same }',
          '  - { date: 2026-03-01, account: L-1, payment: 400, key: same }',
          '',
        ].join('\n'),
      ),
      FILE,
    );
    expect(t.events.map((e) => (e.kind === 'payment' ? [e.date, e.amount, e.key, e.index, e.line] : null))).toEqual([
      ['2026-03-01', 100, 'L-1:2026-03-01:1', 1, 20],
      ['2026-03-01', 400, 'same', 3, 22],
      ['2026-03-05', 300, 'L-1:2026-03-05:0', 0, 19],
      ['2026-03-05', 200, 'same', 2, 21],
    ]);
  });

  it('parses a pause, inclusive of a one-day pause', () => {
    const t = parseTimeline(
      withEvents(
        [
          '  - date: 2026-03-10',
          '    account: L-1',
          '    pause: { until: 2026-03-31, reason: hardship review }',
          '  - { date: 2026-04-01, account: L-1, pause: { until: 2026-04-01, reason: dispute } }',
          '',
        ].join('\n'),
      ),
      FILE,
    );
    expect(t.events).toEqual([
      { kind: 'pause', date: '2026-03-10', accountId: 'L-1', until: '2026-03-31', reason: 'hardship review', line: 19, index: 0 },
      { kind: 'pause', date: '2026-04-01', accountId: 'L-1', until: '2026-04-01', reason: 'dispute', line: 22, index: 1 },
    ]);
  });

  it('allows an event on the disbursement date and on start and until', () => {
    const t = parseTimeline(
      withEvents('  - { date: 2026-01-01, account: L-1, payment: 1 }\n  - { date: 2026-06-30, account: L-1, payment: 1 }\n'),
      FILE,
    );
    expect(t.events.map((e) => e.date)).toEqual(['2026-01-01', '2026-06-30']);
  });

  it('has no events when the key is absent', () => {
    expect(parseTimeline(EXAMPLE.slice(0, EXAMPLE.indexOf('events:')), FILE).events).toEqual([]);
  });

  it('the registry has one entry per kind', () => {
    expect(EVENT_KINDS.map((k) => k.kind)).toEqual(['payment', 'pause', 'attempt', 'attempts', 'flag', 'check']);
    expect(EVENT_KINDS.map((k) => k.produces)).toEqual(['payment', 'pause', 'attempt', 'attempt', 'flag', 'check']);
  });
});

describe('parseTimeline: buckets', () => {
  it('reads a custom bucket table', () => {
    const text = `${EXAMPLE}buckets:\n  - { name: C, min: 0, max: 0 }\n  - { name: X, min: 1, max: null }\n`;
    expect(parseTimeline(text, FILE).buckets).toEqual([
      { name: 'C', min: 0, max: 0 },
      { name: 'X', min: 1, max: null },
    ]);
  });

  it('reports an invalid table at the bucket field', () => {
    const text = `${EXAMPLE}buckets:\n  - { name: C, min: 0, max: 0 }\n  - { name: X, min: 5, max: null }\n`;
    expectIssue(text, at(text, '5, max: null'), 'buckets[1].min', 'must be 1');
  });

  it('rejects unknown keys in a bucket', () => {
    const text = `${EXAMPLE}buckets:\n  - { name: C, min: 0, max: 0, colour: red }\n  - { name: X, min: 1, max: null }\n`;
    expectIssue(text, at(text, 'colour'), 'buckets[0].colour', 'is not a known field');
  });
});

describe('parseTimeline: errors name file, line, column and field', () => {
  it('matches the documented message format exactly', () => {
    const text = edit('principal: 1000000', 'principal: -5');
    const err = errorOf(text);
    expect(err.message).toBe('timeline.yaml:14:16: accounts[0].principal: must not be negative, got -5');
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues).toEqual([
      { file: FILE, line: 14, column: 16, field: 'accounts[0].principal', rule: 'must not be negative, got -5' },
    ]);
  });

  it('uses the file name it was given', () => {
    const err = errorOf(edit('principal: 1000000', 'principal: -5'), 'dir/other.yaml');
    expect(err.message.startsWith('dir/other.yaml:14:16: ')).toBe(true);
  });

  it('YAML syntax errors get file:line', () => {
    const text = edit('  - { date: 2026-02-01, account: L-1, payment: 88849 }', '  - { date: 2026-02-01, account: L-1, payment: 88849');
    const err = errorOf(text);
    expect(err.message).toMatch(/^timeline\.yaml:(19|20):\d+: YAML: /);
  });

  it('duplicate YAML keys are errors', () => {
    const text = edit('    currency: USD\n', '    currency: USD\n    currency: EUR\n');
    expect(errorOf(text).message).toMatch(new RegExp(`^timeline\\.yaml:${at(text, 'currency: EUR').split(':')[0]}:\\d+: YAML: .*unique`));
  });

  it('a document that is not a mapping', () => {
    expect(errorOf('- 1\n- 2\n').message).toMatch(/^timeline\.yaml:1:1: timeline: must be a mapping/);
    expect(errorOf('').message).toMatch(/^timeline\.yaml:1:1: timeline: must be a mapping/);
  });

  it('unknown top-level key', () => {
    const text = edit('until: 2026-06-30\n', 'until: 2026-06-30\nstat: 1\n');
    expectIssue(text, '3:1', 'stat', 'is not a known field (known: start, until, products, accounts, events, buckets, strategy, jurisdiction, templates, automate)');
  });

  it('jurisdiction: a pack name, a path, or a list of them', () => {
    expect(TIMELINE_KEYS.jurisdiction).toBe('supported');
    const bad = edit('until: 2026-06-30\n', 'until: 2026-06-30\njurisdiction:\n  name: x\n');
    expectIssue(bad, '4:3', 'jurisdiction', 'must be a rule-pack name');
    const upper = edit('until: 2026-06-30\n', 'until: 2026-06-30\njurisdiction: [us-regf, US-MA]\n');
    expectIssue(upper, at(upper, 'US-MA'), 'jurisdiction[1]', 'a name has only lower-case letters');
    const twice = edit('until: 2026-06-30\n', 'until: 2026-06-30\njurisdiction: [cn, cn]\n');
    expectIssue(twice, at(twice, 'cn]'), 'jurisdiction[1]', 'lists "cn" twice');
    expect(parseTimeline(edit('until: 2026-06-30\n', 'until: 2026-06-30\njurisdiction: us-regf\n'), FILE).jurisdiction).toEqual(['us-regf']);
    const t = parseTimeline(edit('until: 2026-06-30\n', 'until: 2026-06-30\njurisdiction: [us-regf, packs/ours.yaml]\n'), 'tl/x.yaml');
    expect(t.jurisdiction).toEqual(['us-regf', 'packs/ours.yaml']);
    expect(resolvePackPaths(t, '/proj')).toEqual(['/proj/rule-packs/us-regf.yaml', '/proj/tl/packs/ours.yaml']);
    expect(parseTimeline(EXAMPLE, FILE).jurisdiction).toBeNull();
  });

  it('unknown account key points at the key', () => {
    const text = edit('    currency: USD\n', '    currency: USD\n    colour:\n      - red\n');
    expectIssue(text, at(text, 'colour'), 'accounts[0].colour', 'is not a known field');
  });

  it('unknown product key (from parseProduct)', () => {
    const text = edit('    termMonths: 12\n', '    termMonths: 12\n    fee: 3\n');
    expectIssue(text, at(text, 'fee: 3'), 'products.p12.fee', 'is not a known field');
  });

  it('invalid product field', () => {
    const text = edit('dailyRate: 0.0005', 'dailyRate: 0.5');
    expectIssue(text, at(text, '0.5,'), 'products.p12.penalty.dailyRate', 'must be at most 0.1');
  });

  it('missing product field points at the product', () => {
    const text = edit('    termMonths: 12\n', '');
    expectIssue(text, at(text, 'method: annuity'), 'products.p12.termMonths', 'is required');
  });

  it('unknown borrower key and invalid borrower fields (from parseBorrower)', () => {
    const t1 = edit('name: Ann Lee,', 'name: Ann Lee, nick: A,');
    expectIssue(t1, at(t1, 'nick'), 'accounts[0].borrower.nick', 'is not a known field');
    const t2 = edit('"+12125550100"', '"555-0100"');
    expectIssue(t2, at(t2, '"555-0100"'), 'accounts[0].borrower.phones[0]', 'E.164');
  });

  it('bad dates', () => {
    const t1 = edit('start: 2026-01-01', 'start: 2026-02-30');
    expectIssue(t1, '1:8', 'start', 'is not a calendar date');
    const t2 = edit('disbursed: 2026-01-01', 'disbursed: 2026-1-1');
    expectIssue(t2, at(t2, '2026-1-1'), 'accounts[0].disbursed', 'YYYY-MM-DD');
    const t3 = edit('start: 2026-01-01', 'start: 20260101');
    expectIssue(t3, '1:8', 'start', 'YYYY-MM-DD');
    const t4 = edit('date: 2026-04-20', 'date: 2026-04-31');
    expectIssue(t4, at(t4, '2026-04-31'), 'events[1].date', 'is not a calendar date');
  });

  it('missing start', () => {
    const text = edit('start: 2026-01-01\n', '');
    expectIssue(text, '1:1', 'start', 'is required');
  });

  it('until before start', () => {
    const text = edit('until: 2026-06-30', 'until: 2025-12-31');
    expectIssue(text, '2:8', 'until', 'must be on or after start (2026-01-01), got 2025-12-31');
  });

  it('non-integer and zero principal', () => {
    const t1 = edit('principal: 1000000', 'principal: 10000.50');
    expectIssue(t1, '14:16', 'accounts[0].principal', 'whole number of minor units');
    const t2 = edit('principal: 1000000', 'principal: 0');
    expectIssue(t2, '14:16', 'accounts[0].principal', 'must be greater than 0');
  });

  it('unknown currency', () => {
    const text = edit('currency: USD', 'currency: XYZ');
    expectIssue(text, '15:15', 'accounts[0].currency', '"XYZ" is not a supported ISO 4217 code');
  });

  it('duplicate account ids', () => {
    const second = '  - id: L-1\n    product: p12\n    principal: 5000\n    currency: EUR\n    disbursed: 2026-01-15\n    borrower: { id: B-2, name: Bo }\n';
    const text = edit('events:\n', `${second}events:\n`);
    expectIssue(text, at(text, 'L-1', 1), 'accounts[1].id', 'duplicates accounts[0].id "L-1"');
  });

  it('account referencing an unknown product', () => {
    const text = edit('product: p12', 'product: p13');
    expectIssue(text, '13:14', 'accounts[0].product', 'refers to unknown product "p13" (known: p12)');
  });

  it('an invalid product is not also reported as unknown by its accounts', () => {
    const err = errorOf(edit('method: annuity', 'method: balloon'));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.field).toBe('products.p12.method');
  });

  it('missing borrower', () => {
    const text = edit('    borrower: { id: B-1, name: Ann Lee, timezone: America/New_York, phones: ["+12125550100"] }\n', '');
    expectIssue(text, at(text, 'id: L-1'), 'accounts[0].borrower', 'is required');
  });

  it('event referencing an unknown account', () => {
    const text = edit('account: L-1, payment: 100000', 'account: L-2, payment: 100000');
    expectIssue(text, at(text, 'L-2'), 'events[1].account', 'refers to unknown account "L-2" (known: L-1)');
  });

  it('event dates outside [start, until]', () => {
    const t1 = edit('date: 2026-04-20', 'date: 2026-07-01');
    expectIssue(t1, '20:13', 'events[1].date', 'must be within the timeline (2026-01-01 to 2026-06-30), got 2026-07-01');
    const t2 = edit('date: 2026-02-01', 'date: 2025-12-31');
    expectIssue(t2, '19:13', 'events[0].date', 'must be within the timeline');
  });

  it('event before the account was disbursed', () => {
    const text = edit('disbursed: 2026-01-01', 'disbursed: 2026-03-01');
    const err = expectIssue(text, '19:13', 'events[0].date', 'is before account L-1 was disbursed (2026-03-01)');
    expect(err.issues).toHaveLength(1);
  });

  it('bad payment amounts', () => {
    const t1 = edit('payment: 88849', 'payment: -1');
    expectIssue(t1, '19:48', 'events[0].payment', 'must not be negative');
    const t2 = edit('payment: 88849', 'payment: 0');
    expectIssue(t2, '19:48', 'events[0].payment', 'must be greater than 0');
    const t3 = edit('payment: 88849', 'payment: 888.49');
    expectIssue(t3, '19:48', 'events[0].payment', 'whole number');
  });

  it('non-string payment key', () => {
    const text = edit('key: pay-7', 'key: 7');
    expectIssue(text, at(text, '7 }'), 'events[1].key', 'must be a non-empty string');
  });

  it('unknown event key', () => {
    const text = edit('key: pay-7', 'key: pay-7, memo: x');
    expectIssue(text, at(text, 'memo'), 'events[1].memo', 'is not a known field (known: date, account, payment, key)');
  });

  it('no kind, or two kinds, names the event index', () => {
    const t1 = edit('account: L-1, payment: 88849', 'account: L-1');
    expectIssue(t1, '19:5', 'events[0]', 'must have exactly one of payment, pause, attempt, attempts, flag, check; found none');
    const t2 = edit('payment: 88849', 'payment: 88849, pause: { until: 2026-03-01, reason: x }');
    expectIssue(t2, '19:5', 'events[0]', 'found payment, pause');
  });

  it('pause until before its date, missing reason, unknown pause key', () => {
    const t1 = edit('payment: 88849', 'pause: { until: 2026-01-31, reason: x }');
    expectIssue(t1, at(t1, '2026-01-31'), 'events[0].pause.until', 'must be on or after the event date 2026-02-01, got 2026-01-31');
    const t2 = edit('payment: 88849', 'pause: { until: 2026-03-01 }');
    expectIssue(t2, at(t2, '{ until'), 'events[0].pause.reason', 'is required');
    const t3 = edit('payment: 88849', 'pause: { until: 2026-03-01, reason: x, by: me }');
    expectIssue(t3, at(t3, 'by: me'), 'events[0].pause.by', 'is not a known field');
  });

  it('reports every problem, one per line, in file order', () => {
    let text = edit('until: 2026-06-30', 'until: 2026-06-30\nextra: 1');
    text = edit('principal: 1000000', 'principal: -5', text);
    text = edit('currency: USD', 'currency: ZZZ', text);
    text = edit('account: L-1, payment: 100000', 'account: L-9, payment: 100000', text);
    text = edit('payment: 88849', 'payment: 0', text);
    const err = errorOf(text);
    expect(err.message.split('\n')).toEqual([
      expect.stringMatching(/^timeline\.yaml:3:1: extra: is not a known field/),
      'timeline.yaml:15:16: accounts[0].principal: must not be negative, got -5',
      expect.stringMatching(/^timeline\.yaml:16:15: accounts\[0\]\.currency: /),
      expect.stringMatching(/^timeline\.yaml:20:48: events\[0\]\.payment: must be greater than 0/),
      expect.stringMatching(/^timeline\.yaml:21:\d+: events\[1\]\.account: refers to unknown account "L-9"/),
    ]);
    expect(err.issues).toHaveLength(5);
  });
});
