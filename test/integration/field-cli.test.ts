/**
 * `arrears field …` as a user drives it, on a SQLite file and on PostgreSQL when a URL is given
 * (run `npx tsc -p tsconfig.build.json` first): plan the day's visit tasks for field agents with
 * the cn pack's hours and two-collector rule (what one agent has no time for goes to another; on a
 * Sunday the uk-conc gate leaves every visit over), then check in through the gate and record a
 * visit report against the allowed decision (refused first: bad evidence, outside the hours, one
 * collector), with the promise listed as a visit promise.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { cliRunner, cliTargets } from '../support/cli.js';

describe.each(cliTargets('fieldcli'))('arrears field on $name', (t) => {
  const run = cliRunner(t, { ARREARS_ACTOR: 'planner-1' });
  const dir = mkdtempSync(join(tmpdir(), 'field-cli-'));
  const file = (name: string, data: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(data));
    return p;
  };
  const agents = file('agents.json', [{ id: 'f1', start: { lat: 0, lon: 0 } }, { id: 'f2', start: { lat: 0, lon: 0 } }, { id: 'f3', start: { lat: 0, lon: 0 } }]);
  const visits = file('visits.json', {
    'L-1001': { lat: 0, lon: 0.03, district: 'east' }, 'L-1002': { lat: 0, lon: 0.01, district: 'east' }, 'L-1003': { lat: 0.015, lon: 0.01, district: 'east' },
  });

  it('plans the visit tasks of a date into a route for a team of two within the pack\'s hours', async () => {
    expect(run('import', 'test/fixtures/import/loans.csv').status).toBe(0);
    const store = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      const task = (accountId: string) => ({
        account_id: accountId, business_date: '2026-03-02', type: 'visit', party: 'borrower', channel: 'visit', template: null,
        priority: 5, window: null, stage: 'field_visit', seq: 1, address: 'residential', status: 'planned',
      });
      await store.db.insertInto('tasks').values(['L-1001', 'L-1002', 'L-1003', 'L-1004'].map(task)).execute();
    } finally {
      await store.close();
    }

    const r = run('field', 'plan', '--date', '2026-03-02', '--agents', agents, '--visits', visits, '--pack', 'cn', '--speed-kmh', '60');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // L-1004 has no location, so the plan groups by district (the cn pack: 08:00–22:00, two collectors)
    expect(r.stdout).toContain('field plan for 2026-03-02: visits 08:00–22:00, 30 min a visit, 60 km/h, teams of two, grouped by district');
    expect(r.stdout).toContain('f1+f2: 3 visit(s), 5.56 km, done 09:37');
    expect(r.stdout).toMatch(/1\s+08:02\s+08:32\s+L-1002\s+residential\s+east\s+1.11\s+2 min/);
    expect(r.stdout).toMatch(/2\s+08:34\s+09:04\s+L-1003/);
    expect(r.stdout).toMatch(/3\s+09:07\s+09:37\s+L-1001/);
    expect(r.stdout).toContain('without a partner: f3');
    expect(r.stdout).toMatch(/L-1004\s+\d+\s+-\s+no_location/);
    expect(r.stdout).toContain('plan 1 saved: 4 visit task(s), 3 planned, 1 left over\n');

    const json = JSON.parse(run('field', 'plan', '--date', '2026-03-02', '--agents', agents, '--visits', visits, '--from', '08:00', '--to', '08:40', '--collectors', '1', '--group-by', 'coordinates', '--format', 'json').stdout) as {
      id: number; routes: { unit: string; stops: { accountId: string }[] }[]; leftOver: { accountId: string; reason: string }[];
    };
    expect(json.id).toBe(2);
    // every visit is nearest to f1 (all start at the same point), whose day (08:00–08:40) fits one: the others go to f2 and f3
    expect(json.routes.map((x) => [x.unit, x.stops.map((s) => s.accountId)])).toEqual([['f1', ['L-1002']], ['f2', ['L-1001']], ['f3', ['L-1003']]]);
    expect(json.leftOver.map((l) => [l.accountId, l.reason])).toEqual([['L-1004', 'no_location']]);
    const table = run('field', 'plan', '--date', '2026-03-02', '--agents', agents, '--visits', visits, '--from', '08:00', '--to', '08:40', '--collectors', '1', '--group-by', 'coordinates');
    expect(table.stdout).toMatch(/1\s+08:09\s+08:39\s+L-1001\s+residential\s+east\s+3.34\s+9 min\s+f1/);

    // through the gate: on a Sunday the uk-conc policy allows no visits; the plan leaves them over with the rule
    const store2 = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
    try {
      await store2.db.insertInto('tasks').values({
        account_id: 'L-1002', business_date: '2026-03-01', type: 'visit', party: 'borrower', channel: 'visit', template: null,
        priority: 5, window: null, stage: 'field_visit', seq: 1, address: 'residential', status: 'planned',
      }).execute();
    } finally {
      await store2.close();
    }
    const sunday = run('field', 'plan', '--date', '2026-03-01', '--agents', agents, '--visits', visits, '--pack', 'uk-conc', '--format', 'json');
    expect(sunday.stderr).toBe('');
    const sundayPlan = JSON.parse(sunday.stdout) as { routes: { stops: unknown[] }[]; leftOver: { accountId: string; reason: string; rule: string }[] };
    expect(sundayPlan.routes.every((r) => r.stops.length === 0)).toBe(true);
    expect(sundayPlan.leftOver).toMatchObject([{ accountId: 'L-1002', reason: 'gate_blocked', rule: 'uk-conc/policy-sundays-holidays' }]);

    // a visit with coordinates and no district (district is optional) is planned by its coordinates, also grouping by district
    const noDistrict = file('visits-no-district.json', {
      'L-1001': { lat: 0, lon: 0.03, district: 'east' }, 'L-1002': { lat: 0, lon: 0.01, district: 'east' }, 'L-1003': { lat: 0.015, lon: 0.01, district: 'east' }, 'L-1004': { lat: 0, lon: 0.02 },
    });
    const byDistrict = JSON.parse(run('field', 'plan', '--date', '2026-03-02', '--agents', agents, '--visits', noDistrict, '--pack', 'cn', '--group-by', 'district', '--format', 'json').stdout) as {
      groupBy: string; routes: { unit: string; stops: { accountId: string }[] }[]; leftOver: unknown[];
    };
    expect(byDistrict.groupBy).toBe('district');
    expect(byDistrict.leftOver).toEqual([]);
    expect(byDistrict.routes.find((x) => x.unit === 'f1+f2')?.stops.map((st) => st.accountId).sort()).toEqual(['L-1001', 'L-1002', 'L-1003', 'L-1004']);

    const weaker = run('field', 'plan', '--date', '2026-03-02', '--agents', agents, '--pack', 'cn', '--collectors', '1');
    expect(weaker.status).toBe(1);
    expect(weaker.stderr).toContain('--collectors: the pack needs 2 collectors a visit');
    const noHours = run('field', 'plan', '--date', '2026-03-02', '--agents', agents);
    expect(noHours.status).toBe(1);
    expect(noHours.stderr).toContain('--from: visit hours are needed');
  });

  it('records a visit report only against an allowed check-in; the gate\'s refusal names the rule and the reason', () => {
    const report = {
      date: '2026-03-02', met: 'borrower', outcome: 'promise', promise: { amount: 20000, date: '2026-03-09' }, notes: 'pays Friday',
      evidence: [{ name: 'door.jpg', mediaType: 'image/jpeg', size: 2048 }], checkIn: { lat: 0, lon: 0.0101 }, collectors: ['f1', 'f2'],
    };
    const bad = run('field', 'report', '--account', 'L-1002', '--file', file('bad.json', report), '--pack', 'cn');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('evidence: must include a recording (audio/mpeg, audio/mp4 or video/mp4): the rule pack requires one');
    const withRecording = { ...report, evidence: [...report.evidence, { name: 'visit.mp4', mediaType: 'video/mp4', size: 20 * 1024 * 1024 }] };
    const noCheckIn = run('field', 'report', '--account', 'L-1002', '--file', file('ok.json', withRecording), '--pack', 'cn');
    expect(noCheckIn.status).toBe(1);
    expect(noCheckIn.stderr).toContain('checkIn.at: is required without a decision');

    // L-1002's borrower is in Chicago: 23:00 there is outside the cn visit hours
    // collectors must be known field agents (or agents of the agency the account is placed with on the date): refused before the gate
    const ghost = run('field', 'check-in', '--account', 'L-1002', '--collectors', 'f1,ghost', '--at', '2026-03-02T10:00:00-06:00', '--pack', 'cn');
    expect(ghost.status).toBe(1);
    expect(ghost.stderr).toContain('collectors[0]: unknown user "f1": a collector must be a known user');
    expect(run('user', 'add', '--id', 'f1', '--name', 'F One', '--role', 'field_agent').status).toBe(0);
    expect(run('user', 'add', '--id', 'f2', '--name', 'F Two', '--role', 'field_agent').status).toBe(0);
    expect(run('user', 'add', '--id', 'sup', '--name', 'Sup', '--role', 'supervisor').status).toBe(0);
    expect(run('field', 'check-in', '--account', 'L-1002', '--collectors', 'f1,ghost', '--at', '2026-03-02T10:00:00-06:00', '--pack', 'cn').stderr)
      .toContain('collectors[1]: unknown user "ghost"');
    const boss = run('field', 'check-in', '--account', 'L-1002', '--collectors', 'f1,sup', '--at', '2026-03-02T10:00:00-06:00', '--pack', 'cn');
    expect(boss.status).toBe(1);
    expect(boss.stderr).toContain('collectors[1]: sup is a supervisor: a collector must be');
    expect(run('field', 'report', '--account', 'L-1002', '--file', file('ghost.json', { ...report, evidence: [...report.evidence, { name: 'v.mp4', mediaType: 'video/mp4', size: 10 }], checkIn: { lat: 0, lon: 0.0101, at: '2026-03-02T10:00:00-06:00' }, collectors: ['f1', 'ghost'] }), '--pack', 'cn').stderr)
      .toContain('collectors[1]: unknown user "ghost"');

    const late = run('field', 'report', '--account', 'L-1002', '--file', file('late.json', { ...withRecording, checkIn: { lat: 0, lon: 0.0101, at: '2026-03-02T23:00:00-06:00' } }), '--pack', 'cn');
    expect(late.status).toBe(3);
    expect(late.stderr).toMatch(/^visit report refused: the gate blocked the visit \(decision 1\) by cn\/hours: .*08:00/);
    const alone = run('field', 'check-in', '--account', 'L-1002', '--collectors', 'f1', '--at', '2026-03-02T10:00:00-06:00', '--pack', 'cn');
    expect(alone.status).toBe(3);
    expect(alone.stdout).toMatch(/^blocked by cn\/field-visit \(decision 2\): /);

    const ok = run('field', 'check-in', '--account', 'L-1002', '--collectors', 'f1,f2', '--at', '2026-03-02T10:00:00-06:00', '--pack', 'cn');
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('allowed (decision 3): visit to 400 Lake Shore Dr, Chicago on 2026-03-02 by f1, f2; report it with `arrears field report --account L-1002 --decision 3 --file report.json`\n');
    // the report must name exactly the team that checked in: f3 (a field agent, but not at the check-in) is refused
    expect(run('user', 'add', '--id', 'f3', '--name', 'F Three', '--role', 'field_agent').status).toBe(0);
    const stranger = run('field', 'report', '--account', 'L-1002', '--file', file('stranger.json', { ...withRecording, collectors: ['f1', 'f3'] }), '--decision', '3', '--pack', 'cn');
    expect(stranger.status).toBe(1);
    expect(stranger.stderr).toContain('collectors: the report names f3, who was not checked in for decision 3 (team: f1, f2)');
    const blockedRef = run('field', 'report', '--account', 'L-1002', '--file', file('ok.json', withRecording), '--decision', '2', '--pack', 'cn');
    expect(blockedRef.status).toBe(3);
    expect(blockedRef.stderr).toContain('visit report refused: the gate blocked the visit (decision 2) by cn/field-visit');
    const rec = run('field', 'report', '--account', 'L-1002', '--file', file('ok.json', withRecording), '--decision', '3', '--pack', 'cn');
    expect(rec.stderr).toBe('');
    expect(rec.stdout).toBe('visit report 1 recorded for L-1002 on 2026-03-02 (decision 3): met borrower, outcome promise, promise 20000 by 2026-03-09, 2 evidence file(s)\n');
    expect(run('field', 'report', '--account', 'L-1002', '--file', file('ok.json', withRecording), '--decision', '3', '--pack', 'cn').stdout).toContain('visit report 1 already recorded');
    // the promise is listed with channel visit and the field agent who checked in as taker
    const promises = run('promise', 'list', '--account', 'L-1002', '--as-of', '2026-03-02', '--json').stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(promises).toMatchObject([{ accountId: 'L-1002', madeOn: '2026-03-02', amount: 20000, due: '2026-03-09', channel: 'visit', takenBy: 'f1', state: 'open' }]);
    // the outcome is on the decision
    expect(run('gate', 'log', '--account', 'L-1002').stdout).toMatch(/3\s+2026-03-02T16:00:00.000Z\s+B-502\s+visit\s+400 Lake Shore Dr, Chicago\s+collect\s+allowed\s+promise/);

    const tooBig = run('field', 'report', '--account', 'L-1002', '--file', file('ok.json', withRecording), '--max-mb', '10');
    expect(tooBig.status).toBe(1);
    expect(tooBig.stderr).toContain('evidence[1].size: must be a whole number of bytes from 1 to 10485760');
    const unknown = run('field', 'report', '--account', 'L-9', '--file', file('ok.json', withRecording));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('account: unknown account "L-9"');
    expect(run('audit', 'verify').status).toBe(0);
  });
});
