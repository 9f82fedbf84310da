/**
 * `arrears act …` and `arrears complaint …` as a user drives them, on a SQLite file and on
 * PostgreSQL when a URL is given (run `npx tsc -p tsconfig.build.json` first).
 */
import { describe, expect, it } from 'vitest';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('ccli'))('arrears act / complaint on $name', (t) => {
  const run = cliRunner(t, { ARREARS_ACTOR: 'ops-1' });

  it('records a dispute and lifts it, refuses a lift with nothing to lift, and lists what is in force', () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    const rec = run('act', 'record', '--account', 'L-1001', '--kind', 'dispute', '--source', 'letter', '--at', '2026-03-02T10:00:00-05:00', '--note', 'disputes the fees');
    expect(rec.status).toBe(0);
    expect(rec.stdout).toBe('act 1 recorded: dispute for L-1001 (whole debt) at 2026-03-02T15:00:00.000Z from letter\n');
    const early = run('act', 'record', '--account', 'L-1001', '--kind', 'verification_sent', '--source', 'letter', '--at', '2026-03-01T00:00:00Z');
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('act.kind: verification_sent: nothing to lift: no dispute hold in force for the debt');
    const badAt = run('act', 'record', '--account', 'L-1001', '--kind', 'cease', '--source', 'letter', '--at', '2026-03-02');
    expect(badAt.status).toBe(1);
    expect(badAt.stderr).toContain('act.at: must be an ISO 8601 instant');
    expect(run('act', 'record', '--account', 'L-1001', '--kind', 'hold', '--source', 'letter').status).toBe(1);
    expect(run('act', 'record', '--account', 'L-1001', '--kind', 'opt_out', '--source', 'sms', '--channel', 'sms', '--contact-point', '+12125550100', '--at', '2026-03-02T16:00:00Z').status).toBe(0);

    const held = run('act', 'list', '--account', 'L-1001', '--as-of', '2026-03-05T00:00:00Z');
    expect(held.stdout).toMatch(/1\s+2026-03-02T15:00:00.000Z\s+dispute\s+-\s+letter\s+ops-1\s+disputes the fees/);
    expect(held.stdout).toContain('in force at 2026-03-05T00:00:00Z for the whole debt: dispute hold since 2026-03-02T15:00:00.000Z; opt-out sms +12125550100');

    expect(run('act', 'record', '--account', 'L-1001', '--kind', 'verification_sent', '--source', 'letter', '--at', '2026-03-09T15:00:00Z').status).toBe(0);
    const json = JSON.parse(run('act', 'list', '--account', 'L-1001', '--as-of', '2026-03-10T00:00:00Z', '--format', 'json').stdout) as {
      acts: { kind: string }[]; inForce: { holds: unknown[]; optOuts: unknown[] };
    };
    expect(json.acts.map((a) => a.kind)).toEqual(['dispute', 'opt_out', 'verification_sent']);
    expect(json.inForce.holds).toEqual([]);
    expect(json.inForce.optOuts).toHaveLength(1);
    expect(run('act', 'list', '--account', 'L-1002').stdout).toBe('no acts recorded for L-1002\n');
  });

  it('walks a complaint from intake to closing, lists overdue ones and prints rates', () => {
    const open = run('complaint', 'open', '--account', 'L-1001', '--category', 'time_of_day', '--received', '2026-03-03', '--jurisdiction', 'uk-conc', '--agent', 'agent-7', '--summary', 'called at 22:30');
    expect(open.status).toBe(0);
    expect(open.stdout).toContain('complaint 1: time_of_day on L-1001, open');
    expect(open.stdout).toContain('received 2026-03-03, respond by 2026-04-28 (56 days: uk-conc: FCA DISP 1.6.2R (eight weeks))');
    const us = run('complaint', 'open', '--account', 'L-1002', '--category', 'harassment', '--received', '2026-03-03', '--jurisdiction', 'us-regf,us-ma', '--agency', 'acme');
    expect(us.stdout).toContain('respond by 2026-03-18 (15 days');
    const unknownPack = run('complaint', 'open', '--account', 'L-1001', '--category', 'other', '--received', '2026-03-03', '--jurisdiction', 'xx');
    expect(unknownPack.status).toBe(1);
    expect(unknownPack.stderr).toContain('jurisdiction: no rule pack named "xx"');

    const skip = run('complaint', 'update', '1', '--status', 'closed', '--root-cause', 'x', '--resolution', 'y');
    expect(skip.status).toBe(1);
    expect(skip.stderr).toContain('status: cannot move from open to closed');
    expect(run('complaint', 'update', '1', '--status', 'investigating').status).toBe(0);
    expect(run('complaint', 'update', '1', '--status', 'responded', '--root-cause', 'dialer zone from the area code only').status).toBe(0);
    const noResolution = run('complaint', 'update', '1', '--status', 'closed');
    expect(noResolution.stderr).toContain('resolution: is required to close a complaint');
    const closed = run('complaint', 'update', '1', '--status', 'closed', '--resolution', 'zones from the address too; apology');
    expect(closed.status).toBe(0);
    expect(closed.stdout).toContain('complaint 1: time_of_day on L-1001, closed');

    const show = run('complaint', 'show', '1');
    expect(show.stderr).toBe('');
    expect(show.stdout).toContain('root cause: dialer zone from the area code only');
    expect(show.stdout).toMatch(/ops-1\s+responded → closed/);
    const shown = JSON.parse(run('complaint', 'show', '1', '--format', 'json').stdout) as { status: string; history: { kind: string }[] };
    expect(shown.history.map((h) => h.kind)).toEqual(['opened', 'linked', 'status_investigating', 'status_responded', 'status_closed']);

    const overdue = run('complaint', 'list', '--overdue', '--as-of', '2026-03-19');
    expect(overdue.stdout).toMatch(/2\s+L-1002\s+harassment\s+open\s+2026-03-03\s+2026-03-18\s+-\s+acme/);
    expect(overdue.stdout).not.toMatch(/^1\s/m);
    expect(run('complaint', 'list', '--overdue', '--as-of', '2026-03-18').stdout).toBe('no complaints overdue on 2026-03-18\n');
    expect(run('complaint', 'rates', '--by', 'agent').stdout).toMatch(/agent-7\s+1\s+0\s+n\/a/);
    expect(JSON.parse(run('complaint', 'rates', '--by', 'agency', '--format', 'json').stdout)).toEqual([{ id: 'acme', complaints: 1, attempts: 0, perThousand: null }]);

    const verify = run('audit', 'verify');
    expect(verify.status).toBe(0);
    // import, 3 acts, 2 complaints opened + 2 linked, 3 status changes
    expect(verify.stdout).toContain('audit log intact: 11 entries verified');
  });
});
