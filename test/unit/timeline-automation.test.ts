/**
 * Timeline syntax for automated tasks and promises: `automate:`, `check:` events, `agent:` and
 * `agency:` on attempts — with the errors a newcomer gets — and how the trace shows sends and
 * promises (summaries for the table, `check:` mismatches).
 */
import { describe, expect, it } from 'vitest';
import {
  checkMismatches, expectationFailures, parseTimeline, summarizePromises, summarizeSends, TimelineError,
  type AttemptEvent, type CheckEvent, type TracePromise, type TraceRow, type TraceSend,
} from '../../src/timeline/index.js';

const FILE = 'tl/auto.yaml';

function head(extra = '', { strategy = true, jurisdiction = true } = {}): string {
  return `start: 2026-03-01
until: 2026-03-31
${strategy ? 'strategy: default\n' : ''}${jurisdiction ? 'jurisdiction: cn\n' : ''}${extra}products:
  p: { method: annuity, annualRate: 0.12, termMonths: 12 }
accounts:
  - id: L-1
    product: p
    principal: 100000
    currency: CNY
    disbursed: 2026-01-01
    borrower: { id: B-1, name: Wang Fang, timezone: Asia/Shanghai, phones: ["+8613800138000"] }
`;
}

function withEvents(text: string, ...lines: string[]): string {
  return `${text}events:\n${lines.map((l) => `${l}\n`).join('')}`;
}

