/**
 * Kill-and-resume: a cycle process killed with SIGKILL part-way through a business date, then
 * restarted, must end in exactly the state of an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProduct } from '../../src/ledger/index.js';
import { dropSchema, openStore, type Store } from '../../src/store/db.js';
import { insertLoans, recordPayments } from '../../src/store/repo.js';
import { PG_URL, uniqueSchema } from '../support/stores.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const DATE = '2026-09-30';
const LOANS = 4000;

const product = parseProduct('p', {
  method: 'annuity', annualRate: 0.18, termMonths: 12, graceDays: 3,
  penalty: { dailyRate: 0.0005 }, liquidatedDamages: { percentOfInstalment: 0.05 }, costCap: 0.36,
});

async function seed(store: Store): Promise<void> {
  const loans = Array.from({ length: LOANS }, (_, i) => {
    const id = `L-${String(i).padStart(6, '0')}`;
    return {
      account: { id, borrowerId: `B-${i}`, productId: 'p', currency: 'USD', principal: 100000 + i * 37, disbursed: `2026-0${1 + (i % 5)}-${String(1 + (i % 28)).padStart(2, '0')}` },
      product,
      borrower: { id: `B-${i}`, name: `Borrower ${i}`, timezone: 'UTC', phones: [], emails: [], addresses: [] },
    };
  });
  await insertLoans(store.db, loans);
  // every third borrower pays something now and then
  const pays = loans.filter((_, i) => i % 3 === 0).map((l, i) => ({ key: `k${i}`, accountId: l.account.id, date: '2026-07-15', amount: 5000 + i }));
  await recordPayments(store.db, pays);
}

async function snapshot(store: Store) {
  return {
    states: await store.db.selectFrom('account_state').selectAll().orderBy('account_id').execute(),
    events: await store.db.selectFrom('ledger_events').select(['account_id', 'business_date', 'type', 'data']).orderBy('account_id').orderBy('business_date').orderBy('type').orderBy('data').execute(),
    payments: await store.db.selectFrom('payments').select(['key', 'applied_date']).orderBy('key').execute(),
    runs: await store.db.selectFrom('cycle_runs').select(['business_date', 'status']).execute(),
  };
}

function runCli(env: NodeJS.ProcessEnv, args: string[]) {
  return spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, ARREARS_CYCLE_PAGE_SIZE: '50' }, stdio: ['ignore', 'ignore', 'pipe'] });
}

function waitExit(p: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => p.on('exit', (code) => resolve(code)));
}

interface Target {
  name: string;
  env: NodeJS.ProcessEnv;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'arrears-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sqliteTarget(name: string): Target {
  const file = join(dir, `${name}.db`);
  return { name, env: { DATABASE_URL: file }, open: () => openStore({ url: file }), cleanup: async () => {} };
}

function pgTarget(url: string): Target {
  const schema = uniqueSchema('kill');
  return { name: schema, env: { DATABASE_URL: url, ARREARS_DB_SCHEMA: schema }, open: () => openStore({ url, schema }), cleanup: () => dropSchema(url, schema) };
}

const cases: { name: string; make: (n: string) => Target }[] = [
  { name: 'sqlite', make: sqliteTarget },
  ...(PG_URL ? [{ name: 'postgres', make: () => pgTarget(PG_URL as string) }] : []),
];

describe.each(cases)('cycle killed and resumed on $name', ({ make }) => {
  it('ends in the same state as an uninterrupted run', async () => {
    expect(existsSync(CLI), 'run `npm run build` first (npm test does)').toBe(true);
    const killed = make('killed');
    const clean = make('clean');
    try {
      for (const t of [killed, clean]) {
        const s = await t.open();
        await seed(s);
        await s.close();
      }
      // uninterrupted
      expect(await waitExit(runCli(clean.env, ['cycle', 'run', '--date', DATE]))).toBe(0);

      // killed once some pages are committed but before the date is done
      const watcher = await killed.open();
      const child = runCli(killed.env, ['cycle', 'run', '--date', DATE]);
      const exited = waitExit(child);
      let midRun = false;
      for (let i = 0; i < 3000; i++) {
        const run = await watcher.db.selectFrom('cycle_runs').select(['status', 'accounts']).executeTakeFirst();
        if (run && run.status === 'running' && run.accounts > 0 && run.accounts < LOANS) {
          child.kill('SIGKILL');
          midRun = true;
          break;
        }
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const code = await exited;
      expect(midRun, 'the process was killed mid-run').toBe(true);
      expect(code).toBe(null);
      const partial = await watcher.db.selectFrom('cycle_runs').select(['status', 'accounts']).executeTakeFirstOrThrow();
      expect(partial.status).toBe('running');
      expect(partial.accounts).toBeLessThan(LOANS);
      await watcher.close();

      // restart finishes the date
      expect(await waitExit(runCli(killed.env, ['cycle', 'run', '--date', DATE]))).toBe(0);
      const a = await killed.open();
      const b = await clean.open();
      try {
        const [sa, sb] = [await snapshot(a), await snapshot(b)];
        expect(sa.runs).toEqual([{ business_date: DATE, status: 'done' }]);
        expect(sa.states).toEqual(sb.states);
        expect(sa.events).toEqual(sb.events);
        expect(sa.payments).toEqual(sb.payments);
        expect(sa.events.length).toBeGreaterThan(LOANS);
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await killed.cleanup();
      await clean.cleanup();
    }
  }, 240_000);
});
