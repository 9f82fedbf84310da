/**
 * Replays a timeline: a fresh in-memory database, the timeline's accounts, and the daily cycle run
 * from `start` to `until` with the scripted events recorded on their dates. Returns one trace row
 * per account per business date (from the later of `start` and the account's disbursement).
 */
import { addDays, type BusinessDate } from '../core/index.js';
import { balances, overdueAmount, type Product } from '../ledger/index.js';
import { openStore } from '../store/db.js';
import { addPause, insertLoans, recordAttempts, recordPayments, saveBuckets } from '../store/repo.js';
import type { Timeline, TimelineEvent, TraceRow } from '../timeline/index.js';
import { runCycle } from './run.js';
import { STEPS, step } from './steps.js';
import { strategyStep, type StrategyDay } from './strategy-step.js';
import type { CompiledStrategy } from '../strategy/index.js';

export interface ReplayResult {
  rows: TraceRow[];
  currencyOf: (accountId: string) => string;
}

export interface ReplayOptions {
  until?: BusinessDate;
  /** the compiled strategy to run (the CLI loads the timeline's `strategy:`); none = ledger only */
  strategy?: CompiledStrategy;
}

export async function replay(t: Timeline, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const until = opts.until !== undefined && opts.until < t.until ? opts.until : t.until;
  const store = await openStore({ url: ':memory:' });
  const order = new Map(t.accounts.map((a, i) => [a.account.id, i]));
  const currency = new Map(t.accounts.map((a) => [a.account.id, a.account.currency]));
  const rows: TraceRow[] = [];
  const notes = new Map<string, unknown[]>();
  const noteKey = (account: string, date: string): string => `${account}|${date}`;
  const strategyDays = new Map<string, StrategyDay>();
  const steps = opts.strategy
    ? [...STEPS, step(strategyStep(opts.strategy, (d) => strategyDays.set(noteKey(d.accountId, d.date), d)))]
    : STEPS;
  try {
    if (t.buckets) await saveBuckets(store.db, t.buckets);
    await insertLoans(store.db, t.accounts.map((a) => ({
      account: a.account,
      borrower: a.borrower,
      product: t.products[a.account.productId] as Product,
    })), t.buckets ?? undefined);
    const byDate = new Map<BusinessDate, TimelineEvent[]>();
    for (const e of t.events) {
      const list = byDate.get(e.date);
      if (list) list.push(e);
      else byDate.set(e.date, [e]);
    }
    for (let d = t.start; d <= until; d = addDays(d, 1)) {
      for (const e of byDate.get(d) ?? []) {
        if (e.kind === 'payment') {
          const out = await recordPayments(store.db, [{ key: e.key, accountId: e.accountId, date: e.date, amount: e.amount }]);
          const ignored = [...out.duplicates.map((k) => ({ key: k, reason: 'duplicate idempotency key: already recorded' })), ...out.conflicts];
          for (const i of ignored) {
            const k = noteKey(e.accountId, d);
            notes.set(k, [...(notes.get(k) ?? []), { type: 'payment_ignored', key: i.key, amount: e.amount, reason: i.reason }]);
          }
        } else if (e.kind === 'pause') {
          await addPause(store.db, e.accountId, { from: e.date, until: e.until, reason: e.reason });
        } else {
          await recordAttempts(store.db, [e.attempt]);
        }
      }
      await runCycle(store, d, {
        steps,
        onDay: (tr) => {
          if (tr.date < t.start) return;
          const extra = notes.get(noteKey(tr.accountId, tr.date)) ?? [];
          rows.push({
            date: tr.date,
            account: tr.accountId,
            dpd: tr.state.dpd,
            bucket: tr.state.bucket,
            delinquentSince: tr.state.delinquentSince,
            balances: balances(tr.state),
            overdue: overdueAmount(tr.state, tr.date),
            events: [...tr.events, ...extra],
          });
        },
      });
    }
  } finally {
    await store.close();
  }
  for (const r of rows) {
    const sd = strategyDays.get(noteKey(r.account, r.date));
    if (!sd) continue;
    r.stage = sd.evaluation.stage;
    r.variant = sd.evaluation.variant;
    r.stageChangedBecause = sd.move ? sd.move.condition ?? 'no stage matched' : null;
    r.tasks = sd.evaluation.tasks.map((task) => ({
      type: task.type, party: task.party, channel: task.channel, template: task.template, priority: task.priority,
      ...(task.window ? { window: `${task.window.from}-${task.window.to}` } : {}),
      ...(task.address ? { address: task.address } : {}),
    }));
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : (order.get(a.account) ?? 0) - (order.get(b.account) ?? 0)));
  return { rows, currencyOf: (id) => currency.get(id) ?? 'USD' };
}
