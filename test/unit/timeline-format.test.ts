import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { describeEvent, filterRows, formatJsonLines, formatTable, summarizeTasks } from '../../src/timeline/index.js';
import type { TraceRow, TraceTask } from '../../src/timeline/index.js';

function row(over: Partial<TraceRow> = {}): TraceRow {
  return {
    date: '2026-02-01',
    account: 'L-1',
    dpd: 0,
    bucket: 'C',
    delinquentSince: null,
    balances: { principal: 1000000, interest: 10000, penalty: 0, fees: 0, total: 1010000 },
    overdue: 0,
    events: [],
    ...over,
  };
}

const alloc = { fees: 0, penalty: 0, interest: 10000, principal: 78849, credit: 0, prepaid: 0 };

describe('formatJsonLines', () => {
  it('writes one object per line with keys in the documented order, whatever the input order', () => {
    const scrambled = {
      events: [{ type: 'cured' }],
      overdue: 5,
      balances: { total: 10, fees: 4, penalty: 3, interest: 2, principal: 1 },
      delinquentSince: '2026-02-02',
      bucket: 'M1',
      dpd: 3,
      account: 'L-1',
      date: '2026-02-04',
    } satisfies TraceRow;
    expect(formatJsonLines([scrambled])).toBe(
      '{"date":"2026-02-04","account":"L-1","dpd":3,"bucket":"M1","delinquentSince":"2026-02-02",' +
        '"balances":{"principal":1,"interest":2,"penalty":3,"fees":4,"total":10},"overdue":5,"events":[{"type":"cured"}]}\n',
    );
  });

  it('accepts any iterable, ends every line with a newline, and writes nothing for no rows', () => {
    function* gen(): Generator<TraceRow> {
      yield row();
      yield row({ date: '2026-02-02', dpd: 1 });
    }
    const out = formatJsonLines(gen());
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1] ?? '')).toEqual(row({ date: '2026-02-02', dpd: 1 }));
    expect(formatJsonLines([])).toBe('');
  });

  it('keeps null delinquentSince and event objects as they are', () => {
    const ev: LedgerEvent = { type: 'payment', key: 'k', amount: 88849, allocation: alloc };
    const parsed: unknown = JSON.parse(formatJsonLines([row({ events: [ev] })]));
    expect(parsed).toMatchObject({ delinquentSince: null, events: [ev] });
  });
});

describe('describeEvent', () => {
  const cases: [LedgerEvent, string][] = [
    [{ type: 'instalment_due', n: 1, principal: 78849, interest: 10000 }, 'due #1 888.49'],
    [{ type: 'payment', key: 'k', amount: 100000, allocation: alloc }, 'payment 1,000.00'],
    [
      { type: 'payment', key: 'k', amount: 200000, allocation: { ...alloc, credit: 11151, prepaid: 100000 } },
      'payment 2,000.00 (prepaid 1,000.00, credit 111.51)',
    ],
    [{ type: 'credit_applied', n: 3, amount: 1200 }, 'credit→#3 12.00'],
    [{ type: 'liquidated_damages', n: 2, amount: 4442 }, 'LD #2 44.42'],
    [{ type: 'cost_cap_reached', limit: 500000, forgone: 123 }, 'cost cap reached (forgone 1.23)'],
    [{ type: 'bucket_change', from: 'M2', to: 'M1', dpd: 30 }, 'M2→M1'],
    [{ type: 'cured' }, 'cured'],
    [{ type: 'paused', from: '2026-03-01', until: '2026-03-31', reason: 'hardship' }, 'paused until 2026-03-31 (hardship)'],
    [{ type: 'closed' }, 'closed'],
  ];
  it.each(cases)('%j → %s', (e, text) => {
    expect(describeEvent(e, 'USD')).toBe(text);
  });

  it('uses the currency’s minor digits', () => {
    expect(describeEvent({ type: 'liquidated_damages', n: 1, amount: 1234567 }, 'JPY')).toBe('LD #1 1,234,567');
  });

  it('shows other events by their type, or as JSON', () => {
    expect(describeEvent({ type: 'sms_sent', to: '+1' }, 'USD')).toBe('sms_sent');
    expect(describeEvent('note', 'USD')).toBe('"note"');
  });
});

