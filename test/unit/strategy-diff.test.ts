import { describe, expect, it } from 'vitest';
import { diffEvaluations, formatDiff, formatDiffJson, taskKind, type DiffRow, type DiffTask } from '../../src/strategy/diff.js';

const call: DiffTask = { type: 'call', channel: 'call' };
const sms: DiffTask = { type: 'sms', channel: 'sms' };
const offer: DiffTask = { type: 'offer', channel: 'sms' };
const chargeOff: DiffTask = { type: 'charge_off', channel: null };

function row(accountId: string, date: string, old: [string, DiffTask[]], neu: [string, DiffTask[]]): DiffRow {
  return { accountId, date, old: { stage: old[0], tasks: old[1] }, new: { stage: neu[0], tasks: neu[1] } };
}

const ROWS: DiffRow[] = [
  row('A', '2026-03-01', ['intensified', [call, call, sms]], ['contact_persons', [call, call, call, call, sms]]),
  row('A', '2026-03-02', ['intensified', [call, sms]], ['contact_persons', [call, call, call, sms]]),
  row('B', '2026-03-01', ['reminder', [sms, call]], ['reminder', [sms, call]]),
  row('B', '2026-03-02', ['reminder', [sms, call]], ['reminder', [call, sms]]),
  row('C', '2026-03-01', ['legal', []], ['bad_debt', [chargeOff]]),
  row('D', '2026-03-02', ['intensified', [call]], ['contact_persons', [call]]),
  row('E', '2026-03-02', ['negotiating', [offer]], ['negotiating', []]),
];

describe('diffEvaluations', () => {
  const d = diffEvaluations(ROWS, { old: 'default@1', new: 'default@2', examples: 1 });

  it('counts account-days and accounts whose stage changes', () => {
    expect(d.accountDays).toBe(7);
    expect(d.accounts).toBe(5);
    expect([d.from, d.until]).toEqual(['2026-03-01', '2026-03-02']);
    expect(d.changedAccountDays).toBe(4);
    expect(d.changedAccounts).toBe(3);
  });

  it('builds the from → to matrix, most account-days first, with capped examples', () => {
    expect(d.stageChanges).toEqual([
      { from: 'intensified', to: 'contact_persons', accountDays: 3, accounts: 2, examples: ['A'] },
      { from: 'legal', to: 'bad_debt', accountDays: 1, accounts: 1, examples: ['C'] },
    ]);
  });

  it('counts task volumes per date and channel (type when there is no channel)', () => {
    expect(d.volumes).toEqual([
      { date: '2026-03-01', kind: 'call', old: 3, new: 5, delta: 2 },
      { date: '2026-03-01', kind: 'charge_off', old: 0, new: 1, delta: 1 },
      { date: '2026-03-01', kind: 'sms', old: 2, new: 2, delta: 0 },
      { date: '2026-03-02', kind: 'call', old: 3, new: 5, delta: 2 },
      { date: '2026-03-02', kind: 'sms', old: 3, new: 2, delta: -1 },
    ]);
    expect(d.totals).toEqual([
      { kind: 'call', old: 6, new: 10, delta: 4 },
      { kind: 'charge_off', old: 0, new: 1, delta: 1 },
      { kind: 'sms', old: 5, new: 4, delta: -1 },
    ]);
    // task order does not matter; A twice, C, E
    expect(d.changedTaskAccountDays).toBe(4);
    expect(taskKind(offer)).toBe('sms');
    expect(taskKind(chargeOff)).toBe('charge_off');
  });

  it('is empty for no rows', () => {
    const e = diffEvaluations([]);
    expect(e).toMatchObject({ accountDays: 0, accounts: 0, from: null, until: null, changedAccounts: 0, stageChanges: [], volumes: [], totals: [] });
    expect(formatDiff(e)).toContain('no account-days');
  });

  it('keeps five examples by default', () => {
    const rows = Array.from({ length: 8 }, (_, i) => row(`L-${i}`, '2026-01-01', ['a', []], ['b', []]));
    expect(diffEvaluations(rows).stageChanges[0]?.examples).toEqual(['L-0', 'L-1', 'L-2', 'L-3', 'L-4']);
  });
});

describe('formatDiff', () => {
  const d = diffEvaluations(ROWS, { old: 'default@1', new: 'default@2', source: 'timeline t.yaml' });

  it('prints the summary, the matrix, totals and the changed days', () => {
    expect(formatDiff(d)).toBe([
      'strategy diff default@1 → default@2 (2026-03-01 … 2026-03-02)',
      'source: timeline t.yaml',
      '7 account-day(s) of 5 account(s) re-evaluated',
      'stage changes: 3 account(s), 4 account-day(s)',
      'task changes: 4 account-day(s) plan other tasks',
      '',
      'stage changes (old → new):',
      'from         to               account-days  accounts  examples',
      '-----------  ---------------  ------------  --------  --------',
      'intensified  contact_persons             3         2  A, D',
      'legal        bad_debt                    1         1  C',
      '',
      'tasks by channel (all dates):',
      'channel     old  new  delta',
      '----------  ---  ---  -----',
      'call          6   10     +4',
      'charge_off    0    1     +1',
      'sms           5    4     -1',
      '',
      'task volume changes per day and channel:',
      'date        channel     old  new  delta',
      '----------  ----------  ---  ---  -----',
      '2026-03-01  call          3    5     +2',
      '2026-03-01  charge_off    0    1     +1',
      '2026-03-02  call          3    5     +2',
      '2026-03-02  sms           3    2     -1',
      '',
    ].join('\n'));
  });

  it('lists unchanged days on request, and says when nothing changed', () => {
    expect(formatDiff(d, { allDays: true })).toContain('2026-03-01  sms           2    2      0');
    const same = diffEvaluations([row('A', '2026-03-01', ['x', [call]], ['x', [call]])]);
    const text = formatDiff(same);
    expect(text).toContain('stage changes: 0 account(s), 0 account-day(s)');
    expect(text).toContain('task volumes: no change on any day');
    expect(text).not.toContain('stage changes (old → new)');
  });

  it('marks truncated examples and round-trips as JSON', () => {
    const rows = Array.from({ length: 3 }, (_, i) => row(`L-${i}`, '2026-01-01', ['a', []], ['b', []]));
    expect(formatDiff(diffEvaluations(rows, { examples: 2 }))).toContain('L-0, L-1, …');
    expect(JSON.parse(formatDiffJson(d))).toEqual(d);
  });
});
