/**
 * `arrears caller-number …`, `arrears dialer export|import` and `arrears gate decide --caller`, as a
 * dialer job drives them, on SQLite and PostgreSQL: numbers registered and listed; the export as
 * JSON and CSV (windows in the number's zone, left-out numbers counted on stderr); an import with a
 * call the gate blocks (exit 3, rule and reason), an unregistered caller number, a bad row (row and
 * field); the same file again: the imported call a duplicate, the blocked ones blocked again (exit 3).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('dialercli'))('arrears dialer on $name', (t) => {
  const run = cliRunner(t);
  const dir = mkdtempSync(join(tmpdir(), 'arrears-dialer-'));

  it('registers caller numbers, exports the day\'s windows, imports the calls through the gate', async () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    expect(run('gate', 'jurisdiction', 'us-regf').status).toBe(0);
    const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      // L-1001 (New York) and L-1002 (Chicago) have a planned call on 2026-03-02; L-1002 asked to cease
      for (const id of ['L-1001', 'L-1002']) {
        await s.db.insertInto('tasks').values({ account_id: id, business_date: '2026-03-02', type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned' }).execute();
      }
    } finally {
      await s.close();
    }
    expect(run('act', 'record', '--account', 'L-1002', '--kind', 'cease', '--source', 'letter', '--at', '2026-03-01T12:00:00Z').status).toBe(0);

    expect(run('caller-number', 'add', '+1 (212) 555-0900', '--label', 'collections NY', '--at', '2026-01-01T00:00:00Z').stdout).toContain('caller number +12125550900 registered for the lender from 2026-01-01T00:00:00.000Z');
    expect(run('caller-number', 'add', '+12125550900').stderr).toContain('is registered already');
    expect(run('caller-number', 'add', '+12125550901', '--agency', 'nobody').stderr).toContain('unknown agency "nobody"');
    expect(run('caller-number', 'add', '+12125550902', '--at', '2026-01-01T00:00:00Z').status).toBe(0);
    expect(run('caller-number', 'retire', '+12125550902', '--at', '2026-02-01T00:00:00Z').stdout).toContain('caller number +12125550902 retired at 2026-02-01T00:00:00.000Z');
    expect(run('caller-number', 'list').stdout).toMatch(/\+12125550900\s+lender\s+collections NY\s+2026-01-01T00:00:00.000Z\s*\n\+12125550902\s+lender\s+2026-01-01T00:00:00.000Z\s+2026-02-01T00:00:00.000Z/);
    expect(JSON.parse(run('caller-number', 'list', '--in-use', '--format', 'json').stdout)).toHaveLength(1);

    // the gate with --caller: a retired number is blocked (exit 3), a registered one allowed
    const retired = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-02-27T15:00:00Z', '--caller', '+12125550902');
    expect(retired.status).toBe(3);
    expect(retired.stdout).toContain('blocked by registered-caller-number (decision 1): The caller number +12125550902 was retired');

    const json = run('dialer', 'export', '--date', '2026-03-02', '--format', 'json');
    expect(json.status).toBe(0);
    const e = JSON.parse(json.stdout) as { callerNumbers: string[]; rows: { exportRowId: string; number: string; windows: { local: string; from: string; to: string }[] }[]; noWindow: { number: string; rule: string }[] };
    expect(e.callerNumbers).toEqual(['+12125550900']);
    expect(e.rows.map((r) => [r.number, r.windows.map((w) => `${w.local} ${w.from}`)])).toEqual([['+12125550100', ['08:00-21:00 2026-03-02T13:00:00.000Z']]]);
    expect(e.noWindow.map((r) => [r.number, r.rule])).toEqual([['+13125550123', 'us-regf/cease']]);

    const out = join(dir, 'export.csv');
    const csv = run('dialer', 'export', '--date', '2026-03-02', '--out', out);
    expect(csv.status).toBe(0);
    expect(csv.stderr).toContain('1 number(s) to call on 2026-03-02; left out: 1 number(s) with no window today, 0 task(s) with no number in use');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^export_row_id,date,task_id,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(e.rows.map((r) => r.exportRowId));

    expect(run('user', 'add', '--id', 'ann', '--name', 'Ann').status).toBe(0);
    const first = e.rows[0];
    const second = first;
    const results = join(dir, 'calls.csv');
    writeFileSync(results, [
      'call_id,export_row_id,caller_number,agent,at,outcome,promise_amount,promise_due',
      `D-1,${first?.exportRowId ?? ''},+12125550900,ann,2026-03-02T14:05:00Z,promise,12000,2026-03-09`,
      `D-2,${second?.exportRowId ?? ''},+12125550900,ann,2026-03-02T20:30:00Z,no_answer,,`,
      `D-3,${second?.exportRowId ?? ''},+12125550999,ann,2026-03-02T16:00:00Z,no_answer,,`,
      `D-4,${second?.exportRowId ?? ''},+12125550900,ann,2026-03-02T16:00:00Z,maybe,,`,
      `D-5,${second?.exportRowId ?? ''},+12125550900,ann,2026-03-02T16:00:00Z,promise,12.5,2026-03-09`,
      `D-6,${second?.exportRowId ?? ''},+12125550900,ann,2026-03-02T16:00:00Z,promise,999999999999,2026-03-09`,
      `D-7,${second?.exportRowId ?? ''},+12125550900,ann,2026-03-02T16:00:00Z,promise,12000,2099-01-01`,
    ].join('\n'));
    const strict = run('dialer', 'import', results, '--strict');
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('row 4 (call D-4): outcome: must be one of');
    expect(strict.stderr).toContain('--strict: 4 invalid row(s); nothing imported');
    // the amount was given: the message says what is wrong with it; a promise is bounded by the balance and PROMISE_MAX_DAYS
    expect(strict.stderr).toContain('row 5 (call D-5): promiseAmount: must be a whole number of minor units > 0 (e.g. 25000 for 250.00), got "12.5"');
    expect(strict.stderr).toMatch(/row 6 \(call D-6\): promiseAmount: must not exceed the balance owed, [\d,]+\.\d\d USD, got 9,999,999,999\.99/);
    expect(strict.stderr).toContain('row 7 (call D-7): promiseDue: must be at most 60 days after the date the promise was made (2026-03-02), so 2026-05-01 at the latest, got 2099-01-01');

    const imp = run('dialer', 'import', results);
    expect(imp.status).toBe(3);
    expect(imp.stdout).toContain('row 1 (call D-1): imported (decision 2)');
    // after the promise (a conversation), Reg F's 7-day cooldown: the dialer called when it should not have
    expect(imp.stdout).toMatch(/row 2 \(call D-2\): BLOCKED by us-regf\/conversation-cooldown \(decision 3\): .*Next allowed Mon 2026-03-09 08:00 America\/New_York/);
    expect(imp.stdout).toContain('row 3 (call D-3): BLOCKED by registered-caller-number (decision 4): The caller number +12125550999 is not registered');
    expect(imp.stderr).toContain('row 4 (call D-4): outcome: must be one of');
    expect(imp.stdout).toContain('1 imported, 0 duplicate, 2 blocked by the gate, 4 rejected');
    const log = run('gate', 'log', '--account', 'L-1001', '--format', 'json').stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; outcome: string | null; callerNumber: string | null });
    expect(log.find((d) => d.id === 2)).toMatchObject({ outcome: 'promise', callerNumber: '+12125550900' });

    // the allowed call marked its task done: the next export leaves it out
    expect((JSON.parse(run('dialer', 'export', '--date', '2026-03-02', '--format', 'json').stdout) as { rows: unknown[] }).rows).toEqual([]);
    // an unknown agent is rejected, naming the row and the field
    const nobody = join(dir, 'nobody.json');
    writeFileSync(nobody, JSON.stringify([{ callId: 'D-9', account: 'L-1001', party: 'borrower', number: '+12125550100', callerNumber: '+12125550900', agent: 'nobody', at: '2026-03-02T14:05:00Z', outcome: 'no_answer' }]));
    const rejected = run('dialer', 'import', nobody);
    expect(rejected.stderr).toContain('row 1 (call D-9): agent: unknown agent "nobody"');
    expect(rejected.status).toBe(1);

    // the same calls again: nothing new; the imported call is a duplicate, the blocked ones are still compliance
    // exceptions (reported with their recorded rule, exit 3 as the first time), the bad rows still bad
    const again = run('dialer', 'import', results);
    expect(again.status).toBe(3);
    expect(again.stdout).toContain('row 1 (call D-1): duplicate, skipped');
    expect(again.stdout).toMatch(/row 2 \(call D-2\): BLOCKED by us-regf\/conversation-cooldown \(decision 3\): .*imported already, decision 3/);
    expect(again.stdout).toContain('row 3 (call D-3): BLOCKED by registered-caller-number (decision 4)');
    expect(again.stdout).toContain('0 imported, 1 duplicate, 2 blocked by the gate, 4 rejected');
    expect(run('gate', 'log', '--account', 'L-1001', '--format', 'json').stdout.trim().split('\n')).toHaveLength(4);
    // the same call id with other content is refused, naming the row
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify([{ callId: 'D-1', exportRowId: first?.exportRowId, callerNumber: '+12125550900', agent: 'ann', at: '2026-03-02T14:05:00Z', outcome: 'voicemail' }]));
    const conflict = run('dialer', 'import', changed);
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toContain('row 1 (call D-1): callId: call D-1 was imported already with other content (decision 2)');
    expect(run('audit', 'verify').status).toBe(0);
  });
});
