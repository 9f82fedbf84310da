/**
 * Close of business for one account on one business date — the ledger's one pure state transition.
 *
 * Order within a day (each step sees the previous one's result):
 *  1. bill: instalments due today become payable in full (their interest completes today);
 *     a credit balance pays them as they fall due
 *  2. payments dated today, by the product's waterfall, oldest instalment first
 *  3. accrual: today's share of period interest, and penalty interest on past-due instalments
 *  4. liquidated damages for instalments that passed their grace period today
 *  5. delinquency: DPD, bucket, delinquent-since, cure
 * The cost cap limits steps 1, 3 and 4 together.
 */
import { addDays, applyRate, applyRateFloor, assertMinor, daysBetween, DomainError, mulDivFloor, mulDivHalfUp } from '../core/index.js';
import type { BusinessDate, Minor } from '../core/index.js';
import { bucketFor, DEFAULT_BUCKETS, daysPastDue } from './delinquency.js';
import { generateSchedule, applyPrepayment } from './schedule.js';
import type {
  Account, AccountState, Allocation, Balances, BucketDef, DayAccrual, DayResult, Instalment, LedgerEvent, Payment, Product,
} from './types.js';

export interface LedgerConfig {
  buckets: readonly BucketDef[];
}

export const DEFAULT_LEDGER_CONFIG: LedgerConfig = { buckets: DEFAULT_BUCKETS };

/** The state of a freshly disbursed account, before its first close of business. */
export function openAccount(account: Account, product: Product, config: LedgerConfig = DEFAULT_LEDGER_CONFIG): AccountState {
  return {
    asOf: null,
    status: 'open',
    instalments: generateSchedule(product, account.principal, account.disbursed),
    credit: 0,
    charged: 0,
    capReached: false,
    dpd: 0,
    bucket: bucketFor(0, config.buckets),
    delinquentSince: null,
    pauses: [],
  };
}

function cloneState(s: AccountState): AccountState {
  return {
    ...s,
    instalments: s.instalments.map((i) => ({ ...i })),
    pauses: s.pauses.slice(),
  };
}

/** What the cost cap still allows to be charged on `date` (Infinity without a cap). */
export function capRoom(account: Account, product: Product, state: AccountState, date: BusinessDate): number {
  if (!product.costCap) return Infinity;
  return Math.max(0, capLimit(account, product, date) - state.charged);
}

/**
 * The most interest + penalty + LD may total on `date`: principal × cap × days/365 rounded DOWN,
 * since a whole minor unit above the exact limit would exceed it.
 */
export function capLimit(account: Account, product: Product, date: BusinessDate): Minor {
  if (!product.costCap) return Number.MAX_SAFE_INTEGER;
  return applyRateFloor(account.principal, product.costCap, Math.max(0, daysBetween(account.disbursed, date)), 365);
}

const unpaidPrincipal = (i: Instalment): Minor => i.principal - i.paidPrincipal;
const unpaidInterest = (i: Instalment): Minor => i.interestAccrued - i.paidInterest;
const unpaidPenalty = (i: Instalment): Minor => i.penalty - i.paidPenalty;
const unpaidFees = (i: Instalment): Minor => i.fees - i.paidFees;

/** True while an instalment that is due has anything left to pay. */
export function instalmentOpen(i: Instalment): boolean {
  return unpaidPrincipal(i) > 0 || unpaidInterest(i) > 0 || unpaidPenalty(i) > 0 || unpaidFees(i) > 0;
}

function emptyAllocation(): Allocation {
  return { fees: 0, penalty: 0, interest: 0, principal: 0, credit: 0, prepaid: 0 };
}

/**
 * Pays `amount` into instalments due on or before `date`, oldest first, each by the product's
 * waterfall. Mutates `state`; returns the allocation (its parts always sum to `amount`).
 */
export function allocatePayment(product: Product, state: AccountState, amount: Minor, date: BusinessDate): Allocation {
  const alloc = emptyAllocation();
  let left = amount;
  for (const inst of state.instalments) {
    if (left === 0) break;
    if (inst.due > date) break;
    for (const c of product.waterfall) {
      if (left === 0) break;
      let take: Minor;
      switch (c) {
        case 'fees':
          take = Math.min(left, unpaidFees(inst));
          inst.paidFees += take;
          break;
        case 'penalty':
          take = Math.min(left, unpaidPenalty(inst));
          inst.paidPenalty += take;
          break;
        case 'interest':
          take = Math.min(left, unpaidInterest(inst));
          inst.paidInterest += take;
          break;
        case 'principal':
          take = Math.min(left, unpaidPrincipal(inst));
          inst.paidPrincipal += take;
          break;
      }
      alloc[c] += take;
      left -= take;
    }
  }
  if (left > 0 && product.overpayment === 'prepay') {
    const prepaid = applyPrepayment(product, state.instalments, left, date);
    alloc.prepaid = prepaid;
    left -= prepaid;
  }
  if (left > 0) {
    alloc.credit = left;
    state.credit += left;
  }
  return alloc;
}

