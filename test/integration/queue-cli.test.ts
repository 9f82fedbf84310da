/**
 * `arrears user add` and `arrears queue build|next|wrap-up|status` walked through as an agent would,
 * on SQLite and PostgreSQL: the queue built from planned call tasks, the next callable account with
 * a blocked one skipped, a wrap-up recording one gate decision, the status per agent.
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
    expect(built.stdout).toContain('2 task(s) queued for 2026-03-02: 2 assigned, 0 unassigned');

    // 13:30Z is 07:30 in Chicago (skipped until 08:00) and 08:30 in New York
    const next = run('queue', 'next', '--agent', 'ann', '--at', '2026-03-02T13:30:00Z');
    expect(next.status).toBe(0);
    expect(next.stdout).toContain('skipped item 1 (L-1002): blocked by us-regf/hours; next at 2026-03-02T14:00:00.000Z');
    expect(next.stdout).toContain('item 2: account L-1001, call Ana Lima (B-501) at +12125550100; priority 2000');
    // asking records nothing
    expect(run('gate', 'log', '--account', 'L-1001').stdout).not.toContain('allowed');

    const wrap = run('queue', 'wrap-up', '--item', '2', '--outcome', 'voicemail', '--at', '2026-03-02T13:31:00Z');
    expect(wrap.stdout).toMatch(/^item 2 done: decision 1, outcome voicemail/);
    expect(run('gate', 'log', '--account', 'L-1001', '--format', 'json').stdout.trim().split('\n')).toHaveLength(1);
    expect(run('queue', 'wrap-up', '--item', '2', '--outcome', 'voicemail').stderr).toContain('queue item 2 is done, not open');

    expect(run('queue', 'next', '--agent', 'ann', '--at', '2026-03-02T13:40:00Z').stdout).toContain('nothing callable now; next at 2026-03-02T14:00:00.000Z');
    const status = run('queue', 'status', '--date', '2026-03-02').stdout;
    expect(status).toMatch(/ann\s+2\s+1\s+0\s+1/);
  });
});
