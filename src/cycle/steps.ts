/**
 * Close-of-business steps. The cycle pages through open accounts; for each page every step first
 * loads what it needs for the whole page (set-based: one query per page, never per account), then
 * computes in memory. The cycle writes the page's results in one transaction.
 *
 * A new step (strategy, tasks, reporting) is one object in STEPS below.
 */
import { addDays, type BusinessDate } from '../core/index.js';
import { closeDayInPlace, type Account, type AccountState, type BucketDef, type DayAccrual, type LedgerEvent, type Payment, type PausePeriod, type Product } from '../ledger/index.js';
import { chunks, insertEvents, upsertStates, type Db, type EventRow } from '../store/repo.js';
import { BlobArena, stateToRow } from '../store/codec.js';
import type { Dialect } from '../store/db.js';

export interface PageAccount {
  account: Account;
  product: Product;
  state: AccountState;
}

export interface DayTrace {
  accountId: string;
  date: BusinessDate;
  /** the state after the day's close — read it during the callback: the cycle keeps advancing it */
  state: AccountState;
  events: LedgerEvent[];
  accrual: DayAccrual;
}

export interface PageContext {
  date: BusinessDate;
  buckets: readonly BucketDef[];
  accounts: PageAccount[];
  events: EventRow[];
  /** payments applied in this page, with the business date that applied each */
  appliedPayments: { id: number; date: BusinessDate }[];
  onDay: ((t: DayTrace) => void) | undefined;
}

/**
 * One close-of-business step. Per page: `load` reads what the step needs for all the page's
 * accounts (set-based), `compute` works in memory (pure domain calls), `write` persists the result
 * inside the page's transaction. Steps run in list order and see earlier steps' results in `ctx`.
 */
export interface CycleStep<I, O> {
  readonly name: string;
  load(db: Db, ids: readonly string[], ctx: PageContext): Promise<I>;
  compute(ctx: PageContext, input: I): O;
  write(tx: Db, dialect: Dialect, ctx: PageContext, output: O): Promise<void>;
}

/**
 * The first and last id of a page. Pages are keyset ranges of ids, so steps load "ids between first
 * and last" — one index range scan, no 2000-parameter IN list — and ignore rows of ids not in the page.
 */
export function pageRange(ids: readonly string[]): [string, string] {
  return [ids[0] as string, ids[ids.length - 1] as string];
}

/** A step with its input and output types erased, for the cycle's list. */
export interface AnyStep {
  readonly name: string;
  run(db: Db, ids: readonly string[], ctx: PageContext, lap: (phase: 'load' | 'compute') => void): Promise<(tx: Db, dialect: Dialect) => Promise<void>>;
}

export function step<I, O>(s: CycleStep<I, O>): AnyStep {
  return {
    name: s.name,
    async run(db, ids, ctx, lap) {
      const input = await s.load(db, ids, ctx);
      lap('load');
      const output = s.compute(ctx, input);
      lap('compute');
      return (tx, dialect) => s.write(tx, dialect, ctx, output);
    },
  };
}

interface StoredPayment extends Payment {
  id: number;
}

interface LedgerInput {
  payments: Map<string, StoredPayment[]>;
  pauses: Map<string, PausePeriod[]>;
}

function group<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/**
 * The ledger step: closes every business date from the account's last closed date (or its
 * disbursement) through the cycle date. Payments dated on or before a closed day and not yet
 * applied are applied on the first day closed.
 */
export const ledgerStep: CycleStep<LedgerInput, void> = {
  name: 'ledger',
  async load(db, ids, { date }) {
    if (ids.length === 0) return { payments: new Map(), pauses: new Map() };
    const [first, last] = pageRange(ids);
    const [payments, pauses] = await Promise.all([
      db.selectFrom('payments').select(['id', 'key', 'account_id', 'business_date', 'amount'])
        .where('account_id', '>=', first).where('account_id', '<=', last).where('applied_date', 'is', null).where('business_date', '<=', date)
        .orderBy('business_date').orderBy('id').execute(),
      db.selectFrom('pauses').select(['account_id', 'from_date', 'until_date', 'reason'])
        .where('account_id', '>=', first).where('account_id', '<=', last).orderBy('from_date').orderBy('id').execute(),
    ]);
    return {
      payments: group(payments.map((p) => ({ id: p.id, key: p.key, accountId: p.account_id, date: p.business_date, amount: p.amount })), (p) => p.accountId),
      pauses: group(pauses.map((p) => ({ accountId: p.account_id, from: p.from_date, until: p.until_date, reason: p.reason })), (p) => p.accountId) as Map<string, (PausePeriod & { accountId: string })[]>,
    };
  },
  compute(ctx, { payments, pauses }) {
    const config = { buckets: ctx.buckets };
    for (const pa of ctx.accounts) {
      const id = pa.account.id;
      const pays = payments.get(id) ?? [];
      const accountPauses = pauses.get(id);
      let state = pa.state;
      if (accountPauses) state = { ...state, pauses: accountPauses.map((p) => ({ from: p.from, until: p.until, reason: p.reason })) };
      let day = state.asOf === null ? pa.account.disbursed : addDays(state.asOf, 1);
      // an account disbursed after the cycle date has nothing to close yet
      if (state.asOf === null && day > ctx.date) continue;
      let pi = 0;
      while (day <= ctx.date) {
        const todays: StoredPayment[] = [];
        while (pi < pays.length && (pays[pi] as StoredPayment).date <= day) todays.push(pays[pi++] as StoredPayment);
        if (state.status === 'closed' && todays.length === 0) {
          state = { ...state, asOf: ctx.date };
          break;
        }
        const r = closeDayInPlace(pa.account, pa.product, state, day, todays, config);
        state = r.state;
        if (accountPauses) {
          for (const p of accountPauses) if (p.from === day) r.events.push({ type: 'paused', from: p.from, until: p.until, reason: p.reason });
        }
        for (const e of r.events) ctx.events.push({ accountId: id, date: day, event: e });
        for (const p of todays) ctx.appliedPayments.push({ id: p.id, date: day });
        ctx.onDay?.({ accountId: id, date: day, state, events: r.events, accrual: r.accrual });
        day = addDays(day, 1);
      }
      pa.state = state;
    }
  },
  async write(tx, dialect, ctx) {
    const arena = new BlobArena();
    await upsertStates(tx, dialect, ctx.accounts.filter((a) => a.state.asOf !== null).map((a) => stateToRow(a.account.id, a.state, arena)));
    await insertEvents(tx, ctx.events);
    const byDay = new Map<BusinessDate, number[]>();
    for (const p of ctx.appliedPayments) {
      const list = byDay.get(p.date);
      if (list) list.push(p.id);
      else byDay.set(p.date, [p.id]);
    }
    for (const [day, ids] of byDay) {
      for (const c of chunks(ids)) await tx.updateTable('payments').set({ applied_date: day }).where('id', 'in', c).execute();
    }
  },
};

/** The steps of every close of business, in order. Later issues add strategy, tasks, reporting. */
export const STEPS: readonly AnyStep[] = [step(ledgerStep)];
