/**
 * `arrears user add` and `arrears queue build|next|wrap-up|status` walked through as an agent would,
 * on SQLite and PostgreSQL: the queue built from planned call tasks, the next callable account with
 * a blocked one skipped, a wrap-up recording one gate decision (again: a duplicate), a supervisor's
 * re-assignment, a wrap-up with a promise, the status per agent, `promise list` with a partial payment.
 */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('queuecli'))('arrears queue on $name', (t) => {
  const run = cliRunner(t);

  it('adds agents, builds the queue, gives the next callable account, wraps up and reports status', async () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    expect(run('gate', 'jurisdiction', 'us-regf').status).toBe(0);
    const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      // L-1002 (Chicago) owes more than L-1001 (New York); both have a planned call
      for (const [id, overdue] of [['L-1001', 4000], ['L-1002', 9000]] as const) {
        await s.db.updateTable('account_state').set({ overdue, bucket: 'M1' }).where('account_id', '=', id).execute();
        await s.db.insertInto('tasks').values({ account_id: id, business_date: '2026-03-02', type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5, window: null, stage: 'reminder', seq: 1, address: null, status: 'planned' }).execute();
      }
    } finally {
      await s.close();
    }
    expect(run('user', 'add', '--id', 'ann', '--name', 'Ann', '--jurisdictions', 'us-regf', '--buckets', 'M1,M2', '--capacity', '5').stdout).toContain('user ann added (agent, capacity 5/day)');
    expect(run('user', 'add', '--id', 'x', '--name', 'X', '--role', 'agency_agent').stderr).toContain('user.agencyId: is required for an agency_agent');

    const built = run('queue', 'build', '--date', '2026-03-02');
    expect(built.status).toBe(0);
    expect(built.stdout).toContain('2 task(s) queued for 2026-03-02 (new, or left unassigned before): 2 assigned, 0 unassigned');
    expect(built.stderr).toContain('note: 2026-03-02 is not closed yet (last closed: none)');

    // 13:30Z is 07:30 in Chicago (skipped until 08:00) and 08:30 in New York
    const next = run('queue', 'next', '--agent', 'ann', '--at', '2026-03-02T13:30:00Z');
    expect(next.status).toBe(0);
    expect(next.stdout).toContain('skipped item 1 (L-1002): blocked by us-regf/hours; next at 2026-03-02T14:00:00.000Z');
    expect(next.stdout).toContain('item 2: account L-1001, call Ana Lima (B-501) at +12125550100; priority 2000');
    expect(run('queue', 'next', '--agent', 'ghost').stderr).toContain('agent: unknown user ghost');
    // asking records nothing
    expect(run('gate', 'log', '--account', 'L-1001').stdout).not.toContain('allowed');

    const wrap = run('queue', 'wrap-up', '--item', '2', '--outcome', 'voicemail', '--at', '2026-03-02T13:31:00Z');
    expect(wrap.stdout).toMatch(/^item 2 done: decision 1, outcome voicemail/);
    expect(run('gate', 'log', '--account', 'L-1001', '--format', 'json').stdout.trim().split('\n')).toHaveLength(1);
    // the same wrap-up again changes nothing; another outcome is refused
    expect(run('queue', 'wrap-up', '--item', '2', '--outcome', 'voicemail').stdout).toContain('item 2 was already done with this result (decision 1); nothing changed');
    expect(run('queue', 'wrap-up', '--item', '2', '--outcome', 'no_answer').stderr).toContain('item: queue item 2 was wrapped up already (decision 1)');

    expect(run('queue', 'next', '--agent', 'ann', '--at', '2026-03-02T13:40:00Z').stdout).toContain('nothing callable now; next at 2026-03-02T14:00:00.000Z');
    const status = run('queue', 'status', '--date', '2026-03-02').stdout;
    expect(status).toMatch(/ann\s+2\s+1\s+0\s+1\s+0\s+0/);

    // a supervisor hands item 1 to Bo; an agent may not
    expect(run('user', 'add', '--id', 'sue', '--name', 'Sue', '--role', 'supervisor').status).toBe(0);
    expect(run('user', 'add', '--id', 'bo', '--name', 'Bo', '--buckets', 'M1').status).toBe(0);
    const notSup = run('queue', 'assign', '1', 'bo', '--by', 'ann');
    expect(notSup.status).toBe(1);
    expect(notSup.stderr).toContain('by: ann is an agent: only a supervisor re-assigns queue items');
    expect(run('queue', 'assign', '1', 'bo', '--by', 'sue').stdout).toContain('item 1 (L-1002) assigned to bo by sue');

    // Bo takes a promise on it at 10:00 in Chicago
    expect(run('queue', 'wrap-up', '--item', '1', '--outcome', 'promise', '--promise-amount', '5000').stderr).toContain('--promise-due: is required with --promise-amount');
    expect(run('queue', 'wrap-up', '--item', '1', '--outcome', 'promise', '--at', '2026-03-02T16:00:00Z').stderr).toContain('promise: is required with outcome promise');
    // an SMS's outcome is not a call's: refused before the gate (no decision), listing the call outcomes
    const sent = run('queue', 'wrap-up', '--item', '1', '--outcome', 'sent', '--at', '2026-03-02T16:00:00Z');
    expect(sent.status).toBe(1);
    expect(sent.stderr).toMatch(/outcome: must be one of no_answer, busy, voicemail, .*attorney for a call, got "sent"/);
    expect(run('queue', 'wrap-up', '--help').stdout).toContain('what came of the call: no_answer, busy');
    const promised = run('queue', 'wrap-up', '--item', '1', '--outcome', 'promise', '--promise-amount', '5000', '--promise-due', '2026-03-06', '--at', '2026-03-02T16:00:00Z');
    expect(promised.stdout).toContain('item 1 done: decision 2, outcome promise; promise 5000 due 2026-03-06');
    expect(run('queue', 'status', '--date', '2026-03-02').stdout).toMatch(/bo\s+1\s+1\s+0\s+0\s+1\s+1/);

    expect(run('pay', '--account', 'L-1002', '--amount', '2000', '--date', '2026-03-04', '--key', 'k-1').status).toBe(0);
    const open = run('promise', 'list', '--as-of', '2026-03-05');
    expect(open.stdout).toMatch(/L-1002\s+2026-03-02\s+2026-03-06\s+USD\s+50\.00\s+20\.00\s+30\.00\s+open\s+call\s+bo/);
    const broken = JSON.parse(run('promise', 'list', '--account', 'L-1002', '--as-of', '2026-03-07', '--json').stdout.trim()) as Record<string, unknown>;
    expect(broken).toMatchObject({ accountId: 'L-1002', amount: 5000, paid: 2000, remaining: 3000, state: 'broken', settledOn: '2026-03-07', takenBy: 'bo', channel: 'call' });
    expect(run('promise', 'list', '--as-of', '2026-03-07', '--grace', '1', '--state', 'broken').stdout).toContain('0 promise(s) as of 2026-03-07');
    expect(run('promise', 'list', '--as-of', '2026-03-07', '--grace', 'x').stderr).toContain('--grace: must be a whole number of days');
    // without --as-of: as of the last closed business date (payments are applied when a date closes)
    expect(run('cycle', 'run', '--date', '2026-03-05').status).toBe(0);
    expect(run('promise', 'list', '--account', 'L-1002').stdout).toMatch(/20\.00\s+30\.00\s+open[\s\S]*1 promise\(s\) as of 2026-03-05/);
  });
});
