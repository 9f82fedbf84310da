/**
 * `arrears act record` notes on stderr (exit 0) when none of the packs in force for the account acts
 * on the kind recorded — on a SQLite file and on PostgreSQL when a URL is given (build first).
 */
import { describe, expect, it } from 'vitest';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('actnote'))('arrears act record: acts no pack in force acts on, on $name', (t) => {
  const run = cliRunner(t, { ARREARS_ACTOR: 'ops-1' });

  it('notes a workplace prohibition or an SMS opt-out under cn, not a cease or a dispute; under us-regf nothing', () => {
    const imported = run('import', 'test/fixtures/import/loans.csv');
    expect(imported.status, imported.stderr).toBe(0);
    // no packs in force: nothing to say about them
    const none = run('act', 'record', '--account', 'L-1001', '--kind', 'workplace_forbidden', '--source', 'call', '--at', '2026-03-02T10:00:00Z');
    expect(none.status).toBe(0);
    expect(none.stderr).toBe('');

    expect(run('gate', 'jurisdiction', 'cn').status).toBe(0);
    const work = run('act', 'record', '--account', 'L-1002', '--kind', 'workplace_forbidden', '--source', 'call', '--at', '2026-03-02T10:00:00Z');
    expect(work.status).toBe(0);
    expect(work.stdout).toContain('act 2 recorded: workplace_forbidden for L-1002');
    expect(work.stderr).toBe('recorded; note: none of the packs in force (cn) has a rule for workplace_forbidden; the gate will not act on it\n');
    const sms = run('act', 'record', '--account', 'L-1002', '--kind', 'opt_out', '--source', 'sms', '--channel', 'sms', '--contact-point', '+13125550123', '--at', '2026-03-02T11:00:00Z');
    expect(sms.status).toBe(0);
    expect(sms.stderr).toContain('(cn) has a rule for opt_out on sms; the gate will not act on it');
    for (const kind of ['cease', 'dispute', 'deceased']) {
      const r = run('act', 'record', '--account', 'L-1002', '--kind', kind, '--source', 'letter', '--at', '2026-03-03T10:00:00Z');
      expect(r.status, `${kind}: ${r.stderr}`).toBe(0);
      expect(r.stderr, kind).toBe('');
    }

    expect(run('gate', 'jurisdiction', 'us-regf,us-ma').status).toBe(0);
    const us = run('act', 'record', '--account', 'L-1001', '--kind', 'opt_out', '--source', 'sms', '--channel', 'sms', '--contact-point', '+12125550100', '--at', '2026-03-02T11:00:00Z');
    expect(us.status).toBe(0);
    expect(us.stderr).toBe('');
    const bs = run('act', 'record', '--account', 'L-1001', '--kind', 'breathing_space', '--source', 'letter', '--at', '2026-03-02T12:00:00Z');
    expect(bs.status).toBe(0);
    expect(bs.stderr).toContain('none of the packs in force (us-regf, us-ma) has a rule for breathing_space');
  });
});
