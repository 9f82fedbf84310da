/**
 * Promises to pay: which are open, kept or broken on a date, and how much was paid towards each.
 * Pure. The strategy's `promises.*` facts (src/strategy/facts.ts) follow the same rules in their
 * own single pass (a property test checks that both agree); docs/outcomes-and-promises.md.
 *
 * Rules:
 * - a promise counts the payments dated from the day it was made (`madeOn`) through `due + grace`,
 *   and not after `asOf`; every promise counts them on its own (two overlapping promises can both be
 *   kept by the same payment — each asks "did the borrower pay that much in that window?");
 * - kept: those payments reach the amount (partial payments add up); `settledOn` is the date of the
 *   payment that completed it;
 * - broken: not kept and `asOf` is after `due + grace`; `settledOn` is `due + grace + 1`;
 * - open: otherwise; `remaining` is what is still missing;
 * - promises made after `asOf` are not facts yet and are left out.
 */
import { formatMinorGrouped, fromEpochDay, parseDate, toEpochDay, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import type { Channel } from './outcomes.js';

export interface PromiseRecord {
  /** the attempt id that carries the promise */
  id: number;
  accountId: string;
  /** business date the promise was taken */
  madeOn: BusinessDate;
  amount: Minor;
  due: BusinessDate;
  channel: Channel;
  /** user id of the agent / field agent, null = self-service / timeline */
  takenBy: string | null;
  agencyId: string | null;
}

export type PromiseState = 'open' | 'kept' | 'broken';

export const PROMISE_STATES: readonly PromiseState[] = ['open', 'kept', 'broken'];

export interface PromiseStatus extends PromiseRecord {
  /** payments dated madeOn..due+grace (and <= asOf) counted towards it */
  paid: Minor;
  /** max(0, amount - paid) */
  remaining: Minor;
  /** kept when paid >= amount; broken when asOf > due+grace and not kept; else open */
  state: PromiseState;
  /** date kept (the payment that completed it) or broken (due+grace+1); null while open */
  settledOn: BusinessDate | null;
}

/** Checks a grace period: a whole number of days, 0..366. */
export function checkGraceDays(v: unknown, field = 'graceDays'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 366) throw new ValidationError(field, `must be a whole number of days from 0 to 366, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * How far ahead a promise's due date may be: at most this many days after the day it is taken.
 * An open promise holds escalation (the strategy's `promised` stage sends only reminders), so a
 * far-off due date would stop collection for as long; 60 days is a common policy ceiling.
 */
export const PROMISE_MAX_DAYS = 60;

export interface PromiseLimits {
  /** what the account owes (account_state.total as of the last close), minor units */
  owed: Minor;
  /** the business date the promise is taken (the attempt's local date) */
  madeOn: BusinessDate;
  /** the account's currency, for the message */
  currency: string;
}

/**
 * What is wrong with a promise to pay, or null: its amount must not exceed what the account owes,
 * its due date must be from the day it is taken through PROMISE_MAX_DAYS after. Pure; the caller
 * throws the returned error (`promise.amount` / `promise.due`).
 */
export function promiseProblem(promise: { amount: Minor; due: BusinessDate }, limits: PromiseLimits): ValidationError | null {
  if (promise.amount > limits.owed) {
    return new ValidationError('promise.amount', `must not exceed the balance owed, ${formatMinorGrouped(Math.max(0, limits.owed), limits.currency)} ${limits.currency}, got ${formatMinorGrouped(promise.amount, limits.currency)}`);
  }
  if (promise.due < limits.madeOn) {
    return new ValidationError('promise.due', `must be on or after the date the promise was made (${limits.madeOn}), got ${promise.due}`);
  }
  const last = fromEpochDay(toEpochDay(limits.madeOn) + PROMISE_MAX_DAYS);
  if (promise.due > last) {
    return new ValidationError('promise.due', `must be at most ${PROMISE_MAX_DAYS} days after the date the promise was made (${limits.madeOn}), so ${last} at the latest, got ${promise.due}`);
  }
  return null;
}

function byDate<T extends { date: BusinessDate }>(xs: readonly T[]): readonly T[] {
  for (let i = 1; i < xs.length; i++) {
    if ((xs[i] as T).date < (xs[i - 1] as T).date) return xs.slice().sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }
  return xs;
}

/** The status of each promise as of `asOf` (input order; promises made after `asOf` left out). */
export function promiseStatuses(
  promises: readonly PromiseRecord[], payments: readonly { date: BusinessDate; amount: Minor }[], asOf: BusinessDate, graceDays: number,
): PromiseStatus[] {
  parseDate(asOf, 'asOf');
  checkGraceDays(graceDays);
  const pays = byDate(payments);
  const out: PromiseStatus[] = [];
  for (const p of promises) {
    if (p.madeOn > asOf) continue;
    const until = fromEpochDay(toEpochDay(p.due) + graceDays);
    const last = until < asOf ? until : asOf;
    let paid = 0;
    let keptOn: BusinessDate | null = null;
    for (const x of pays) {
      if (x.date < p.madeOn) continue;
      if (x.date > last) break;
      paid += x.amount;
      // the payment that completed it (a later negative correction that undoes it reopens it)
      if (paid >= p.amount) keptOn ??= x.date;
      else keptOn = null;
    }
    const state: PromiseState = paid >= p.amount ? 'kept' : asOf > until ? 'broken' : 'open';
    out.push({
      ...p, paid, remaining: Math.max(0, p.amount - paid), state,
      settledOn: state === 'kept' ? keptOn : state === 'broken' ? fromEpochDay(toEpochDay(until) + 1) : null,
    });
  }
  return out;
}
