/**
 * The daily close-of-business cycle.
 *
 * For a business date it pages through open accounts not yet closed for that date (keyset
 * pagination on account id), runs the steps over each page in memory, and writes the page in one
 * transaction: account states, events, applied payments and the run's cursor. That makes it
 * - idempotent: accounts already closed for the date are not selected again;
 * - resumable: a killed run leaves whole pages written, and a restart carries on after them.
 * Dates run in order; asking for a later date first closes every date in between.
 */
import { sql } from 'kysely';
import { addDays, DomainError, parseDate, type BusinessDate } from '../core/index.js';
import { loadBuckets, loadProducts, type Db } from '../store/repo.js';
import { audit } from '../store/audit.js';
import { rowToAccount, rowToState } from '../store/codec.js';
import type { Dialect, Store } from '../store/db.js';
import { STEPS, type AnyStep, type DayTrace, type PageAccount, type PageContext } from './steps.js';

export interface CycleOptions {
  /** accounts per page (one transaction each); default 2000 (measured fastest on SQLite: smaller pages die young in the GC) */
  pageSize?: number;
  onProgress?: (e: { date: BusinessDate; done: number; total: number }) => void;
  onDay?: (t: DayTrace) => void;
  onDateDone?: (s: DateSummary) => void;
  /** the steps to run (default: STEPS) */
  steps?: readonly AnyStep[];
}

export interface DateSummary {
  date: BusinessDate;
  accounts: number;
  events: number;
  payments: number;
  pages: number;
  /** the date had been closed already: nothing changed */
  alreadyDone: boolean;
  /** milliseconds spent reading pages, loading step inputs, computing, and writing (encoding included) */
  timings?: { read: number; load: number; compute: number; write: number };
}

export async function lastClosedDate(db: Db): Promise<BusinessDate | null> {
  const row = await db.selectFrom('cycle_runs').select((eb) => eb.fn.max('business_date').as('d')).where('status', '=', 'done').executeTakeFirst();
  return (row?.d as string | null | undefined) ?? null;
}

/** Closes `date`, first closing every date after the last closed one (a gap is caught up day by day). */
export async function runCycle(store: Store, date: BusinessDate, opts: CycleOptions = {}): Promise<DateSummary[]> {
  parseDate(date, 'date');
  const last = await lastClosedDate(store.db);
  if (last !== null && date <= last) {
    const s: DateSummary = { date, accounts: 0, events: 0, payments: 0, pages: 0, alreadyDone: true };
    opts.onDateDone?.(s);
    return [s];
  }
  const out: DateSummary[] = [];
  let d = last === null ? date : addDays(last, 1);
  while (d <= date) {
    const s = await runDate(store, d, opts);
    opts.onDateDone?.(s);
    out.push(s);
    d = addDays(d, 1);
  }
  return out;
}

