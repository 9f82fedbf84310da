import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNELS, OUTCOMES, PARTY_KINDS } from '../../src/contact/index.js';
import {
  isStrategyPath,
  MAX_ATTEMPTS_PER_DAY,
  MAX_TIMELINE_EVENTS,
  parseTimeline,
  resolveStrategyPath,
  TimelineError,
} from '../../src/timeline/index.js';
import type { AttemptEvent, TimelineEvent } from '../../src/timeline/index.js';

const HEAD = `start: 2026-01-01
until: 2026-06-30
products:
  p12: { method: annuity, annualRate: 0.12, termMonths: 12 }
accounts:
  - id: L-1
    product: p12
    principal: 1000000
    currency: USD
    disbursed: 2026-01-01
    borrower: { id: B-1, name: Ann Lee, phones: ["+12125550100"] }
`;
/** events start on line 13 */
const FIRST_EVENT_LINE = 13;
/** The gate fields of an attempt that names none of them (only `time` varies). */
const NO_GATE = { time: '10:00', offset: null, person: null, to: null, purpose: null, workplace: false, personal: null, liveAgent: false, template: null, agent: null, agency: null, visit: null, expect: null };
const FILE = 'tl/never.yaml';

function withEvents(...lines: string[]): string {
  return `${HEAD}events:\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** `line:col` (1-based) of the nth occurrence of `needle` in `text` — computed independently of the parser. */
function at(text: string, needle: string, nth = 0): string {
  let idx = -1;
  for (let k = 0; k <= nth; k++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`test setup: ${JSON.stringify(needle)} not found`);
  }
  const before = text.slice(0, idx).split('\n');
  return `${before.length}:${(before[before.length - 1] ?? '').length + 1}`;
}

/** `line:col` of the value written right after the nth occurrence of `prefix`. */
function after(text: string, prefix: string, nth = 0): string {
  const [line, col] = at(text, prefix, nth).split(':').map(Number);
  return `${line}:${(col ?? 0) + prefix.length}`;
}

function errorOf(text: string): TimelineError {
  try {
    parseTimeline(text, FILE);
  } catch (e) {
    if (e instanceof TimelineError) return e;
    throw e;
  }
  throw new Error('expected parseTimeline to throw');
}

/** Asserts the error has exactly one line and that it is `file:where: field: …rule…`. */
function expectOnly(text: string, where: string, field: string, rule: string): void {
  const err = errorOf(text);
  expect(err.message).toBe(`${FILE}:${where}: ${field}: ${rule}`);
}

/** Asserts the error has a line `file:where: field: …rule…` (among others). */
function expectIssue(text: string, where: string, field: string, rule: string): void {
  const err = errorOf(text);
  const prefix = `${FILE}:${where}: ${field}: `;
  const hit = err.message.split('\n').find((l) => l.startsWith(prefix));
  expect(hit, `no line starting with "${prefix}" in:\n${err.message}`).toBeDefined();
  expect((hit ?? '').slice(prefix.length)).toContain(rule);
}

function attemptsOf(events: readonly TimelineEvent[]): AttemptEvent[] {
  return events.filter((e): e is AttemptEvent => e.kind === 'attempt');
}

describe('attempt events', () => {
  it('parses an attempt with a time, and one without (time null, promise null)', () => {
    const t = parseTimeline(
      withEvents(
        '  - { date: 2026-03-10, time: "10:15", account: L-1, attempt: { party: borrower, channel: call, outcome: no_answer } }',
        '  - { date: 2026-03-09, account: L-1, attempt: { party: reference, channel: sms, outcome: wrong_number } }',
      ),
      FILE,
    );
    expect(t.events).toEqual([
      {
        kind: 'attempt', date: '2026-03-09', accountId: 'L-1', line: FIRST_EVENT_LINE + 1, index: 1,
        attempt: { accountId: 'L-1', date: '2026-03-09', time: null, party: 'reference', channel: 'sms', outcome: 'wrong_number', promise: null },
        gate: { ...NO_GATE, time: '10:00' },
      },
      {
        kind: 'attempt', date: '2026-03-10', accountId: 'L-1', line: FIRST_EVENT_LINE, index: 0,
        attempt: { accountId: 'L-1', date: '2026-03-10', time: '10:15', party: 'borrower', channel: 'call', outcome: 'no_answer', promise: null },
        gate: { ...NO_GATE, time: '10:15' },
      },
    ]);
  });

  it('parses a promise with amount and due (due may be the event date, or after until)', () => {
    const t = parseTimeline(
      withEvents(
        '  - date: 2026-03-06',
        '    time: "23:59"',
        '    account: L-1',
        '    attempt: { party: borrower, channel: call, outcome: promise, amount: 94000, due: 2026-03-10 }',
        '  - { date: 2026-06-30, time: "00:00", account: L-1, attempt: { party: guarantor, channel: visit, outcome: promise, amount: 1, due: 2026-06-30 } }',
        '  - { date: 2026-06-30, account: L-1, attempt: { party: borrower, channel: email, outcome: promise, amount: 5, due: 2026-08-01 } }',
      ),
      FILE,
    );
    expect(attemptsOf(t.events).map((e) => [e.line, e.attempt.time, e.attempt.promise])).toEqual([
      [FIRST_EVENT_LINE, '23:59', { amount: 94000, due: '2026-03-10' }],
      [FIRST_EVENT_LINE + 4, '00:00', { amount: 1, due: '2026-06-30' }],
      [FIRST_EVENT_LINE + 5, null, { amount: 5, due: '2026-08-01' }],
    ]);
  });

  it('accepts every party kind, channel and outcome of src/contact/outcomes.ts', () => {
    const lines: string[] = [];
    for (const party of PARTY_KINDS) {
      for (const channel of CHANNELS) {
        for (const outcome of OUTCOMES) {
          const promise = outcome === 'promise' ? ', amount: 100, due: 2026-03-20' : '';
          lines.push(`  - { date: 2026-03-10, account: L-1, attempt: { party: ${party}, channel: ${channel}, outcome: ${outcome}${promise} } }`);
        }
      }
    }
    const t = parseTimeline(withEvents(...lines), FILE);
    expect(t.events).toHaveLength(PARTY_KINDS.length * CHANNELS.length * OUTCOMES.length);
  });

  it('an attempt is not a mapping', () => {
    const text = withEvents('  - { date: 2026-03-10, account: L-1, attempt: call }');
    expectOnly(text, at(text, 'call'), 'events[0].attempt', 'must be a mapping { party, channel, outcome, amount?, due?, person?, to?, purpose? }, got "call"');
  });

  it('missing and unknown party, channel, outcome', () => {
    const t1 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { channel: call, outcome: busy } }');
    expectOnly(t1, at(t1, '{ channel'), 'events[0].attempt.party', `is required (one of ${PARTY_KINDS.join(', ')})`);
    const t2 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: cousin, channel: call, outcome: busy } }');
    expectOnly(t2, at(t2, 'cousin'), 'events[0].attempt.party', `must be one of ${PARTY_KINDS.join(', ')}, got "cousin"`);
    const t3 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: fax, outcome: busy } }');
    expectOnly(t3, at(t3, 'fax'), 'events[0].attempt.channel', `must be one of ${CHANNELS.join(', ')}, got "fax"`);
    const t4 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: hung_up } }');
    expectOnly(t4, at(t4, 'hung_up'), 'events[0].attempt.outcome', `must be one of ${OUTCOMES.join(', ')}, got "hung_up"`);
    const t5 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call } }');
    expectOnly(t5, at(t5, '{ party'), 'events[0].attempt.outcome', `is required (one of ${OUTCOMES.join(', ')})`);
  });

  it('an unknown key in the attempt, and at the event', () => {
    const t1 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: busy, agentt: A7 } }');
    expectOnly(t1, at(t1, 'agentt'), 'events[0].attempt.agentt', 'is not a known field (known: party, channel, outcome, amount, due, person, to, purpose, workplace, personal, liveAgent, template, agent, agency, collectors, recording, noticeGiven)');
    const t2 = withEvents('  - { date: 2026-03-10, account: L-1, note: x, attempt: { party: borrower, channel: call, outcome: busy } }');
    expectOnly(t2, at(t2, 'note'), 'events[0].note', 'is not a known field (known: date, account, attempt, time, expect)');
  });

  it('amount and due are only allowed with outcome promise', () => {
    const t1 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: conversation, amount: 100 } }');
    expectOnly(t1, after(t1, 'amount: '), 'events[0].attempt.amount', 'is only allowed with outcome promise (outcome is conversation)');
    const t2 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: hardship, due: 2026-03-12 } }');
    expectOnly(t2, at(t2, '2026-03-12'), 'events[0].attempt.due', 'is only allowed with outcome promise (outcome is hardship)');
  });

  it('a promise needs amount and due (reported at the attempt)', () => {
    const t1 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: promise, due: 2026-03-12 } }');
    expectOnly(t1, at(t1, '{ party'), 'events[0].attempt.amount', 'is required with outcome promise (minor units > 0)');
    const t2 = withEvents('  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: promise, amount: 100 } }');
    expectOnly(t2, at(t2, '{ party'), 'events[0].attempt.due', 'is required with outcome promise (the promised payment date, YYYY-MM-DD)');
  });

  it('bad promise amounts and dates', () => {
    const ev = (amount: string, due: string): string =>
      withEvents(`  - { date: 2026-03-10, account: L-1, attempt: { party: borrower, channel: call, outcome: promise, amount: ${amount}, due: ${due} } }`);
    const t1 = ev('0', '2026-03-12');
    expectOnly(t1, at(t1, '0, due'), 'events[0].attempt.amount', 'must be greater than 0');
    const t2 = ev('950.5', '2026-03-12');
    expectIssue(t2, after(t2, 'amount: '), 'events[0].attempt.amount', 'whole number');
    const t3 = ev('-3', '2026-03-12');
    expectOnly(t3, after(t3, 'amount: '), 'events[0].attempt.amount', 'must not be negative, got -3');
    const t4 = ev('100', '2026-03-09');
    expectOnly(t4, at(t4, '2026-03-09'), 'events[0].attempt.due', 'must be on or after the event date 2026-03-10, got 2026-03-09');
    const t5 = ev('100', '2026-02-30');
    expectIssue(t5, at(t5, '2026-02-30'), 'events[0].attempt.due', 'is not a calendar date');
  });

  it('time must be "HH:MM" from 00:00 to 23:59', () => {
    for (const bad of ['"24:00"', '"9:05"', '"10:60"', '1015', '"10:15:00"', '""']) {
      const text = withEvents(`  - { date: 2026-03-10, time: ${bad}, account: L-1, attempt: { party: borrower, channel: call, outcome: busy } }`);
      expectOnly(text, after(text, 'time: '), 'events[0].time', `must be a local time "HH:MM" (00:00 to 23:59), optionally with a UTC offset such as "20:59-05:00" or "01:59Z", got ${bad}`);
    }
  });

  it('an unquoted time is read as text (YAML 1.2 core schema)', () => {
    const t = parseTimeline(withEvents('  - { date: 2026-03-10, time: 10:15, account: L-1, attempt: { party: borrower, channel: call, outcome: busy } }'), FILE);
    expect(attemptsOf(t.events)[0]?.attempt.time).toBe('10:15');
  });

  it('time belongs to attempt events only', () => {
    const text = withEvents('  - { date: 2026-03-10, time: "10:00", account: L-1, payment: 100 }');
    expectOnly(text, at(text, 'time'), 'events[0].time', 'is not a known field (known: date, account, payment, key)');
  });

  it('reports every problem of one attempt', () => {
    const text = withEvents('  - { date: 2026-03-10, time: "25:00", account: L-1, attempt: { party: x, channel: y, outcome: busy, due: 2026-03-11 } }');
    expect(errorOf(text).issues.map((i) => i.field)).toEqual([
      'events[0].time', 'events[0].attempt.party', 'events[0].attempt.channel', 'events[0].attempt.due',
    ]);
  });
});

describe('attempts events (expanded at parse time)', () => {
  it('expands to perDay attempts every day from date through until, keeping the source line and index', () => {
    const t = parseTimeline(
      withEvents(
        '  - { date: 2026-03-02, account: L-1, payment: 100 }',
        '  - date: 2026-03-01',
        '    account: L-1',
        '    attempts: { party: borrower, channel: call, outcome: no_answer, perDay: 3, until: 2026-03-03 }',
        '  - { date: 2026-03-02, account: L-1, attempt: { party: borrower, channel: sms, outcome: no_answer } }',
      ),
      FILE,
    );
    expect(t.events.map((e) => `${e.date} ${e.kind === 'attempt' ? e.attempt.channel : e.kind} #${e.index} L${e.line}`)).toEqual([
      '2026-03-01 call #1 L14', '2026-03-01 call #1 L14', '2026-03-01 call #1 L14',
      '2026-03-02 payment #0 L13',
      '2026-03-02 call #1 L14', '2026-03-02 call #1 L14', '2026-03-02 call #1 L14',
      '2026-03-02 sms #2 L17',
      '2026-03-03 call #1 L14', '2026-03-03 call #1 L14', '2026-03-03 call #1 L14',
    ]);
    expect(attemptsOf(t.events)[0]).toEqual({
      kind: 'attempt', date: '2026-03-01', accountId: 'L-1', line: 14, index: 1,
      attempt: { accountId: 'L-1', date: '2026-03-01', time: null, party: 'borrower', channel: 'call', outcome: 'no_answer', promise: null },
      gate: { ...NO_GATE, time: '09:00' },
    });
    // perDay 3 without times: spread from 09:00 over twelve hours
    expect(attemptsOf(t.events).slice(0, 3).map((e) => e.gate.time)).toEqual(['09:00', '13:00', '17:00']);
  });

  it('perDay defaults to 1; a one-day range gives one attempt; until may be the timeline until', () => {
    const t = parseTimeline(
      withEvents(
        '  - { date: 2026-06-01, account: L-1, attempts: { party: reference, channel: call, outcome: voicemail, until: 2026-06-30 } }',
        '  - { date: 2026-06-30, account: L-1, attempts: { party: employer, channel: call, outcome: busy, until: 2026-06-30 } }',
      ),
      FILE,
    );
    const a = attemptsOf(t.events);
    expect(a).toHaveLength(31);
    expect(a.filter((e) => e.attempt.party === 'reference').map((e) => e.date)).toEqual(
      Array.from({ length: 30 }, (_, i) => `2026-06-${String(i + 1).padStart(2, '0')}`),
    );
    expect(a.at(-1)?.attempt).toMatchObject({ party: 'employer', date: '2026-06-30' });
  });

  it('rejects outcome promise', () => {
    const text = withEvents('  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: promise, until: 2026-03-05 } }');
    expectOnly(text, at(text, 'promise'), 'events[0].attempts.outcome',
      'must not be promise in attempts (write a single attempt event with amount and due)');
  });

  it('rejects amount, due and time (not attempts keys)', () => {
    const t1 = withEvents('  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, until: 2026-03-05, amount: 1 } }');
    expectOnly(t1, at(t1, 'amount'), 'events[0].attempts.amount', 'is not a known field (known: party, channel, outcome, perDay, until, times, expect, person, to, purpose, workplace, personal, liveAgent, template, agent, agency)');
    const t2 = withEvents('  - { date: 2026-03-01, time: "10:00", account: L-1, attempts: { party: borrower, channel: call, outcome: busy, until: 2026-03-05 } }');
    expectOnly(t2, at(t2, 'time'), 'events[0].time', 'is not a known field (known: date, account, attempts)');
  });

  it('bad perDay', () => {
    for (const bad of ['0', '1.5', String(MAX_ATTEMPTS_PER_DAY + 1), '"3"']) {
      const text = withEvents(`  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, perDay: ${bad}, until: 2026-03-05 } }`);
      expectOnly(text, after(text, 'perDay: '), 'events[0].attempts.perDay', `must be a whole number from 1 to ${MAX_ATTEMPTS_PER_DAY}, got ${bad}`);
    }
  });

  it('until is required, on or after date, on or before the timeline until', () => {
    const t1 = withEvents('  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy } }');
    expectOnly(t1, at(t1, '{ party'), 'events[0].attempts.until', 'is required (the last day of the attempts, YYYY-MM-DD)');
    const t2 = withEvents('  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, until: 2026-02-28 } }');
    expectOnly(t2, at(t2, '2026-02-28'), 'events[0].attempts.until', 'must be on or after the event date 2026-03-01, got 2026-02-28');
    const t3 = withEvents('  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, until: 2026-07-01 } }');
    expectOnly(t3, at(t3, '2026-07-01'), 'events[0].attempts.until', "must be on or before the timeline's until (2026-06-30), got 2026-07-01");
    const t4 = withEvents('  - { date: 2026-03-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, until: 2026-13-01 } }');
    expectIssue(t4, at(t4, '2026-13-01'), 'events[0].attempts.until', 'is not a calendar date');
  });

  it('an attempts value that is not a mapping', () => {
    const text = withEvents('  - { date: 2026-03-01, account: L-1, attempts: 3 }');
    expectOnly(text, at(text, '3 }'), 'events[0].attempts', 'must be a mapping { party, channel, outcome, perDay?, times?, until }, got 3');
  });

  it(`caps a file at ${MAX_TIMELINE_EVENTS} events after expansion`, () => {
    const long = (text: string): string => text.replace('until: 2026-06-30', 'until: 2029-12-31');
    // 2026-01-01 … 2029-12-31 is 1,461 days: × 100 a day = 146,100 attempts
    const t1 = long(withEvents('  - { date: 2026-01-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, perDay: 100, until: 2029-12-31 } }'));
    expectOnly(t1, at(t1, '{ party'), 'events[0].attempts',
      `expands to 146100 attempts, more than the ${MAX_TIMELINE_EVENTS} left of the ${MAX_TIMELINE_EVENTS} events a file may have`);
    // 600 days × 100 = 60,000 fits; the second one only has 40,000 left (the payment takes one more)
    const t2 = long(withEvents(
      '  - { date: 2026-01-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, perDay: 100, until: 2027-08-23 } }',
      '  - { date: 2026-01-01, account: L-1, payment: 1 }',
      '  - { date: 2026-01-01, account: L-1, attempts: { party: reference, channel: call, outcome: busy, perDay: 100, until: 2027-08-23 } }',
    ));
    expectOnly(t2, at(t2, '{ party', 1), 'events[2].attempts',
      `expands to 60000 attempts, more than the 39999 left of the ${MAX_TIMELINE_EVENTS} events a file may have`);
    // exactly at the cap is fine
    const t3 = long(withEvents(
      '  - { date: 2026-01-01, account: L-1, attempts: { party: borrower, channel: call, outcome: busy, perDay: 100, until: 2028-09-26 } }',
    ));
    expect(parseTimeline(t3, FILE).events).toHaveLength(MAX_TIMELINE_EVENTS);
  });
});

