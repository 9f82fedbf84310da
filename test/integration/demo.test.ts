/**
 * `arrears demo` — what `npm start` runs — on a small portfolio: creates the database, runs the
 * cycle over the history, prints the portfolio by bucket; a second run only catches up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { importLoans } from '../../src/cli/import.js';
import { lastClosedDate } from '../../src/cycle/index.js';
import { loadJurisdictions } from '../../src/store/gate.js';
import type { Store } from '../../src/store/db.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'arrears-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function demo(db: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--db', db, 'demo', '--accounts', '300', '--history', '5', ...args], { encoding: 'utf8' });
}

describe('arrears demo', () => {
  const db = join(dir, 'demo.db');

  it('creates a portfolio with a spread of delinquency and prints it by bucket', async () => {
    const r = demo(db, '--as-of', '2026-06-30');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Portfolio as of 2026-06-30');
    for (const bucket of ['C ', 'M1 ', 'M7+ ']) expect(r.stdout).toContain(`\n${bucket}`);
    const s = await openStore({ url: db });
    try {
      expect(await lastClosedDate(s.db)).toBe('2026-06-30');
      const runs = await s.db.selectFrom('cycle_runs').select('business_date').orderBy('business_date').execute();
      expect(runs.map((x) => x.business_date)).toEqual(['2026-06-25', '2026-06-26', '2026-06-27', '2026-06-28', '2026-06-29', '2026-06-30']);
      const applied = await s.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).where('applied_date', 'is not', null).executeTakeFirstOrThrow();
      expect(Number(applied.n)).toBeGreaterThan(300);
      // the gate knows which packs bind the demo borrowers' countries
      expect(await loadJurisdictions(s.db)).toEqual({ default: null, byCountry: { US: ['us-regf'], GB: ['uk-conc'], CN: ['cn'] } });
    } finally {
      await s.close();
    }
  });

  it('a later run records the new days\' payments and only catches the cycle up', async () => {
    const r = demo(db, '--as-of', '2026-07-10');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Portfolio as of 2026-07-10');
    const s = await openStore({ url: db });
    try {
      expect(await lastClosedDate(s.db)).toBe('2026-07-10');
      const july = await s.db.selectFrom('payments').select('key').where('business_date', '>', '2026-06-30').execute();
      expect(july.length).toBeGreaterThan(0);
      expect((await s.db.selectFrom('accounts').select('id').execute()).length).toBe(300);
    } finally {
      await s.close();
    }
  });

  it('refuses a database that holds other loans', async () => {
    const other = join(dir, 'other.db');
    const s = await openStore({ url: other });
    await importLoans(s, 'test/fixtures/import/loans.csv', (await import('node:fs')).readFileSync('test/fixtures/import/loans.csv', 'utf8'), { strict: false });
    await s.close();
    const r = demo(other, '--as-of', '2026-06-30');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('already holds loans that are not the demo');
  });

  it('rejects bad options naming the option and the rule', () => {
    const staff = demo(join(dir, 'y.db'), '--as-of', '2026-06-30', '--staff-days', '-1');
    expect(staff.status).toBe(1);
    expect(staff.stderr).toContain('--staff-days: must be a whole number from 0 to 366');
    const r = demo(join(dir, 'x.db'), '--as-of', '2026-02-30');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--as-of: "2026-02-30" is not a calendar date');
  });
});

/** What the staff did, as counts: equal for two runs with the same seed. */
async function staffCounts(s: Store) {
  const decisions = await s.db.selectFrom('gate_decisions').select(['agent_id', 'agency_id', 'channel', 'allowed', 'outcome', 'rule'])
    .select((eb) => eb.fn.countAll<number>().as('n')).where('agent_id', 'is not', null)
    .groupBy(['agent_id', 'agency_id', 'channel', 'allowed', 'outcome', 'rule']).execute();
  const placements = await s.db.selectFrom('placements').select(['agency_id', 'account_id', 'placed_on']).orderBy('account_id').execute();
  const items = await s.db.selectFrom('queue_items').select(['status', 'outcome']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['status', 'outcome']).execute();
  const visits = await s.db.selectFrom('visit_reports').select(['account_id', 'visit_date', 'outcome']).orderBy('id').execute();
  const promises = await s.db.selectFrom('attempts').select(['account_id', 'promise_amount', 'promise_due']).where('outcome', '=', 'promise').orderBy('id').execute();
  const sorted = <T>(rows: T[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
  return { decisions: sorted(decisions.map((d) => ({ ...d, n: Number(d.n) }))), placements, items: sorted(items.map((i) => ({ ...i, n: Number(i.n) }))), visits, promises };
}

describe('arrears demo: staff at work', () => {
  const staffDemo = (db: string, asOf: string) => spawnSync(process.execPath, [CLI, '--db', db, 'demo', '--accounts', '400', '--history', '8', '--seed', '42', '--as-of', asOf], { encoding: 'utf8' });
  const a = join(dir, 'staff-a.db');
  const b = join(dir, 'staff-b.db');

  it('adds agents, agencies and field agents, and works the last dates: placements, calls through the gate, visits', async () => {
    const r = staffDemo(a, '2026-06-30');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Staff — gate decisions by who made the attempt');
    expect(r.stdout).toContain('Agencies — placements');
    expect(r.stdout).toMatch(/Field visits: \d+ planned, \d+ reported. Outbox: \d+ sent/);
    const s = await openStore({ url: a });
    try {
      const users = await s.db.selectFrom('users').select(['id', 'role', 'agency_id']).execute();
      const roles = new Set(users.map((u) => u.role));
      expect([...roles].sort()).toEqual(['agency_agent', 'agent', 'field_agent', 'supervisor']);
      expect(users.filter((u) => u.role === 'agency_agent').every((u) => u.agency_id !== null)).toBe(true);
      expect((await s.db.selectFrom('agencies').select('id').execute()).length).toBe(3);
      const placements = await s.db.selectFrom('placements').select(['agency_id', 'bucket']).execute();
      expect(placements.length).toBeGreaterThan(0);
      expect(placements.every((p) => ['M3', 'M4', 'M5', 'M6'].includes(p.bucket))).toBe(true);
      // queue items worked: done with an outcome and the gate decision of the call
      const done = await s.db.selectFrom('queue_items').select(['outcome', 'decision_id', 'agent_id']).where('status', '=', 'done').execute();
      expect(done.length).toBeGreaterThan(50);
      expect(done.every((i) => i.outcome !== null && i.decision_id !== null && i.agent_id !== null)).toBe(true);
      // every attempt by an agent went through the gate (the rules it checked are recorded): allowed ones with their outcome,
      // blocked ones with their rule (with one agent per account and date, a small demo may have none)
      const byAgents = await s.db.selectFrom('gate_decisions').select(['allowed', 'outcome', 'agency_id', 'rule', 'channel', 'checked']).where('agent_id', 'is not', null).execute();
      expect(byAgents.length).toBeGreaterThan(50);
      expect(byAgents.every((d) => (JSON.parse(d.checked) as string[]).length > 0)).toBe(true);
      expect(byAgents.filter((d) => d.allowed === 0).every((d) => d.rule !== null)).toBe(true);
      // calls show a registered caller number of the agent's agency or the lender; none is blocked for it
      const calls = await s.db.selectFrom('gate_decisions').select(['caller_number', 'rule']).where('agent_id', 'is not', null).where('channel', '=', 'call').execute();
      const registered = new Set((await s.db.selectFrom('caller_numbers').select('number').execute()).map((r) => r.number));
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((c) => c.caller_number !== null && registered.has(c.caller_number))).toBe(true);
      expect(calls.some((c) => c.rule === 'registered-caller-number')).toBe(false);
      expect(byAgents.filter((d) => d.allowed === 1).every((d) => d.outcome !== null)).toBe(true);
      expect(byAgents.some((d) => d.agency_id !== null)).toBe(true);
      expect(new Set(byAgents.map((d) => d.outcome))).toContain('promise');
      expect(new Set(byAgents.map((d) => d.outcome))).toContain('wrong_number');
      // promises carry an amount and a due date
      const promises = await s.db.selectFrom('attempts').select(['promise_amount', 'promise_due', 'business_date']).where('outcome', '=', 'promise').execute();
      expect(promises.length).toBeGreaterThan(0);
      expect(promises.every((p) => p.promise_amount !== null && p.promise_amount > 0 && p.promise_due !== null && p.promise_due >= p.business_date)).toBe(true);
      // field agents: day plans and visit reports, each behind an allowed visit decision
      expect((await s.db.selectFrom('field_plans').select('id').execute()).length).toBeGreaterThan(0);
      const reports = await s.db.selectFrom('visit_reports').select(['decision_id']).execute();
      expect(reports.length).toBeGreaterThan(0);
      expect(reports.every((v) => v.decision_id !== null)).toBe(true);
      // promise reminders: through the gate, the outbox and the dispatcher, into a directory next to the database
      const sms = await s.db.selectFrom('outbox').select(['status']).execute();
      expect(sms.length).toBeGreaterThan(0);
      expect(sms.every((m) => m.status === 'sent')).toBe(true);
      const smsDecisions = await s.db.selectFrom('gate_decisions').select('id').where('channel', '=', 'sms').where('outcome', '=', 'sent').execute();
      expect(smsDecisions.length).toBe(sms.length);
      expect(readdirSync(join(dir, 'staff-a-outbox')).filter((f) => f.endsWith('.json'))).toHaveLength(sms.length);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('is deterministic for a seed: a second database gets the same work', async () => {
    const r = staffDemo(b, '2026-06-30');
    expect(r.status, r.stderr).toBe(0);
    const sa = await openStore({ url: a });
    const sb = await openStore({ url: b });
    try {
      expect(await staffCounts(sb)).toEqual(await staffCounts(sa));
    } finally {
      await sa.close();
      await sb.close();
    }
  }, 60_000);

  it('a later run works only the new dates and adds no staff twice', async () => {
    const s0 = await openStore({ url: a });
    const before = { users: (await s0.db.selectFrom('users').select('id').execute()).length, parties: (await s0.db.selectFrom('parties').select('id').execute()).length,
      dates: (await s0.db.selectFrom('queue_items').select('business_date').distinct().execute()).map((x) => x.business_date) };
    await s0.close();
    const r = staffDemo(a, '2026-07-03');
    expect(r.status, r.stderr).toBe(0);
    const s = await openStore({ url: a });
    try {
      expect((await s.db.selectFrom('users').select('id').execute()).length).toBe(before.users);
      expect((await s.db.selectFrom('agencies').select('id').execute()).length).toBe(3);
      expect((await s.db.selectFrom('parties').select('id').execute()).length).toBe(before.parties);
      expect((await s.db.selectFrom('caller_numbers').select('id').execute()).length).toBe(6);
      const dates = (await s.db.selectFrom('queue_items').select('business_date').distinct().orderBy('business_date').execute()).map((x) => x.business_date);
      expect(dates).toEqual([...before.dates.sort(), '2026-07-01', '2026-07-02', '2026-07-03']);
      // one open placement per account, whatever the runs
      const open = await s.db.selectFrom('placements').select('account_id').where('recalled_on', 'is', null).execute();
      expect(new Set(open.map((p) => p.account_id)).size).toBe(open.length);
    } finally {
      await s.close();
    }
  }, 60_000);
});
