/**
 * Replays a timeline: a fresh in-memory database, the timeline's accounts, and the daily cycle run
 * from `start` to `until` with the scripted events recorded on their dates. Returns one trace row
 * per account per business date (from the later of `start` and the account's disbursement).
 *
 * With a `jurisdiction`, every scripted attempt goes through the compliance gate first
 * (replay-gate.ts): the day's payments and pauses are recorded, then its attempts and flags in time
 * order; each row carries the day's `decisions`. With a strategy as well (and `automate` not false),
 * the SMS, e-mail and letter tasks planned for a date are executed after its close (replay-send.ts);
 * each row carries the day's `sent`. A timeline that scripts promises to pay gets `promises` on every
 * row: each promise made so far with its state as of the date (listPromises, grace 0 days — the
 * strategy's facts use no grace either).
 */
import { addDays, ValidationError, type BusinessDate } from '../core/index.js';
import { balances, overdueAmount, type Product } from '../ledger/index.js';
import { openStore, type Store } from '../store/db.js';
import { addPause, insertLoans, recordAttempts, recordPayments, saveBuckets } from '../store/repo.js';
import { addParties } from '../store/parties.js';
import { listPromises } from '../store/outcomes.js';
import { recordingChannel, type RecordedMessage } from '../channels/recording.js';
import type { AttemptEvent, FlagEvent, Timeline, TimelineEvent, TraceDecision, TracePromise, TraceRow } from '../timeline/index.js';
import { runCycle } from './run.js';
import { STEPS, step } from './steps.js';
import { strategyStep, type StrategyDay } from './strategy-step.js';
import { TimelineGate, type ReplayGate } from './replay-gate.js';
import { sendPlannedTasks, type PostedLetter } from './replay-send.js';
import type { CompiledStrategy } from '../strategy/index.js';

export interface ReplayResult {
  rows: TraceRow[];
  currencyOf: (accountId: string) => string;
  /** the SMS and e-mail automated tasks sent through the recording channel, in send order */
  messages: readonly RecordedMessage[];
  /** the letters automated tasks posted, in order */
  letters: readonly PostedLetter[];
}

/** Days after a promise's due date during which a payment still keeps it, in the trace (the strategy's facts use 0 too). */
export const TRACE_PROMISE_GRACE_DAYS = 0;

export interface ReplayOptions {
  until?: BusinessDate;
  /** the compiled strategy to run (the CLI loads the timeline's `strategy:`); none = ledger only */
  strategy?: CompiledStrategy;
  /** the rule packs of the timeline's `jurisdiction` (required when it has one; `loadTimelineGate` loads them) */
  gate?: ReplayGate;
  /** opens the empty database to replay on (closed afterwards); default a fresh in-memory SQLite */
  openStore?: () => Promise<Store>;
}

type Notes = Map<string, unknown[]>;
const noteKey = (account: string, date: string): string => `${account}|${date}`;

function addNote(notes: Notes, account: string, date: string, n: unknown): void {
  const k = noteKey(account, date);
  notes.set(k, [...(notes.get(k) ?? []), n]);
}

/** Records payments, pauses and (without a gate) attempts, in the order given. */
async function applyEvents(store: Store, events: readonly TimelineEvent[], notes: Notes): Promise<void> {
  for (const e of events) {
    if (e.kind === 'payment') {
      const out = await recordPayments(store.db, [{ key: e.key, accountId: e.accountId, date: e.date, amount: e.amount }]);
      const ignored = [...out.duplicates.map((k) => ({ key: k, reason: 'duplicate idempotency key: already recorded' })), ...out.conflicts];
      for (const i of ignored) addNote(notes, e.accountId, e.date, { type: 'payment_ignored', key: i.key, amount: e.amount, reason: i.reason });
    } else if (e.kind === 'pause') {
      await addPause(store.db, e.accountId, { from: e.date, until: e.until, reason: e.reason });
    } else if (e.kind === 'attempt') {
      await recordAttempts(store.db, [e.attempt]);
    }
    // check events are read when the rows are built
  }
}

/** The day's events through the gate: payments and pauses first (file order), then attempts and flags by instant (ties: file order). */
async function applyGated(gate: TimelineGate, store: Store, events: readonly TimelineEvent[], notes: Notes, decisions: Map<string, TraceDecision[]>): Promise<void> {
  const timed: { e: AttemptEvent | FlagEvent; ms: number; i: number }[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'attempt' || e.kind === 'flag') timed.push({ e, ms: gate.instantOf(e), i });
  });
  timed.sort((x, y) => x.ms - y.ms || x.i - y.i);
  await applyEvents(store, events.filter((e) => e.kind === 'payment' || e.kind === 'pause'), notes);
  for (const { e } of timed) {
    if (e.kind === 'flag') {
      addNote(notes, e.accountId, e.date, await gate.flag(e));
    } else {
      const k = noteKey(e.accountId, e.date);
      decisions.set(k, [...(decisions.get(k) ?? []), await gate.attempt(e)]);
    }
  }
}

