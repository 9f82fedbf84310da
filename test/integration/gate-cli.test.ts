/**
 * `arrears gate …` as a dialer script or an agent drives it: the packs in force (default and per
 * country), a decision for a contact with the borrower's zones, the outcome recorded, exit code 3
 * when blocked, an account's decision log, and the audit chain intact — on SQLite and PostgreSQL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('gatecli'))('arrears gate on $name', (t) => {
  const run = cliRunner(t);

  it('decides, records outcomes, blocks with exit 3 and logs every decision', () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    // no packs in force yet: a clear error naming the fix
    const none = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-02T15:00:00Z');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no rule packs are in force');
    expect(none.stderr).toContain('arrears gate jurisdiction');

    expect(run('gate', 'jurisdiction', 'us-regf,us-ma').stdout).toContain('default: us-regf, us-ma');
    expect(run('gate', 'jurisdiction', 'us-tx').stderr).toContain('no rule pack named "us-tx"');

    // us-ma: two calls in seven days to a personal number
    const first = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-02T15:00:00Z', '--outcome', 'no_answer');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^allowed \(decision 1\): call to \S+ at 2026-03-02T15:00:00.000Z; outcome no_answer recorded/);
    const second = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-03T15:00:00Z', '--format', 'json');
    expect(second.status).toBe(0);
    const d2 = JSON.parse(second.stdout) as { id: number; allowed: boolean; packs: string[] };
    expect(d2).toMatchObject({ id: 2, allowed: true, packs: ['us-regf', 'us-ma'] });
    expect(run('gate', 'outcome', '2', 'voicemail').stdout).toContain('decision 2: outcome voicemail recorded');
    expect(run('gate', 'outcome', '2', 'voicemail').stdout).toContain('decision 2: outcome voicemail was already recorded');
    expect(run('gate', 'outcome', '2', 'busy').stderr).toContain('decision 2 already has the result voicemail');

    const third = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-04T15:00:00Z');
    expect(third.status).toBe(3);
    expect(third.stdout).toMatch(/^blocked by us-ma\/2-in-7 \(decision 3\): .*Next allowed/);
    expect(run('gate', 'outcome', '3', 'busy').stderr).toContain('decision 3 was blocked by us-ma/2-in-7: a blocked attempt never happens');

    // a one-off jurisdiction for one decision: us-regf alone allows it
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-04T15:00:00Z', '--jurisdiction', 'us-regf').status).toBe(0);

    // a reference needs a number; asked about the debt it is blocked (third parties: location only)
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--at', '2026-03-04T15:00:00Z').stderr).toContain('--to: is required for a reference');
    const ref = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--party', 'reference', '--to', '+13125550111', '--at', '2026-03-04T16:00:00Z');
    expect(ref.status).toBe(3);
    expect(ref.stdout).toContain('blocked by us-regf/third-parties');

    // a message template is checked: a borrower template never goes to a reference
    const tpl = join(mkdtempSync(join(tmpdir(), 'arrears-tpl-')), 'reminder.yaml');
    writeFileSync(tpl, 'audience: borrower\nlanguage: en\nbody: "Your payment of $120 is overdue."\n');
    const toRef = run('gate', 'decide', '--account', 'L-1001', '--channel', 'sms', '--party', 'reference', '--to', '+13125550112', '--purpose', 'location', '--template', tpl, '--at', '2026-03-04T17:00:00Z');
    expect(toRef.status).toBe(3);
    expect(toRef.stdout).toContain('blocked by us-regf/template');
    expect(toRef.stdout).toContain('Template reminder may not be used here');

    // bad input names the option
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-04 15:00').stderr).toContain('--at: must be an ISO instant with Z or an offset');
    expect(run('gate', 'decide', '--account', 'L-9', '--channel', 'call').stderr).toContain('--account: unknown account "L-9"');
    expect(run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--outcome', 'maybe').stderr).toContain('--outcome: must be one of');

    const log = run('gate', 'log', '--account', 'L-1001');
    expect(log.status).toBe(0);
    const lines = log.stdout.trim().split('\n');
    expect(lines).toHaveLength(2 + 6);
    expect(lines[2]).toMatch(/^6\s+2026-03-04T17:00:00.000Z\s+L-1001\/reference\s+sms\s+\+13125550112\s+location\s+blocked: us-regf\/template\s+-$/);
    expect(lines[3]).toMatch(/^5\s+2026-03-04T16:00:00.000Z\s+L-1001\/reference\s+call\s+\+13125550111\s+collect\s+blocked: us-regf\/third-parties\s+-$/);
    expect(log.stdout).toMatch(/\n1\s+2026-03-02T15:00:00.000Z\s+\S+\s+call\s+\S+\s+collect\s+allowed\s+no_answer\n?$/);

    // per-country packs bind borrowers with that country; this one's address has none, so the default holds
    expect(run('gate', 'jurisdiction', 'cn', '--country', 'US').stdout).toContain('US: cn');
    const dflt = run('gate', 'decide', '--account', 'L-1001', '--channel', 'call', '--at', '2026-03-05T15:00:00Z', '--format', 'json');
    expect((JSON.parse(dflt.stdout) as { packs: string[] }).packs).toEqual(['us-regf', 'us-ma']);

    // a complaint's deadline follows the packs in force for the account when none are named
    const c = run('complaint', 'open', '--account', 'L-1001', '--category', 'harassment', '--received', '2026-03-05');
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toContain('respond by 2026-03-20 (15 days: us-regf:');

    const audit = run('audit', 'verify');
    expect(audit.status).toBe(0);
  });
});
