/**
 * `arrears demo` (and `npm start`): a seeded synthetic portfolio in the embedded database, the
 * daily cycle run over its history, and a portfolio summary. Running it again on the same
 * database only catches the cycle up to the new date.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { addDays, DomainError, maxDate, ValidationError, type BusinessDate } from '../core/index.js';
import { isPostgresUrl, openStore } from '../store/db.js';
import { chunks, insertLoans, recordPayments, saveActiveStrategy } from '../store/repo.js';
import { saveJurisdiction } from '../store/gate.js';
import { activeSteps, findStrategyFile } from './strategies.js';
import { lastClosedDate, runCycle } from '../cycle/index.js';
import { generatePortfolio, paymentsFor } from '../sim/index.js';
import { logger, progress } from './progress.js';
import { printSummary } from './summary.js';

/** The compliance gate's packs per country in the demo database (`arrears gate jurisdiction`). */
export const DEMO_JURISDICTIONS: readonly (readonly [string, readonly string[]])[] = [['US', ['us-regf']], ['GB', ['uk-conc']], ['CN', ['cn']]];

export interface DemoOptions {
  url: string;
  count: number;
  seed: number;
  asOf: BusinessDate;
  historyDays: number;
  reset: boolean;
}

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

export async function runDemo(o: DemoOptions): Promise<void> {
  const log = logger();
  if (o.reset) {
    if (isPostgresUrl(o.url)) throw new DomainError('demo.reset', '--reset only deletes SQLite files; drop the PostgreSQL schema yourself');
    for (const f of [o.url, `${o.url}-wal`, `${o.url}-shm`]) if (existsSync(f)) rmSync(f);
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
      const runs = await runCycle(store, o.asOf, cycleOpts);
      bar.stop();
      log.info({ dates: runs.length, through: o.asOf }, 'cycle caught up');
    }
    bar.stop();
    await printSummary(store);
    process.stdout.write(`\nDatabase: ${store.location}. Try: npx arrears summary · npx arrears replay timelines/gate-example.yaml · npx arrears gate decide --account L-0000003 --channel call · npx arrears strategy check default\n`);
  } finally {
    await store.close();
  }
}