/** Closes exactly one date; the previous date must be closed unless this is the first run. */
export async function runDate(store: Store, date: BusinessDate, opts: CycleOptions = {}): Promise<DateSummary> {
  const db = store.db;
  const pageSize = opts.pageSize ?? 2000;
  const steps = opts.steps ?? STEPS;
  const existing = await db.selectFrom('cycle_runs').selectAll().where('business_date', '=', date).executeTakeFirst();
  if (existing?.status === 'done') return { date, accounts: 0, events: 0, payments: 0, pages: 0, alreadyDone: true };
  const last = await lastClosedDate(db);
  if (last !== null && addDays(last, 1) !== date) {
    throw new DomainError('cycle.order', `the last closed business date is ${last}; close ${addDays(last, 1)} next, not ${date}`);
  }
  const later = await db.selectFrom('cycle_runs').select('business_date').where('business_date', '>', date).executeTakeFirst();
  if (later) throw new DomainError('cycle.order', `a run for ${later.business_date} exists; dates run in order`);
  if (!existing) {
    await db.insertInto('cycle_runs').values({ business_date: date, status: 'running', started_at: new Date().toISOString(), finished_at: null, accounts: 0, cursor: null })
      .onConflict((oc) => oc.column('business_date').doNothing()).execute();
  }
  if (store.dialect === 'postgres') {
    // fresh statistics keep the keyset page query on the primary-key index: after a bulk import,
    // before autovacuum has analysed the table, PostgreSQL would otherwise sort the whole table per page
    await sql`analyze account_state, accounts`.execute(db);
  }
  const [products, buckets] = await Promise.all([loadProducts(db), loadBuckets(db)]);
  const pending = (q: ReturnType<typeof baseQuery>) => q.where('s.status', '=', 'open').where((eb) => eb.or([eb('s.as_of', 'is', null), eb('s.as_of', '<', date)]));
  const baseQuery = () => db.selectFrom('account_state as s').innerJoin('accounts as a', 'a.id', 's.account_id');
  const totalRow = await pending(baseQuery()).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const total = Number(totalRow?.n ?? 0);
  const timings = { read: 0, load: 0, compute: 0, write: 0 };
  const summary: DateSummary = { date, accounts: 0, events: 0, payments: 0, pages: 0, alreadyDone: false, timings };
  let t = performance.now();
  const lap = (k: keyof typeof timings): void => {
    const now = performance.now();
    timings[k] += now - t;
    t = now;
  };
  let cursor = existing?.cursor ?? '';
  let done = 0;
  opts.onProgress?.({ date, done, total });
  for (;;) {
    t = performance.now();
    const rows = await pending(baseQuery())
      .select(['a.id', 'a.borrower_id', 'a.product_id', 'a.currency', 'a.principal', 'a.disbursed',
        's.as_of', 's.status', 's.dpd', 's.bucket', 's.delinquent_since', 's.credit', 's.data'])
      .where('s.account_id', '>', cursor)
      .orderBy('s.account_id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    const accounts: PageAccount[] = rows.map((r) => {
      const product = products.get(r.product_id);
      if (!product) throw new DomainError('data.product', `account ${r.id} refers to unknown product ${r.product_id}`);
      return { account: rowToAccount(r), product, state: rowToState(r) };
    });
    const ids = accounts.map((a) => a.account.id);
    lap('read');
    const ctx: PageContext = { date, buckets, accounts, events: [], appliedPayments: [], onDay: opts.onDay };
    const writes: ((tx: Db, dialect: Dialect) => Promise<void>)[] = [];
    for (const st of steps) writes.push(await st.run(db, ids, ctx, lap));
    cursor = ids[ids.length - 1] as string;
    await db.transaction().execute(async (tx) => {
      for (const w of writes) await w(tx, store.dialect);
      await tx.updateTable('cycle_runs').set({
        cursor, accounts: (eb) => eb('accounts', '+', rows.length),
        events: (eb) => eb('events', '+', ctx.events.length), payments: (eb) => eb('payments', '+', ctx.appliedPayments.length),
      }).where('business_date', '=', date).execute();
    });
    lap('write');
    summary.pages += 1;
    summary.accounts += rows.length;
    summary.events += ctx.events.length;
    summary.payments += ctx.appliedPayments.length;
    done += rows.length;
    opts.onProgress?.({ date, done, total });
    if (rows.length < pageSize) break;
  }
  await db.transaction().execute(async (tx) => {
    // one audit entry per closed date (not per account), with the run's cumulative counts
    const run = await tx.updateTable('cycle_runs').set({ status: 'done', finished_at: new Date().toISOString() }).where('business_date', '=', date)
      .returning(['accounts', 'events', 'payments', 'started_at', 'finished_at']).executeTakeFirstOrThrow();
    await audit(tx, 'cycle.date_closed', `business_date:${date}`, { accounts: Number(run.accounts), events: Number(run.events), payments: Number(run.payments), started: run.started_at }, 'cycle', run.finished_at ?? undefined);
  });
  return summary;
}