export async function replay(t: Timeline, opts: ReplayOptions = {}): Promise<ReplayResult> {
  if (t.jurisdiction !== null && !opts.gate) {
    throw new ValidationError('jurisdiction', `the rule packs of ${t.jurisdiction.join(', ')} must be loaded to replay ${t.file}`);
  }
  const until = opts.until !== undefined && opts.until < t.until ? opts.until : t.until;
  const store = await (opts.openStore ?? (() => openStore({ url: ':memory:' })))();
  const order = new Map(t.accounts.map((a, i) => [a.account.id, i]));
  const currency = new Map(t.accounts.map((a) => [a.account.id, a.account.currency]));
  const rows: TraceRow[] = [];
  const notes: Notes = new Map();
  const decisions = new Map<string, TraceDecision[]>();
  const strategyDays = new Map<string, StrategyDay>();
  const checks = new Map<string, (NonNullable<TraceRow['checks']>[number])[]>();
  for (const e of t.events) {
    if (e.kind === 'check') {
      const k = noteKey(e.accountId, e.date);
      checks.set(k, [...(checks.get(k) ?? []), { ...e.expect, line: e.line }]);
    }
  }
  const withPromises = t.events.some((e) => e.kind === 'attempt' && e.attempt.outcome === 'promise');
  const automate = opts.strategy !== undefined && opts.gate !== undefined && t.automate.length > 0;
  const recorder = recordingChannel({ name: 'timeline' });
  const mailbag: PostedLetter[] = [];
  const accountOf = new Map(t.accounts.map((a) => [a.account.id, a]));
  const steps = opts.strategy
    ? [...STEPS, step(strategyStep(opts.strategy, (d) => strategyDays.set(noteKey(d.accountId, d.date), d)))]
    : STEPS;
  try {
    const gate = opts.gate ? await TimelineGate.open(store, opts.gate, t.accounts, t.templates) : null;
    if (t.buckets) await saveBuckets(store.db, t.buckets);
    await insertLoans(store.db, t.accounts.map((a) => ({
      account: a.account,
      borrower: a.borrower,
      product: t.products[a.account.productId] as Product,
    })), t.buckets ?? undefined);
    // the people on file, so the strategy sees them (contact.referencesOnFile); ids are per account in a timeline
    await addParties(store.db, t.accounts.flatMap((a) => a.parties.filter((p) => p.id !== a.borrower.id).map((p) => ({
      id: `${a.account.id}:${p.id}`, accountId: a.account.id, kind: p.kind, name: p.id, phones: p.phones, emails: p.emails, ...(p.timezone ? { timezone: p.timezone } : {}),
    }))), 'timeline');
    const byDate = new Map<BusinessDate, TimelineEvent[]>();
    for (const e of t.events) {
      const list = byDate.get(e.date);
      if (list) list.push(e);
      else byDate.set(e.date, [e]);
    }
    for (let d = t.start; d <= until; d = addDays(d, 1)) {
      const today = byDate.get(d) ?? [];
      if (gate) await applyGated(gate, store, today, notes, decisions);
      else await applyEvents(store, today, notes);
      const todayRows: TraceRow[] = [];
      await runCycle(store, d, {
        steps,
        onDay: (tr) => {
          if (tr.date < t.start) return;
          const k = noteKey(tr.accountId, tr.date);
          const row: TraceRow = {
            date: tr.date,
            account: tr.accountId,
            dpd: tr.state.dpd,
            bucket: tr.state.bucket,
            delinquentSince: tr.state.delinquentSince,
            balances: balances(tr.state),
            overdue: overdueAmount(tr.state, tr.date),
            events: [...tr.events, ...(notes.get(k) ?? [])],
            ...(gate ? { decisions: decisions.get(k) ?? [] } : {}),
            ...(checks.has(k) ? { checks: checks.get(k) } : {}),
          };
          rows.push(row);
          if (tr.date === d) todayRows.push(row);
        },
      });
      if (automate && gate) {
        // the day's planned SMS, e-mail and letters, account by account in file order
        const ctx = { store, gate, templates: t.templates, channels: new Set(t.automate), recorder, mailbag };
        for (const row of [...todayRows].sort((x, y) => (order.get(x.account) ?? 0) - (order.get(y.account) ?? 0))) {
          const sd = strategyDays.get(noteKey(row.account, d));
          const ta = accountOf.get(row.account);
          row.sent = sd && ta ? await sendPlannedTasks(ctx, sd.evaluation.tasks, {
            accountId: row.account, date: d, currency: ta.account.currency, borrowerName: ta.borrower.name,
            dpd: row.dpd, overdue: row.overdue, total: row.balances.total,
          }) : [];
        }
      }
      if (withPromises && todayRows.length > 0) {
        const byAccount = new Map<string, TracePromise[]>();
        for (const p of await listPromises(store.db, { asOf: d, graceDays: TRACE_PROMISE_GRACE_DAYS })) {
          byAccount.set(p.accountId, [...(byAccount.get(p.accountId) ?? []), {
            madeOn: p.madeOn, amount: p.amount, due: p.due, paid: p.paid, remaining: p.remaining, state: p.state, settledOn: p.settledOn,
            channel: p.channel, takenBy: p.takenBy, agencyId: p.agencyId,
          }]);
        }
        for (const row of todayRows) row.promises = byAccount.get(row.account) ?? [];
      }
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
  return { rows, currencyOf: (id) => currency.get(id) ?? 'USD', messages: recorder.messages(), letters: mailbag };
}