function issues(text: string): string[] {
  try {
    parseTimeline(text, FILE);
  } catch (e) {
    if (e instanceof TimelineError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected parseTimeline to throw');
}

describe('automate', () => {
  it('defaults to every automated channel with a strategy and a jurisdiction, else none', () => {
    expect(parseTimeline(head(), FILE).automate).toEqual(['sms', 'email', 'letter']);
    expect(parseTimeline(head('', { jurisdiction: false }), FILE).automate).toEqual([]);
    expect(parseTimeline(head('', { strategy: false }), FILE).automate).toEqual([]);
  });

  it('may be false, true or a list of channels', () => {
    expect(parseTimeline(head('automate: false\n'), FILE).automate).toEqual([]);
    expect(parseTimeline(head('automate: true\n'), FILE).automate).toEqual(['sms', 'email', 'letter']);
    expect(parseTimeline(head('automate: [letter, sms]\n'), FILE).automate).toEqual(['letter', 'sms']);
  });

  it('names a bad value, a channel it cannot automate, a repeat, and a missing strategy or jurisdiction', () => {
    expect(issues(head('automate: yes\n'))).toEqual([`${FILE}:5:11: automate: must be true, false, or a non-empty list of sms, email, letter, got "yes"`]);
    expect(issues(head('automate: [sms, call, sms]\n'))).toEqual([
      `${FILE}:5:17: automate[1]: must be one of sms, email, letter, got "call"`,
      `${FILE}:5:23: automate[2]: lists sms twice`,
    ]);
    expect(issues(head('automate: true\n', { jurisdiction: false }))).toEqual([
      `${FILE}:4:11: automate: needs a strategy (which plans the tasks) and a jurisdiction (the gate they go through); this timeline has no jurisdiction`,
    ]);
    // false needs neither
    expect(parseTimeline(head('automate: false\n', { strategy: false, jurisdiction: false }), FILE).automate).toEqual([]);
  });
});

describe('check events', () => {
  it('reads counts of sends and promise states', () => {
    const t = parseTimeline(withEvents(head(),
      '  - { date: 2026-03-05, account: L-1, check: { sent: 2, blocked: 0, notSendable: 1, promises: { open: 1, broken: 0 } } }'), FILE);
    const c = t.events[0] as CheckEvent;
    expect(c).toEqual({ kind: 'check', date: '2026-03-05', accountId: 'L-1', line: 15, index: 0, expect: { sent: 2, blocked: 0, notSendable: 1, promises: { open: 1, broken: 0 } } });
  });

  it('names bad counts, unknown keys and an empty check', () => {
    expect(issues(withEvents(head(),
      '  - { date: 2026-03-05, account: L-1, check: { sent: -1, delivered: 2, promises: { open: 1.5, late: 1 } } }',
      '  - { date: 2026-03-06, account: L-1, check: {} }'))).toEqual([
      `${FILE}:15:54: events[0].check.sent: must be a whole number 0 or more, got -1`,
      `${FILE}:15:58: events[0].check.delivered: is not a known field (known: sent, blocked, notSendable, promises)`,
      `${FILE}:15:90: events[0].check.promises.open: must be a whole number 0 or more, got 1.5`,
      `${FILE}:15:95: events[0].check.promises.late: is not a known field (known: open, kept, broken)`,
      `${FILE}:16:46: events[1].check: must be a mapping with at least one of sent, blocked, notSendable, promises, got {}`,
    ]);
  });

  it('counts of sends need automated tasks; promise states do not', () => {
    const text = withEvents(head('', { jurisdiction: false }),
      '  - { date: 2026-03-05, account: L-1, check: { sent: 1 } }',
      '  - { date: 2026-03-05, account: L-1, check: { promises: { open: 0 } } }');
    expect(issues(text)).toEqual([
      `${FILE}:14:46: events[0].check: sent, blocked and notSendable need automated tasks (a strategy and a jurisdiction, and automate not false)`,
    ]);
  });
});

describe('agent and agency on attempts', () => {
  it('are read on attempt and attempts events', () => {
    const t = parseTimeline(withEvents(head(),
      '  - { date: 2026-03-05, account: L-1, attempt: { party: borrower, channel: call, outcome: conversation, agent: U-7, agency: AG-EAST } }',
      '  - { date: 2026-03-06, account: L-1, attempts: { party: borrower, channel: call, outcome: no_answer, until: 2026-03-06, agency: AG-EAST } }'), FILE);
    const [a, b] = t.events as AttemptEvent[];
    expect([a?.gate.agent, a?.gate.agency]).toEqual(['U-7', 'AG-EAST']);
    expect([b?.gate.agent, b?.gate.agency]).toEqual([null, 'AG-EAST']);
  });

  it('must be non-empty strings, and need a jurisdiction; the error names the line', () => {
    expect(issues(withEvents(head(),
      '  - { date: 2026-03-05, account: L-1, attempt: { party: borrower, channel: call, outcome: busy, agent: "", agency: 7 } }'))).toEqual([
      `${FILE}:15:104: events[0].attempt.agent: must be the id of the agent (user) who made the attempt (a non-empty string), got ""`,
      `${FILE}:15:116: events[0].attempt.agency: must be the id of the collection agency that made the attempt (a non-empty string), got 7`,
    ]);
    expect(issues(withEvents(head('', { jurisdiction: false }),
      '  - { date: 2026-03-05, account: L-1, attempt: { party: borrower, channel: call, outcome: busy, agent: U-7 } }'))).toEqual([
      `${FILE}:14:5: events[0]: agent and agency need a jurisdiction: they are recorded with the gate decision`,
    ]);
  });
});

const send = (over: Partial<TraceSend>): TraceSend => ({
  time: '2026-03-05T01:00:00.000Z', task: 'sms', channel: 'sms', party: 'borrower', person: 'B-1', to: '+8613800138000', template: 'overdue',
  status: 'sent', rule: null, reason: null, text: 'Hi', providerId: 'rec-000001', ...over,
});
const promise = (over: Partial<TracePromise>): TracePromise => ({
  madeOn: '2026-03-05', amount: 10000, due: '2026-03-10', paid: 0, remaining: 10000, state: 'open', settledOn: null, channel: 'call', takenBy: null, agencyId: null, ...over,
});

describe('sends and promises in the trace', () => {
  it('summarises sends for the table', () => {
    expect(summarizeSends([])).toBe('-');
    expect(summarizeSends([
      send({}),
      send({ channel: 'letter', task: 'letter', party: 'reference', template: 'ref', status: 'not_sendable', reason: 'no address' }),
      send({ channel: 'email', task: 'email', template: 'late', status: 'blocked', rule: 'cn/hours' }),
    ])).toBe('sms:overdue, letter→reference:ref not sendable, email:late blocked (cn/hours)');
  });

  it('summarises promises for the table: open with what is left, then kept and broken', () => {
    const m = (n: number): string => (n / 100).toFixed(2);
    expect(summarizePromises([], m)).toBe('-');
    expect(summarizePromises([
      promise({ remaining: 4000, paid: 6000 }), promise({ state: 'kept' }), promise({ state: 'broken' }), promise({ state: 'broken' }), promise({ remaining: 500 }),
    ], m)).toBe('2 open (45.00 left), 1 kept, 2 broken');
  });

  it('reports every count a check gets wrong, and expectationFailures names file and line', () => {
    const row = { sent: [send({}), send({ status: 'blocked', rule: 'cn/hours' })], promises: [promise({ state: 'kept' })] };
    expect(checkMismatches(row, { sent: 1, blocked: 1, notSendable: 0, promises: { kept: 1, open: 0 } })).toEqual([]);
    expect(checkMismatches(row, { sent: 2, notSendable: 1, promises: { broken: 1 } })).toEqual([
      'expected sent 2, got 1', 'expected notSendable 1, got 0', 'expected promises broken 1, got 0',
    ]);
    const r = { date: '2026-03-05', account: 'L-1', ...row, checks: [{ line: 40, blocked: 2 }] } as unknown as TraceRow;
    expect(expectationFailures([r], FILE)).toEqual([`${FILE}:40: 2026-03-05 L-1: expected blocked 2, got 1`]);
  });
});