describe('formatTable', () => {
  it('aligns columns, formats amounts per currency and lists events', () => {
    const rows: TraceRow[] = [
      row({
        events: [
          { type: 'instalment_due', n: 1, principal: 78849, interest: 10000 },
          { type: 'payment', key: 'k', amount: 88849, allocation: alloc },
        ],
      }),
      row({
        date: '2026-03-15',
        account: 'J-22',
        dpd: 42,
        bucket: 'M2',
        delinquentSince: '2026-02-02',
        balances: { principal: 1234567, interest: 0, penalty: 89, fees: 1000, total: 1235656 },
        overdue: 5000,
        events: [{ type: 'bucket_change', from: 'M1', to: 'M2', dpd: 31 }],
      }),
    ];
    const out = formatTable(rows, (id) => (id === 'J-22' ? 'JPY' : 'USD'));
    expect(out).toBe(
      [
        'date        account  DPD  bucket  since       principal  interest  penalty   fees      total  overdue  events',
        '----------  -------  ---  ------  ----------  ---------  --------  -------  -----  ---------  -------  -----------------------------',
        '2026-02-01  L-1        0  C       -           10,000.00    100.00     0.00   0.00  10,100.00     0.00  due #1 888.49; payment 888.49',
        '2026-03-15  J-22      42  M2      2026-02-02  1,234,567         0       89  1,000  1,235,656    5,000  M1→M2',
        '',
      ].join('\n'),
    );
  });

  it('keeps every row it is given and asks currencyOf for each account', () => {
    const seen: string[] = [];
    const out = formatTable([row(), row({ account: 'L-2' }), row()], (id) => {
      seen.push(id);
      return 'EUR';
    });
    expect(out.trimEnd().split('\n')).toHaveLength(5);
    expect(seen).toEqual(['L-1', 'L-2', 'L-1']);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable([], () => 'USD').split('\n')[0]).toMatch(/^date\s+account\s+DPD\s+bucket\s+since\s+principal/);
  });
});

describe('filterRows', () => {
  const rows = [
    row({ date: '2026-01-31', account: 'L-1' }),
    row({ date: '2026-01-31', account: 'L-2' }),
    row({ date: '2026-02-01', account: 'L-1' }),
    row({ date: '2026-02-02', account: 'L-2' }),
  ];
  it('keeps rows on or before until', () => {
    expect(filterRows(rows, { until: '2026-02-01' }).map((r) => `${r.date}/${r.account}`)).toEqual([
      '2026-01-31/L-1', '2026-01-31/L-2', '2026-02-01/L-1',
    ]);
  });
  it('keeps rows of one account', () => {
    expect(filterRows(rows, { account: 'L-2' }).map((r) => r.date)).toEqual(['2026-01-31', '2026-02-02']);
  });
  it('combines both, and returns everything without options', () => {
    expect(filterRows(rows, { until: '2026-01-31', account: 'L-1' })).toEqual([rows[0]]);
    expect(filterRows(rows, {})).toEqual(rows);
  });
  it('rejects an invalid until date', () => {
    expect(() => filterRows(rows, { until: '2026-13-01' })).toThrow(ValidationError);
  });
});