/** Totals owed by component. */
export function balances(state: AccountState): Balances {
  let principal = 0;
  let interest = 0;
  let penalty = 0;
  let fees = 0;
  for (const i of state.instalments) {
    principal += unpaidPrincipal(i);
    interest += unpaidInterest(i);
    penalty += unpaidPenalty(i);
    fees += unpaidFees(i);
  }
  return { principal, interest, penalty, fees, total: principal + interest + penalty + fees };
}

/** What is due and unpaid on `date`: past-due instalments in full plus penalty and charges anywhere. */
export function overdueAmount(state: AccountState, date: BusinessDate): Minor {
  let sum = 0;
  for (const i of state.instalments) {
    if (i.due < date) sum += unpaidPrincipal(i) + unpaidInterest(i);
    sum += unpaidPenalty(i) + unpaidFees(i);
  }
  return sum;
}

interface Charger {
  room: number;
  forgone: Minor;
  charged: Minor;
}

function charge(ch: Charger, wanted: Minor): Minor {
  if (wanted <= 0) return 0;
  const got = Math.min(wanted, ch.room);
  ch.room -= got;
  ch.forgone += wanted - got;
  ch.charged += got;
  return got;
}

/**
 * Closes one business date for one account. `state.asOf` must be the day before `date` (or null,
 * the first close, which must be on or before the day after disbursement). Closing a date already
 * closed returns the state unchanged with no events. Payment amounts must be non-negative safe integers.
 */
export function closeDay(
  account: Account,
  product: Product,
  prev: AccountState,
  date: BusinessDate,
  payments: readonly Payment[],
  config: LedgerConfig = DEFAULT_LEDGER_CONFIG,
): DayResult {
  return checkClose(account, prev, date, payments) ?? advance(account, product, cloneState(prev), date, payments, config);
}

/**
 * closeDay for a caller that owns `state` and will not use the previous value again (the cycle,
 * which decoded it from the database a moment ago): advances it in place, saving the copy.
 * The result's `state` is `state`.
 */
export function closeDayInPlace(
  account: Account,
  product: Product,
  state: AccountState,
  date: BusinessDate,
  payments: readonly Payment[],
  config: LedgerConfig = DEFAULT_LEDGER_CONFIG,
): DayResult {
  return checkClose(account, state, date, payments) ?? advance(account, product, state, date, payments, config);
}

/** The early answers of closeDay: already closed (no-op), or a gap / bad payment (throws). */
function checkClose(account: Account, prev: AccountState, date: BusinessDate, payments: readonly Payment[]): DayResult | null {
  const noAccrual: DayAccrual = { interest: 0, penalty: 0, fees: 0 };
  if (prev.asOf !== null && prev.asOf >= date) return { state: prev, events: [], accrual: noAccrual };
  if (prev.asOf !== null && addDays(prev.asOf, 1) !== date) {
    throw new DomainError('cycle.gap', `account ${account.id} was last closed on ${prev.asOf}; close ${addDays(prev.asOf, 1)} before ${date}`);
  }
  // the first close may not skip days after disbursement: instalments due in the gap would never be billed
  if (prev.asOf === null && daysBetween(account.disbursed, date) > 1) {
    throw new DomainError(
      'cycle.gap',
      `account ${account.id} has never been closed; its first close must be on or before ${addDays(account.disbursed, 1)}, not ${date}`,
    );
  }
  payments.forEach((p, i) => assertMinor(p.amount, `payments[${i}].amount`));
  return null;
}