describe('strategy', () => {
  const withStrategy = (value: string): string => HEAD.replace('until: 2026-06-30\n', `until: 2026-06-30\nstrategy: ${value}\n`);

  it('is null when absent or empty (null), and kept as written otherwise', () => {
    expect(parseTimeline(HEAD, FILE).strategy).toBeNull();
    expect(parseTimeline(withStrategy('~'), FILE).strategy).toBeNull();
    expect(parseTimeline(withStrategy('default'), FILE).strategy).toBe('default');
    expect(parseTimeline(withStrategy('collections_v2.1-b'), FILE).strategy).toBe('collections_v2.1-b');
    expect(parseTimeline(withStrategy('../strategies/aggressive.yaml'), FILE).strategy).toBe('../strategies/aggressive.yaml');
    expect(parseTimeline(withStrategy('local.yml'), FILE).strategy).toBe('local.yml');
  });

  it('must be a non-empty string; a name has only letters, digits, _ - .; a path ends in .yaml or .yml', () => {
    const expected = 'a strategy name (e.g. default, for strategies/default.yaml) or a path to a .yaml file relative to this timeline';
    expectOnly(withStrategy('3'), '3:11', 'strategy', `must be ${expected}, got 3`);
    expectOnly(withStrategy('""'), '3:11', 'strategy', `must be ${expected}, got ""`);
    expectOnly(withStrategy('{ name: default }'), '3:11', 'strategy', `must be ${expected}, got {"name":"default"}`);
    expectOnly(withStrategy('"my plan"'), '3:11', 'strategy', `must be ${expected}; a name has only letters, digits, _, - and ., got "my plan"`);
    expectOnly(withStrategy('../strategies/x'), '3:11', 'strategy', 'a path must end in .yaml or .yml, got "../strategies/x"');
    expectOnly(withStrategy('" default"'), '3:11', 'strategy', 'must not start or end with spaces, got " default"');
  });

  it('tells names from paths', () => {
    expect(isStrategyPath('default')).toBe(false);
    expect(isStrategyPath('v2.beta')).toBe(false);
    expect(isStrategyPath('x.yaml')).toBe(true);
    expect(isStrategyPath('x.YML')).toBe(true);
    expect(isStrategyPath('sub/x.yaml')).toBe(true);
    expect(isStrategyPath('sub\\x.yaml')).toBe(true);
  });

  it('resolves a name under <cwd>/strategies and a path relative to the timeline file', () => {
    expect(resolveStrategyPath({ file: 'timelines/a.yaml', strategy: 'default' }, '/proj')).toBe('/proj/strategies/default.yaml');
    expect(resolveStrategyPath({ file: '/elsewhere/a.yaml', strategy: 'default' }, '/proj')).toBe('/proj/strategies/default.yaml');
    expect(resolveStrategyPath({ file: 'timelines/a.yaml', strategy: 'mine.yaml' }, '/proj')).toBe('/proj/timelines/mine.yaml');
    expect(resolveStrategyPath({ file: 'timelines/a.yaml', strategy: '../strategies/b.yaml' }, '/proj')).toBe('/proj/strategies/b.yaml');
    expect(resolveStrategyPath({ file: '/data/t/a.yaml', strategy: 's/b.yml' }, '/proj')).toBe('/data/t/s/b.yml');
    expect(resolveStrategyPath({ file: 'a.yaml', strategy: '/abs/c.yaml' }, '/proj')).toBe('/abs/c.yaml');
    expect(resolveStrategyPath({ file: 'a.yaml', strategy: null }, '/proj')).toBeNull();
  });
});

