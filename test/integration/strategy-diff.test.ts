/**
 * `strategy diff`: the default ladder against a copy whose contact_persons rung starts at DPD 10
 * instead of 15, over the never-answers timeline (replayed twice) and over a small SQLite database
 * whose last closed date the cycle evaluated with the default strategy (through the built CLI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle, STEPS, step, strategyStep } from '../../src/cycle/index.js';
import { strategyDiff } from '../../src/cli/strategy-diff.js';
import { loadStrategy } from '../../src/strategy/index.js';
import type { StrategyDiff } from '../../src/strategy/diff.js';
import { parseProduct } from '../../src/ledger/index.js';
import { openStore } from '../../src/store/db.js';
import { insertLoans } from '../../src/store/repo.js';
import { addDays } from '../../src/core/index.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const DEFAULT_TEXT = readFileSync('strategies/default.yaml', 'utf8');
const DEFAULT = loadStrategy(DEFAULT_TEXT, 'strategies/default.yaml');
const NEW_TEXT = DEFAULT_TEXT
  .replace('when: dpd >= 15 && contact.daysSinceRightPartyContact', 'when: dpd >= 10 && contact.daysSinceRightPartyContact')
  .replace(/^version: 1$/m, 'version: 2');

let dir = '';
let newPath = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arrears-diff-'));
  newPath = join(dir, 'earlier-contact-persons.yaml');
  writeFileSync(newPath, NEW_TEXT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

const vol = (d: StrategyDiff, date: string, kind: string): [number, number, number] | undefined => {
  const v = d.volumes.find((x) => x.date === date && x.kind === kind);
  return v ? [v.old, v.new, v.delta] : undefined;
};

describe('strategy diff over a timeline', () => {
  it('finds the five days contact persons start earlier, and the employer-call shift', async () => {
    expect(NEW_TEXT).not.toEqual(DEFAULT_TEXT);
    const d = await strategyDiff(DEFAULT, loadStrategy(NEW_TEXT, newPath), 'timelines/never-answers.yaml');
    expect(d.old).toBe('default@1');
    expect(d.new).toBe('default@2');
    expect(d.accounts).toBe(1);
    expect(d.accountDays).toBe(273); // 2026-01-01 … 2026-09-30
    expect(d.changedAccounts).toBe(1);
    expect(d.changedAccountDays).toBe(5); // DPD 10 … 14: 2026-03-11 … 03-15
    expect(d.stageChanges).toEqual([{ from: 'intensified', to: 'contact_persons', accountDays: 5, accounts: 1, examples: ['L-NA'] }]);
    // 03-11: contact_persons day 0 (3 calls + the employer) instead of intensified's 3 calls
    expect(vol(d, '2026-03-11', 'call')).toEqual([3, 4, 1]);
    expect(vol(d, '2026-03-12', 'call')).toEqual([3, 3, 0]);
    // 03-16: the old version enters contact_persons (employer call), the new one is on day 5
    expect(vol(d, '2026-03-16', 'call')).toEqual([4, 3, -1]);
    expect(vol(d, '2026-03-11', 'sms')).toEqual([1, 1, 0]);
    // employer calls every 3 days: 12 from 03-11 against 10 from 03-16, until field_visit on 04-15
    expect(d.totals.find((t) => t.kind === 'call')).toEqual({ kind: 'call', old: 217, new: 219, delta: 2 });
    expect(d.totals.filter((t) => t.delta !== 0).map((t) => t.kind)).toEqual(['call']);
    expect(d.changedTaskAccountDays).toBe(22);
    expect(d.volumes.filter((v) => v.delta !== 0).every((v) => v.date >= '2026-03-11' && v.date < '2026-04-15')).toBe(true);
  });

  it('an identical version changes nothing', async () => {
    const d = await strategyDiff(DEFAULT, DEFAULT, 'timelines/never-answers.yaml');
    expect(d.changedAccountDays).toBe(0);
    expect(d.changedTaskAccountDays).toBe(0);
    expect(d.volumes.every((v) => v.delta === 0)).toBe(true);
  });
});

describe('strategy diff over a database (built CLI)', () => {
  const D = '2026-02-20';
  let db = '';
  // twenty loans disbursed 2026-01-01 … 01-20, first instalment a month later, nothing paid:
  // on 02-20 they are 19 … 0 days past due, and nobody was ever reached
  beforeAll(async () => {
    db = join(dir, 'diff.db');
    const store = await openStore({ url: db });
    try {
      const product = parseProduct('p', { method: 'annuity', annualRate: 0.12, termMonths: 12 });
      await insertLoans(store.db, Array.from({ length: 20 }, (_, i) => {
        const id = `L-${String(i + 1).padStart(2, '0')}`;
        return {
          account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 1000000, disbursed: addDays('2026-01-01', i) },
          product,
          borrower: { id: `B-${id}`, name: id, timezone: 'UTC', phones: [], emails: [], addresses: [] },
        };
      }));
      const steps = [...STEPS, step(strategyStep(DEFAULT))];
      await runCycle(store, '2026-01-20', { steps });
      await runCycle(store, D, { steps });
    } finally {
      await store.close();
    }
  });

  it('re-evaluates the last closed date exactly as the cycle did, and reports the accounts at DPD 10 … 14', async () => {
    const r = cli('strategy', 'diff', 'default', newPath, '--replay', db, '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout) as StrategyDiff;
    expect(d.from).toBe(D);
    expect(d.until).toBe(D);
    expect(d.accountDays).toBe(20);
    expect(d.changedAccounts).toBe(5);
    expect(d.changedAccountDays).toBe(5);
    // disbursed 01-06 … 01-10: due 02-06 … 02-10, DPD 14 … 10
    expect(d.stageChanges).toEqual([{ from: 'intensified', to: 'contact_persons', accountDays: 5, accounts: 5, examples: ['L-06', 'L-07', 'L-08', 'L-09', 'L-10'] }]);

    // the old side is what the cycle planned that day (stage-before and days-in-stage restored)
    const store = await openStore({ url: db });
    try {
      const planned = await store.db.selectFrom('tasks').select(['type', 'channel']).where('business_date', '=', D).execute();
      const count = new Map<string, number>();
      for (const t of planned) count.set(t.channel ?? t.type, (count.get(t.channel ?? t.type) ?? 0) + 1);
      expect(Object.fromEntries(d.volumes.map((v) => [v.kind, v.old]))).toEqual(Object.fromEntries(count));
      const stages = await store.db.selectFrom('account_stage').select(['stage']).execute();
      expect(stages.filter((s) => s.stage === 'contact_persons')).toHaveLength(5); // DPD 15 … 19
    } finally {
      await store.close();
    }
    const calls = d.volumes.find((v) => v.kind === 'call');
    expect(calls?.delta).toBe(d.totals.find((t) => t.kind === 'call')?.delta);
    expect(calls && calls.delta).toBeGreaterThan(0);
  });

  it('sees the stage an account was in before a move on that date (not the one it moved to)', async () => {
    // reminder from DPD 2: L-19 (DPD 1, moved current → reminder on the date) stays current, where it
    // has been since 01-19, so a `once` action of current does not fire again
    const text = DEFAULT_TEXT
      .replace(/when: dpd >= 1\n/, 'when: dpd >= 2\n')
      .replace('- { task: sms, template: due_reminder, daysBeforeDue: 3, window: "09:00-20:00" }',
        '- { task: sms, template: due_reminder, daysBeforeDue: 3, window: "09:00-20:00" }\n      - { task: letter, template: welcome, once: true }');
    expect(text).toContain('template: welcome');
    expect(text).toContain('when: dpd >= 2\n');
    const d = await strategyDiff(DEFAULT, loadStrategy(text, 'reminder-later.yaml'), db);
    expect(d.stageChanges).toEqual([{ from: 'reminder', to: 'current', accountDays: 1, accounts: 1, examples: ['L-19'] }]);
    expect(d.volumes.find((v) => v.kind === 'letter')).toBeUndefined();
  });

  it('prints a table', () => {
    const r = cli('strategy', 'diff', 'default', newPath, '--replay', db);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`strategy diff default@1 → default@2 (${D})`);
    expect(r.stdout).toContain('stage changes: 5 account(s), 5 account-day(s)');
    expect(r.stdout).toMatch(/intensified\s+contact_persons\s+5\s+5\s+L-06, L-07, L-08, L-09, L-10/);
  });

  it('rejects a bad source, naming --replay', () => {
    const missing = cli('strategy', 'diff', 'default', newPath, '--replay', join(dir, 'nope.db'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--replay');
    const notDb = cli('strategy', 'diff', 'default', newPath, '--replay', newPath.replace(/\.yaml$/, '.txt'));
    expect(notDb.status).toBe(1);
    writeFileSync(join(dir, 'junk.bin'), 'not a database at all');
    const junk = cli('strategy', 'diff', 'default', newPath, '--replay', join(dir, 'junk.bin'));
    expect(junk.status).toBe(1);
    expect(junk.stderr).toContain('neither a timeline');
  });
});