describe('strategy columns', () => {
  const call = (party = 'borrower'): TraceTask => ({ type: 'call', party, channel: 'call' });
  const sms: TraceTask = { type: 'sms', party: 'borrower', channel: 'sms' };

  it('JSON: appended after events in the order stage, variant, stageChangedBecause, tasks, only when present', () => {
    const scrambled = {
      tasks: [{ template: 'remind-1', channel: 'sms', priority: 2, party: 'borrower', type: 'sms' }],
      stageChangedBecause: 'dpd >= 1',
      variant: null,
      stage: 'reminder',
      ...row({ dpd: 1 }),
    } satisfies TraceRow;
    expect(formatJsonLines([scrambled])).toBe(
      '{"date":"2026-02-01","account":"L-1","dpd":1,"bucket":"C","delinquentSince":null,' +
        '"balances":{"principal":1000000,"interest":10000,"penalty":0,"fees":0,"total":1010000},"overdue":0,"events":[],' +
        '"stage":"reminder","variant":null,"stageChangedBecause":"dpd >= 1",' +
        '"tasks":[{"type":"sms","party":"borrower","channel":"sms","template":"remind-1","priority":2}]}\n',
    );
  });

  it('JSON: only the fields given; a row without them keeps exactly the ledger shape', () => {
    const line = formatJsonLines([row({ stage: 'current', tasks: [] })]);
    expect(line.endsWith('"events":[],"stage":"current","tasks":[]}\n')).toBe(true);
    expect(Object.keys(JSON.parse(formatJsonLines([row()])) as object)).toEqual([
      'date', 'account', 'dpd', 'bucket', 'delinquentSince', 'balances', 'overdue', 'events',
    ]);
    const charge: TraceTask = { type: 'charge_off', party: null, channel: null };
    expect(JSON.parse(formatJsonLines([row({ stage: 'bad_debt', variant: 'B', tasks: [charge] })]))).toMatchObject({
      stage: 'bad_debt', variant: 'B', tasks: [charge],
    });
  });

  it('summarizeTasks: per type in first-seen order, ×N, →party when not the borrower, - for none', () => {
    expect(summarizeTasks([call(), sms, call(), call()])).toBe('call×3 sms');
    expect(summarizeTasks([call('reference'), call('reference'), call('employer'), call()])).toBe('call→reference×2 call→employer call');
    expect(summarizeTasks([{ type: 'charge_off', party: null, channel: null }])).toBe('charge_off');
    expect(summarizeTasks([])).toBe('-');
  });

  it('table: a stage column after bucket, a tasks column before events, and the stage change in events', () => {
    const rows: TraceRow[] = [
      row({ stage: 'current', stageChangedBecause: null, tasks: [] }),
      row({
        date: '2026-03-05',
        dpd: 4,
        bucket: 'M1',
        delinquentSince: '2026-03-02',
        overdue: 93331,
        events: [{ type: 'cured' }],
        stage: 'intensified',
        stageChangedBecause: 'dpd >= 4',
        tasks: [call(), sms, call()],
      }),
    ];
    expect(formatTable(rows, () => 'USD')).toBe(
      [
        'date        account  DPD  bucket  stage        since       principal  interest  penalty  fees      total  overdue  tasks       events',
        '----------  -------  ---  ------  -----------  ----------  ---------  --------  -------  ----  ---------  -------  ----------  ------------------------------',
        '2026-02-01  L-1        0  C       current      -           10,000.00    100.00     0.00  0.00  10,100.00     0.00  -',
        '2026-03-05  L-1        4  M1      intensified  2026-03-02  10,000.00    100.00     0.00  0.00  10,100.00   933.31  call×2 sms  cured; →intensified (dpd >= 4)',
        '',
      ].join('\n'),
    );
  });

  it('table: a variant column when any row has one; - for rows without stage or variant', () => {
    const out = formatTable([row({ stage: 'reminder', variant: 'challenger' }), row({ account: 'L-2' })], () => 'USD');
    const [header, , first, second] = out.split('\n');
    expect(header).toMatch(/^date\s+account\s+DPD\s+bucket\s+stage\s+variant\s+since\s+principal.*overdue\s+tasks\s+events$/);
    expect(first).toMatch(/^2026-02-01\s+L-1\s+0\s+C\s+reminder\s+challenger\s+-\s+10,000\.00/);
    expect(second).toMatch(/^2026-02-01\s+L-2\s+0\s+C\s+-\s+-\s+-\s+10,000\.00.*\s-$/);
  });

  it('table: no strategy columns when no row has a stage (even with a null variant)', () => {
    const out = formatTable([row({ variant: null })], () => 'USD');
    expect(out.split('\n')[0]).toBe(formatTable([row()], () => 'USD').split('\n')[0]);
    expect(out).not.toMatch(/stage|tasks|variant/);
  });
});