describe('the strategy acceptance timelines', () => {
  const read = (name: string): string => readFileSync(new URL(`../../timelines/${name}`, import.meta.url), 'utf8');

  it('never-answers.yaml: default strategy, no conversation ever, no payment after the first instalment', () => {
    const t = parseTimeline(read('never-answers.yaml'), 'timelines/never-answers.yaml');
    expect(t.strategy).toBe('default');
    expect(resolveStrategyPath(t, '/proj')).toBe('/proj/strategies/default.yaml');
    expect(t.accounts).toHaveLength(1);
    const attempts = attemptsOf(t.events);
    expect(attempts.every((e) => ['no_answer', 'busy', 'voicemail'].includes(e.attempt.outcome))).toBe(true);
    const payments = t.events.filter((e) => e.kind === 'payment');
    expect(payments.map((e) => e.date)).toEqual(['2026-02-01']);
    // daily borrower calls from the day after the first missed due date (2026-03-01) to the end
    const borrowerCallDays = new Set(attempts.filter((e) => e.attempt.party === 'borrower' && e.attempt.channel === 'call').map((e) => e.date));
    expect(borrowerCallDays.size).toBe(213);
    expect([...borrowerCallDays][0]).toBe('2026-03-02');
    expect(t.until).toBe('2026-09-30');
    // DPD reaches 180 (bad_debt in the default ladder) on 2026-08-28, well before until
    expect(attempts.some((e) => e.attempt.party === 'reference')).toBe(true);
    expect(attempts.some((e) => e.attempt.channel === 'visit')).toBe(true);
  });

  it('promise-kept.yaml: default strategy, a promise covering the arrears, paid by its due date', () => {
    const t = parseTimeline(read('promise-kept.yaml'), 'timelines/promise-kept.yaml');
    expect(t.strategy).toBe('default');
    const promises = attemptsOf(t.events).filter((e) => e.attempt.outcome === 'promise');
    expect(promises).toHaveLength(1);
    const p = promises[0]?.attempt.promise;
    expect(p).toEqual({ amount: 94000, due: '2026-03-10' });
    const paid = t.events.find((e) => e.kind === 'payment' && e.date > (promises[0]?.date ?? '') && e.date <= (p?.due ?? ''));
    expect(paid).toMatchObject({ kind: 'payment', amount: 94000, date: '2026-03-09' });
  });
});
