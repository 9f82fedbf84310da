/**
 * `arrears demo` (and `npm start`): a seeded synthetic portfolio in the embedded database, the
 * daily cycle run over its history, and a portfolio summary. Running it again on the same
 * database only catches the cycle up to the new date.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { addDays, DomainError, maxDate, ValidationError, type BusinessDate } from '../core/index.js';
import { isPostgresUrl, openStore, type Store } from '../store/db.js';
import { chunks, insertLoans, recordPayments, saveActiveStrategy } from '../store/repo.js';
import { saveJurisdiction } from '../store/gate.js';
import { activeSteps, findStrategyFile } from './strategies.js';
import { lastClosedDate, runCycle, type CycleOptions } from '../cycle/index.js';
import { generatePortfolio, paymentsFor } from '../sim/index.js';
import { logger, progress } from './progress.js';
import { printSummary } from './summary.js';
import { ensureStaff, simulateStaffDay, type StaffContext } from './demo-staff.js';

/** The compliance gate's packs per country in the demo database (`arrears gate jurisdiction`). */
export const DEMO_JURISDICTIONS: readonly (readonly [string, readonly string[]])[] = [['US', ['us-regf']], ['GB', ['uk-conc']], ['CN', ['cn']]];

export interface DemoOptions {
  url: string;
  count: number;
  seed: number;
  asOf: BusinessDate;
  historyDays: number;
  reset: boolean;
  /** the last N business dates are worked by the demo's staff (0: none); default DEMO_STAFF_DAYS */
  staffDays?: number;
}

/** Business dates at the end of the history the demo's staff work (queues, calls, placements, visits). */
export const DEMO_STAFF_DAYS = 10;
const STAFF_MARKER = 'demo.staff';

interface DemoParams {
  seed: number;
  count: number;
  asOf: BusinessDate;
  historyDays: number;
}

function parseMarker(text: string): DemoParams {
  const v = JSON.parse(text) as Partial<DemoParams>;
  if (typeof v.seed !== 'number' || typeof v.count !== 'number' || typeof v.asOf !== 'string' || typeof v.historyDays !== 'number') {
    throw new ValidationError('settings.demo', 'the demo marker in this database is from another version; run the demo with --reset');
  }
  return { seed: v.seed, count: v.count, asOf: v.asOf, historyDays: v.historyDays };
}

/** The demo's SMS are written next to a SQLite database (`data/arrears-outbox/` for `data/arrears.db`), else to `data/outbox/`. */
export function outboxDirFor(url: string): string {
  if (isPostgresUrl(url) || url === ':memory:') return resolve('data', 'outbox');
  const file = resolve(url);
  return join(dirname(file), `${basename(file).replace(/\.[^.]*$/, '')}-outbox`);
}

/**
 * Closes every date through `asOf`; the last `staffDays` of them one at a time, each followed by
 * the staff's working day (src/cli/demo-staff.ts). A date the staff worked already (the
 * `demo.staff` setting) is not worked again. Returns the number of dates closed.
 */
async function catchUp(store: Store, asOf: BusinessDate, cycleOpts: CycleOptions, staffDays: number, ctx: StaffContext, bar: { stop(): void }): Promise<number> {
  const closed = await lastClosedDate(store.db);
  const marker = await store.db.selectFrom('settings').select('value').where('key', '=', STAFF_MARKER).executeTakeFirst();
  const worked = marker ? (JSON.parse(marker.value) as { through: BusinessDate }).through : null;
  let staffFrom = addDays(asOf, 1 - staffDays);
  if (closed !== null && staffFrom <= closed) staffFrom = addDays(closed, 1);
  if (worked !== null && staffFrom <= worked) staffFrom = addDays(worked, 1);
  let dates = 0;
  if (staffDays <= 0 || staffFrom > asOf) return (await runCycle(store, asOf, cycleOpts)).length;
  const before = addDays(staffFrom, -1);
  if (closed === null || closed < before) dates += (await runCycle(store, before, cycleOpts)).length;
  const staff = await ensureStaff(store, `${staffFrom}T00:00:00.000Z`);
  if (staff.users + staff.agencies > 0) ctx.log.info(staff, 'demo staff, agencies and references added');
  for (let d = staffFrom; d <= asOf; d = addDays(d, 1)) {
    dates += (await runCycle(store, d, cycleOpts)).length;
    bar.stop();
    const t0 = performance.now();
    const day = await simulateStaffDay(store, d, ctx);
    await store.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('settings').where('key', '=', STAFF_MARKER).execute();
      await tx.insertInto('settings').values({ key: STAFF_MARKER, value: JSON.stringify({ through: d }) }).execute();
    });
    ctx.log.info({ ...day, totalMs: Math.round(performance.now() - t0) }, 'demo staff worked the day');
  }
  return dates;
}