function advance(
  account: Account,
  product: Product,
  state: AccountState,
  date: BusinessDate,
  payments: readonly Payment[],
  config: LedgerConfig,
): DayResult {
  const prevDpd = state.dpd;
  const prevBucket = state.bucket;
  state.asOf = date;
  const events: LedgerEvent[] = [];
  if (state.status === 'closed' || date <= account.disbursed) {
    // nothing accrues on the disbursement date itself; payments before it wait in the credit balance
    for (const p of payments) {
      state.credit += p.amount;
      events.push({ type: 'payment', key: p.key, amount: p.amount, allocation: { ...emptyAllocation(), credit: p.amount } });
    }
    return { state, events, accrual: { interest: 0, penalty: 0, fees: 0 } };
  }

  const ch: Charger = { room: capRoom(account, product, state, date), forgone: 0, charged: 0 };
  const accrual: DayAccrual = { interest: 0, penalty: 0, fees: 0 };

  // 1. bill instalments due today, and 3a. accrue today's share of interest for periods in progress
  for (const inst of state.instalments) {
    if (inst.start >= date) break;
    if (inst.due < date) continue;
    const target = inst.due === date ? inst.interest : mulDivHalfUp(inst.interest, daysBetween(inst.start, date), daysBetween(inst.start, inst.due));
    const got = charge(ch, target - inst.interestAccrued);
    inst.interestAccrued += got;
    accrual.interest += got;
    if (inst.due === date) {
      events.push({ type: 'instalment_due', n: inst.n, principal: unpaidPrincipal(inst), interest: unpaidInterest(inst) });
      if (state.credit > 0) {
        const credit = state.credit;
        state.credit = 0;
        const a = allocatePayment(product, state, credit, date);
        const used = credit - a.credit - a.prepaid;
        if (used > 0) events.push({ type: 'credit_applied', n: inst.n, amount: used });
      }
    }
  }

  // 2. payments dated today
  for (const p of payments) {
    const allocation = allocatePayment(product, state, p.amount, date);
    events.push({ type: 'payment', key: p.key, amount: p.amount, allocation });
  }

  // 3b. penalty interest on past-due instalments beyond their grace period; one rounding per day
  if (product.penalty) {
    const pen = product.penalty;
    let base = 0;
    let oldest: Instalment | null = null;
    for (const inst of state.instalments) {
      if (inst.due >= date) break;
      const b = unpaidPrincipal(inst) + (pen.base === 'overdue-amount' ? unpaidInterest(inst) : 0);
      if (b <= 0) continue;
      if (daysPastDue(inst.due, date, state.pauses) <= product.graceDays) continue;
      base += b;
      oldest ??= inst;
    }
    if (base > 0 && oldest) {
      const got = charge(ch, applyRate(base, pen.dailyRate));
      // the day's penalty is attributed to instalments pro rata (floor), the remainder to the oldest
      let rest = got;
      for (const inst of state.instalments) {
        if (inst.due >= date) break;
        if (daysPastDue(inst.due, date, state.pauses) <= product.graceDays) continue;
        const b = unpaidPrincipal(inst) + (pen.base === 'overdue-amount' ? unpaidInterest(inst) : 0);
        if (b <= 0) continue;
        const share = mulDivFloor(got, b, base);
        inst.penalty += share;
        rest -= share;
      }
      oldest.penalty += rest;
      accrual.penalty += got;
    }
  }

  // 4. liquidated damages: once per instalment, on the first day past its grace period while unpaid
  if (product.liquidatedDamages) {
    const ld = product.liquidatedDamages;
    for (const inst of state.instalments) {
      if (inst.due >= date) break;
      if (inst.ldCharged) continue;
      if (daysPastDue(inst.due, date, state.pauses) <= product.graceDays) continue;
      if (unpaidPrincipal(inst) + unpaidInterest(inst) <= 0) continue;
      inst.ldCharged = true;
      const wanted = ld.kind === 'fixed' ? ld.amount : applyRate(inst.principal + inst.interest, ld.rate);
      const got = charge(ch, wanted);
      inst.fees += got;
      accrual.fees += got;
      if (got > 0) events.push({ type: 'liquidated_damages', n: inst.n, amount: got });
    }
  }

  state.charged += ch.charged;
  const binding = ch.forgone > 0;
  if (binding && !state.capReached) {
    events.push({ type: 'cost_cap_reached', limit: capLimit(account, product, date), forgone: ch.forgone });
  }
  state.capReached = binding;

  // 5. delinquency
  let oldestOpen: Instalment | null = null;
  for (const inst of state.instalments) {
    if (inst.due >= date) break;
    if (instalmentOpen(inst)) {
      oldestOpen = inst;
      break;
    }
  }
  const dpd = oldestOpen ? daysPastDue(oldestOpen.due, date, state.pauses) : 0;
  if (dpd > 0 && prevDpd === 0) state.delinquentSince = date;
  if (dpd === 0 && prevDpd > 0) {
    state.delinquentSince = null;
    events.push({ type: 'cured' });
  }
  state.dpd = dpd;
  const bucket = bucketFor(dpd, config.buckets);
  if (bucket !== prevBucket) events.push({ type: 'bucket_change', from: prevBucket, to: bucket, dpd });
  state.bucket = bucket;

  if (balances(state).total === 0) {
    state.status = 'closed';
    events.push({ type: 'closed' });
  }
  return { state, events, accrual };
}

