/**
 * `arrears agency …` as a user drives it, on a SQLite file and on PostgreSQL when a URL is given
 * (run `npx tsc -p tsconfig.build.json` first): add and list contracts, place by an inline rule and
 * a rules file, recall by hand and when due, commission and the scorecard.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('agcli'))('arrears agency on $name', (t) => {
  const run = cliRunner(t, { ARREARS_ACTOR: 'ops-1' });
  const rules = join(mkdtempSync(join(tmpdir(), 'agency-rules-')), 'rules.yaml');
  writeFileSync(rules, 'rules:\n  - id: m3-any\n    bucket: M3\n    minBalance: 0\n');

  it('adds agencies with their contracts and refuses a duplicate or a bad rate', () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    // as of 2025-06-30: L-1001 and L-1002 in M5, L-1003 and L-1004 in M3, L-1005 in M2 (no borrower country recorded)
    expect(run('cycle', 'run', '--date', '2025-06-30').status).toBe(0);

    const add = run('agency', 'add', '--id', 'acme', '--name', 'Acme Recoveries', '--commission', 'M3=0.2,M5=0.25', '--days', '30', '--capacity', '2', '--regions', '*');
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('agency acme added: Acme Recoveries, 30 days, capacity 2, regions *\n');
    expect(run('agency', 'add', '--id', 'usonly', '--name', 'US Only', '--commission', 'M5=0.3', '--days', '60', '--capacity', '5', '--regions', 'US').status).toBe(0);
    const dup = run('agency', 'add', '--id', 'acme', '--name', 'x', '--commission', 'M3=0.1', '--days', '30', '--capacity', '1', '--regions', 'US');
    expect(dup.status).toBe(1);
    expect(dup.stderr).toContain('agency.id: agency "acme" exists already');
    const bad = run('agency', 'add', '--id', 'b', '--name', 'x', '--commission', 'M3=2', '--days', '30', '--capacity', '1', '--regions', 'US');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('agency.commission.M3: must be at most 1');

  });

  it('places by an inline rule and a rules file, within capacity, and lists open placements', () => {
    const place = run('agency', 'place', '--bucket', 'M5', '--as-of', '2025-06-30', '--seed', '7');
    expect(place.status).toBe(0);
    // the borrowers' country is unknown: only acme (regions *) covers them
    expect(place.stdout).toMatch(/L-1001\s+acme\s+inline\s+M5\s+5,524.78 USD\s+2025-07-30/);
    expect(place.stdout).toMatch(/L-1002\s+acme\s+inline\s+M5/);
    expect(place.stdout).toContain('2 account(s) placed on 2025-06-30, 0 not placed\n');
    const full = run('agency', 'place', '--rules', rules, '--as-of', '2025-06-30');
    expect(full.stdout).toBe('0 account(s) placed on 2025-06-30, 2 not placed (capacity: 2)\n');
    expect(run('agency', 'place', '--as-of', '2025-06-30').status).toBe(1);

    const list = run('agency', 'list');
    expect(list.stdout).toMatch(/acme\s+Acme Recoveries\s+30\s+2\/2\s+\*\s+M3=0.2,M5=0.25/);
    expect(list.stdout).toMatch(/usonly\s+US Only\s+60\s+0\/5\s+US\s+M5=0.3/);

  });

  it('recalls on an agreed plan and at the end of the period; commission and scorecard', () => {
    expect(run('pay', '--account', 'L-1001', '--amount', '10003', '--date', '2025-07-02', '--key', 'p-1').status).toBe(0);
    expect(run('pay', '--account', 'L-1002', '--amount', '5000', '--date', '2025-07-04', '--key', 'p-2').status).toBe(0);
    expect(run('cycle', 'run', '--date', '2025-07-05').status).toBe(0);

    const plan = run('agency', 'recall', '--account', 'L-1002', '--reason', 'plan_agreed', '--ref', 'plan-1', '--as-of', '2025-07-03');
    expect(plan.stdout).toBe('recalled L-1002 from acme on 2025-07-03: plan_agreed (plan-1)\n1 placement(s) recalled\n');
    expect(run('agency', 'recall', '--due', '--as-of', '2025-07-29').stdout).toBe('0 placement(s) recalled\n');
    expect(run('agency', 'recall', '--due', '--as-of', '2025-07-31').stdout).toBe('recalled L-1001 from acme on 2025-07-30: period_end\n1 placement(s) recalled\n');
    const none = run('agency', 'recall', '--account', 'L-1001', '--as-of', '2025-07-31');
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('account: account L-1001 has no open placement');

    // L-1001: 10,003 × 0.25 = 2,500.75 → 2,501; L-1002: its 07-04 payment came after the recall on 07-03
    const com = JSON.parse(run('agency', 'commission', '--as-of', '2025-07-31', '--format', 'json').stdout) as { accountId: string; recovered: number; commission: number }[];
    expect(com.map((c) => [c.accountId, c.recovered, c.commission]).sort()).toEqual([['L-1001', 10_003, 2_501], ['L-1002', 0, 0]]);
    const comTable = run('agency', 'commission', '--as-of', '2025-07-31', '--agency', 'acme');
    expect(comTable.stdout).toMatch(/acme\s+L-1001\s+M5\s+0.25\s+2025-06-30 … 2025-07-30\s+100.03 USD\s+25.01 USD/);
    expect(comTable.stdout).toContain('total acme: 25.01 USD\n');

    const card = JSON.parse(run('agency', 'scorecard', '--as-of', '2025-07-31', '--format', 'json').stdout) as Record<string, unknown>[];
    expect(card.find((c) => c.agencyId === 'acme')).toMatchObject({ placements: 2, open: 0, placedBalance: 552_478 + 131_111, recovered: 10_003, recoveryRate: '1.46', commission: 2_501, gateBlocks: 0, currency: 'USD' });
    expect(run('agency', 'scorecard', '--as-of', '2025-07-31').stdout).toMatch(/acme\s+2\s+0\s+6,835\.89 USD\s+100\.03 USD\s+1\.46%\s+0\/0 n\/a\s+0\s+n\/a\s+0\s+25\.01 USD/);
    expect(run('audit', 'verify').status).toBe(0);
  });
});