export async function runDemo(o: DemoOptions): Promise<void> {
  const log = logger();
  if (o.reset) {
    if (isPostgresUrl(o.url)) throw new DomainError('demo.reset', '--reset only deletes SQLite files; drop the PostgreSQL schema yourself');
    for (const f of [o.url, `${o.url}-wal`, `${o.url}-shm`]) if (existsSync(f)) rmSync(f);
    // the old portfolio's messages: the new one reuses their task ids, so their keys
    const outbox = outboxDirFor(o.url);
    if (existsSync(outbox)) for (const f of readdirSync(outbox)) if (f.endsWith('.json')) rmSync(join(outbox, f));
  }
  const store = await openStore({ url: o.url });
  try {
    const marker = await store.db.selectFrom('settings').select('value').where('key', '=', 'demo').executeTakeFirst();
    const anyAccount = await store.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    if (anyAccount && !marker) {
      throw new DomainError('demo.occupied', `${store.location} already holds loans that are not the demo's; run the demo on another database (--db data/demo.db) or without data`);
    }
    const bar = progress(log);
    const cycleOpts = {
      onProgress: (e: { date: string; done: number; total: number }) => bar.update(`close ${e.date}`, e.done, e.total),
      steps: await activeSteps(store),
    };
    const params: DemoParams = marker ? parseMarker(marker.value) : { seed: o.seed, count: o.count, asOf: o.asOf, historyDays: o.historyDays };
    if (marker && (params.seed !== o.seed || params.count !== o.count)) {
      log.warn({ seed: params.seed, accounts: params.count }, 'this database already holds a demo portfolio; continuing it (use --reset for a new one)');
    }
    const portfolio = generatePortfolio({ count: params.count, seed: params.seed, asOf: params.asOf, historyDays: params.historyDays });
    const loans = portfolio.loans.map((l) => {
      const product = portfolio.products[l.account.productId];
      if (!product) throw new DomainError('demo.product', `unknown product ${l.account.productId}`);
      return { account: l.account, borrower: l.borrower, product, loan: l };
    });
    const last = await lastClosedDate(store.db);
    if (!marker) {
      log.info({ accounts: o.count, seed: o.seed, asOf: o.asOf, database: store.location }, 'generating the demo portfolio');
      await store.db.transaction().execute(async (tx) => {
        for (const c of chunks(loans, 5000)) await insertLoans(tx, c);
        await recordPayments(tx, loans.flatMap((l) => paymentsFor(l.loan, l.product, l.account.disbursed, o.asOf)));
        await tx.insertInto('settings').values({ key: 'demo', value: JSON.stringify(params) }).execute();
        const path = findStrategyFile('default');
        await saveActiveStrategy(tx, { source: path, text: readFileSync(path, 'utf8') });
        // the rule packs of the demo borrowers' countries (the simulator places them in the US, the UK and China)
        for (const [country, packs] of DEMO_JURISDICTIONS) await saveJurisdiction(tx, country, packs);
      });
      cycleOpts.steps = await activeSteps(store);
      const start = addDays(o.asOf, -o.historyDays);
      log.info({ from: start, to: o.asOf }, 'running the daily cycle over the demo history');
      await runCycle(store, start, cycleOpts);
    } else if (last !== null && last < o.asOf) {
      // the borrowers keep behaving as simulated: record what they paid since the last run
      const from = addDays(maxDate(last, params.asOf), 1);
      const fresh = loans.flatMap((l) => paymentsFor(l.loan, l.product, from, o.asOf));
      await store.db.transaction().execute((tx) => recordPayments(tx, fresh));
      log.info({ from, to: o.asOf, payments: fresh.length }, 'demo payments recorded since the last run');
    }
    const closed = await lastClosedDate(store.db);
    if (closed === null || closed < o.asOf) {
      const runs = await catchUp(store, o.asOf, cycleOpts, o.staffDays ?? DEMO_STAFF_DAYS, { seed: params.seed, loans: new Map(loans.map((l) => [l.account.id, { loan: l.loan, product: l.product }])), log, outboxDir: outboxDirFor(o.url) }, bar);
      bar.stop();
      log.info({ dates: runs, through: o.asOf }, 'cycle caught up');
    }
    bar.stop();
    await printSummary(store);
    process.stdout.write(`\nDatabase: ${store.location}. Try: npx arrears summary · npx arrears queue status · npx arrears replay timelines/gate-example.yaml · npx arrears gate decide --account L-0000003 --channel call · npx arrears strategy check default\n`);
  } finally {
    await store.close();
  }
}
