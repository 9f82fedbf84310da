/**
 * The borrower-behaviour simulator: an event-stepped fast-forward of the ledger's daily close.
 *
 * A loan's payments are decided by its behaviour: a list of payment intentions (a date and "bring
 * instalment n up to date" or "pay up to X") drawn once from the loan's seed, for the whole life of
 * the loan. An intention's amount is resolved on its date from the account as the ledger would have
 * it then (a borrower pays what the statement says), so payments are exact and never leave a
 * residue of a few cents that would keep an instalment open.
 *
 * Instead of closing every business date, the simulator closes only the dates on which something
 * changes — due dates, payment dates, ends of grace periods — with exactly the ledger's arithmetic
 * (`closeDay` in src/ledger/day.ts, mirrored step for step), and skips the quiet days in between in
 * one step: between two such dates the penalty base, the set of past-due instalments and the
 * oldest open instalment do not change, so n quiet days accrue n times one day's penalty. When a
 * cost cap could bind inside a stretch of quiet days, those days are closed one by one.
 * The result equals a day-by-day replay of `closeDay` with the same payments (tested), at a cost
 * of a few microseconds per account.
 */
import { applyRate, fromEpochDay, mulDivFloor, mulDivHalfUp, toEpochDay } from '../core/index.js';
import type { BusinessDate, Minor, Rate } from '../core/index.js';
import { annuityPayment, applyPrepayment, bucketFor, DEFAULT_LEDGER_CONFIG, dueDates } from '../ledger/index.js';
import type { Account, AccountState, Component, Instalment, LedgerConfig, LiquidatedDamages, Payment, Product } from '../ledger/index.js';
import type { Behaviour } from './behaviour.js';
import { Rng } from './rng.js';
import type { SimLoan } from './types.js';

/** Months after maturity during which a partial payer keeps paying. */
export const TAIL_MONTHS = 36;

// ---------------------------------------------------------------------------------------------
// schedules

interface DueRow {
  readonly disbDay: number;
  readonly dates: readonly BusinessDate[];
  readonly days: readonly number[];
}

/** count → disbursement date → row */
const dueCache = new Map<number, Map<BusinessDate, DueRow>>();
const CACHE_MAX = 50_000;

/** Monthly due dates from a disbursement date (the ledger's `dueDates`), memoised: portfolios share few dates. */
function dueRow(disbursed: BusinessDate, count: number): DueRow {
  let byDate = dueCache.get(count);
  if (byDate === undefined) {
    byDate = new Map();
    dueCache.set(count, byDate);
  }
  let row = byDate.get(disbursed);
  if (row === undefined) {
    if (byDate.size >= CACHE_MAX) byDate.clear();
    const dates = dueDates(disbursed, count);
    row = { disbDay: toEpochDay(disbursed), dates, days: dates.map(toEpochDay) };
    byDate.set(disbursed, row);
  }
  return row;
}

/** product → principal → level payment */
const levelCache = new WeakMap<Product, Map<Minor, Minor>>();

/** The ledger's annuityPayment (exact, BigInt) memoised: principals come in whole steps, so they repeat. */
function levelPayment(product: Product, principal: Minor): Minor {
  let byPrincipal = levelCache.get(product);
  if (byPrincipal === undefined) {
    byPrincipal = new Map();
    levelCache.set(product, byPrincipal);
  }
  let v = byPrincipal.get(principal);
  if (v === undefined) {
    if (byPrincipal.size >= CACHE_MAX) byPrincipal.clear();
    v = annuityPayment(principal, product.annualRate, product.termMonths);
    byPrincipal.set(principal, v);
  }
  return v;
}

/**
 * The ledger's `generateSchedule`, computed on epoch days with memoised due dates. Must stay equal
 * to it (a unit test compares them on thousands of loans).
 */
function schedule(product: Product, principal: Minor, disbursed: BusinessDate, row: DueRow): Instalment[] {
  const n = product.termMonths;
  const out: Instalment[] = new Array<Instalment>(n);
  const rate = product.annualRate;
  const is360 = product.dayCount === '30/360';
  const level = product.method === 'annuity' ? levelPayment(product, principal) : 0;
  const equalPart = product.method === 'equal-principal' ? mulDivHalfUp(principal, 1, n) : 0;
  let balance = principal;
  let start = disbursed;
  let startDay = row.disbDay;
  for (let i = 0; i < n; i++) {
    const due = row.dates[i] as BusinessDate;
    const dueDay = row.days[i] as number;
    const interest = balance <= 0 ? 0 : is360 ? applyRate(balance, rate, 1, 12) : applyRate(balance, rate, dueDay - startDay, 365);
    let prin: Minor;
    if (i === n - 1) prin = balance;
    else if (product.method === 'annuity') prin = Math.min(balance, Math.max(0, level - interest));
    else if (product.method === 'equal-principal') prin = Math.min(balance, equalPart);
    else prin = 0;
    out[i] = {
      n: i + 1, start, due, principal: prin, interest,
      interestAccrued: 0, penalty: 0, fees: 0,
      paidPrincipal: 0, paidInterest: 0, paidPenalty: 0, paidFees: 0,
      ldCharged: false,
    };
    balance -= prin;
    start = due;
    startDay = dueDay;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// payment intentions

const THROUGH = 0;
const UP_TO = 1;

/** Payment intentions in strictly increasing date order, none on or before disbursement. */
class Intents {
  readonly day: number[] = [];
  /** THROUGH: bring instalments up to index `arg` fully up to date; UP_TO: pay at most `arg`, only towards what is due */
  readonly kind: number[] = [];
  readonly arg: number[] = [];
  private last: number;

  constructor(disbDay: number) {
    this.last = disbDay;
  }

  push(day: number, kind: number, arg: number): void {
    const d = day > this.last ? day : this.last + 1;
    this.day.push(d);
    this.kind.push(kind);
    this.arg.push(arg);
    this.last = d;
  }
}

/** Days before the due date an on-time payer pays. Always drawn, so the stream does not depend on `early`. */
function earlyDays(rng: Rng, early: boolean): number {
  const u = rng.next();
  if (!early) return 0;
  return u < 0.55 ? 0 : u < 0.75 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 3 : 5;
}

/**
 * Every payment intention of the loan's life, in strictly increasing date order. Depends only on the loan.
 * `early`: whether on-time payers may pay before the due date. Not on 'prepay' products, where money
 * paid before an instalment is due prepays the last instalments instead of waiting for it.
 */
function buildIntents(b: Behaviour, term: number, due: readonly number[], disbDay: number, avgInstalment: Minor, early: boolean): Intents {
  const rng = new Rng(b.seed, 0x5eed);
  const out = new Intents(disbDay);
  switch (b.archetype) {
    case 'prompt':
      for (let k = 0; k < term; k++) {
        const slip = b.slipRate > 0 && rng.chance(b.slipRate);
        out.push(slip ? (due[k] as number) + rng.int(1, 12) : (due[k] as number) - earlyDays(rng, early), THROUGH, k);
      }
      break;
    case 'late-payer':
      for (let k = 0; k < term; k++) {
        const late = rng.chance(0.12) ? 0 : Math.max(1, Math.round(rng.normal(b.daysLate, b.spread)));
        out.push((due[k] as number) + late, THROUGH, k);
      }
      break;
    case 'partial': {
      const amount = Math.max(1, Math.round(avgInstalment * b.share));
      for (let k = 0; k < term + TAIL_MONTHS; k++) out.push((due[k] as number) + rng.int(0, 3), UP_TO, amount);
      break;
    }
    case 'defaulter-cures': {
      const stop = Math.min(b.stopAfter, term - 1);
      const lastMissed = Math.min(stop + b.missed, term) - 1;
      for (let k = 0; k < stop; k++) out.push((due[k] as number) - earlyDays(rng, early), THROUGH, k);
      out.push((due[lastMissed] as number) + b.cureDays, THROUGH, lastMissed);
      for (let k = lastMissed + 1; k < term; k++) out.push((due[k] as number) - earlyDays(rng, early), THROUGH, k);
      break;
    }
    case 'defaulter': {
      const stop = Math.min(b.stopAfter, term - 1);
      for (let k = 0; k < stop; k++) out.push((due[k] as number) - earlyDays(rng, early), THROUGH, k);
      for (let t = 0; t < b.tokenPayments; t++) {
        out.push((due[stop] as number) + 30 * t + rng.int(5, 25), UP_TO, Math.max(1, Math.round(avgInstalment * rng.float(0.1, 0.4))));
      }
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the simulator

class LoanSim {
  readonly state: AccountState;
  readonly payments: Payment[] | null;
  private readonly inst: Instalment[];
  private readonly n: number;
  private readonly due: readonly number[];
  private readonly disb: number;
  private readonly grace: number;
  private readonly penRate: Rate | null;
  private readonly penOnAmount: boolean;
  private readonly ld: LiquidatedDamages | null;
  private readonly capRate: Rate | null;
  private readonly waterfall: readonly Component[];
  private readonly intents: Intents;
  /** instalments with due < the day being closed */
  private past = 0;
  /** instalments before `lo` are past due and fully paid (they never reopen) */
  private lo = 0;
  // the day's charger (what closeDay's Charger does)
  private room = Infinity;
  private forgone = 0;
  private chargedToday = 0;

  constructor(
    private readonly account: Account,
    private readonly product: Product,
    behaviour: Behaviour,
    private readonly config: LedgerConfig,
    collect: boolean,
  ) {
    const n = product.termMonths;
    const row = dueRow(account.disbursed, n + TAIL_MONTHS);
    this.inst = schedule(product, account.principal, account.disbursed, row);
    this.n = n;
    this.due = row.days;
    this.disb = row.disbDay;
    this.grace = product.graceDays;
    this.penRate = product.penalty ? product.penalty.dailyRate : null;
    this.penOnAmount = product.penalty?.base === 'overdue-amount';
    this.ld = product.liquidatedDamages;
    this.capRate = product.costCap;
    this.waterfall = product.waterfall;
    this.state = {
      asOf: null, status: 'open', instalments: this.inst, credit: 0, charged: 0, capReached: false,
      dpd: 0, bucket: bucketFor(0, config.buckets), delinquentSince: null, pauses: [],
    };
    let total = 0;
    for (const it of this.inst) total += it.principal + it.interest;
    this.intents = buildIntents(behaviour, n, row.days, this.disb, Math.round(total / n), product.overpayment !== 'prepay');
    this.payments = collect ? [] : null;
  }

  /** The last day any intention falls on (the end of the loan's simulated life). */
  lastIntentDay(): number {
    const d = this.intents.day;
    return d.length > 0 ? (d[d.length - 1] as number) : (this.due[this.n - 1] as number);
  }

  /** Closes every business date from the day after disbursement through `through` (epoch day). */
  run(through: number): void {
    const st = this.state;
    const n = this.n;
    const due = this.due;
    const idays = this.intents.day;
    const ni = idays.length;
    const crossing = this.penRate !== null || this.ld !== null;
    const g1 = this.grace + 1;
    let iDue = 0;
    let iCross = 0;
    let iInt = 0;
    let cur = this.disb;
    while (cur < through && st.status === 'open') {
      while (iDue < n && (due[iDue] as number) <= cur) iDue++;
      while (iCross < n && (due[iCross] as number) + g1 <= cur) iCross++;
      while (iInt < ni && (idays[iInt] as number) <= cur) iInt++;
      let next = through;
      if (iDue < n && (due[iDue] as number) < next) next = due[iDue] as number;
      if (crossing && iCross < n && (due[iCross] as number) + g1 < next) next = (due[iCross] as number) + g1;
      if (iInt < ni && (idays[iInt] as number) < next) next = idays[iInt] as number;
      if (next > cur + 1) this.quiet(cur + 1, next - 1);
      this.closeDay(next, iInt < ni && idays[iInt] === next ? iInt : -1);
      cur = next;
    }
    st.asOf = fromEpochDay(through);
    st.bucket = bucketFor(st.dpd, this.config.buckets);
  }

  /** The ledger's capLimit: principal × cap × days / 365, rounded down. */
  private limit(day: number): number {
    const cap = this.capRate as Rate;
    const days = Math.max(0, day - this.disb);
    const a = this.account.principal * cap.num;
    if (Number.isSafeInteger(a)) return mulDivFloor(a, days, cap.den * 365);
    return Number((BigInt(this.account.principal) * BigInt(cap.num) * BigInt(days)) / BigInt(cap.den * 365));
  }

  private charge(wanted: Minor): Minor {
    if (wanted <= 0) return 0;
    const got = wanted < this.room ? wanted : this.room;
    this.room -= got;
    this.forgone += wanted - got;
    this.chargedToday += got;
    return got;
  }

  private advance(day: number): void {
    const due = this.due;
    while (this.past < this.n && (due[this.past] as number) < day) this.past++;
    const inst = this.inst;
    while (this.lo < this.past && !isOpen(inst[this.lo] as Instalment)) this.lo++;
  }

  /** One business date, exactly as closeDay does it (without events). */
  private closeDay(day: number, intent: number): void {
    const st = this.state;
    const inst = this.inst;
    const due = this.due;
    this.advance(day);
    this.room = this.capRate ? Math.max(0, this.limit(day) - st.charged) : Infinity;
    this.forgone = 0;
    this.chargedToday = 0;
    let allocated = false;

    // 1. bill instalments due today; accrue the period in progress
    for (let i = this.past; i < this.n; i++) {
      const s = i === 0 ? this.disb : (due[i - 1] as number);
      if (s >= day) break;
      const it = inst[i] as Instalment;
      const d = due[i] as number;
      const target = d === day ? it.interest : mulDivHalfUp(it.interest, day - s, d - s);
      it.interestAccrued += this.charge(target - it.interestAccrued);
      if (d === day && st.credit > 0) {
        const credit = st.credit;
        st.credit = 0;
        this.allocate(credit, day);
        allocated = true;
      }
    }

    // 2. the day's payment
    if (intent >= 0) {
      const amount = this.resolve(intent, day);
      if (amount > 0) {
        this.allocate(amount, day);
        allocated = true;
        if (this.payments) {
          const date = fromEpochDay(day);
          this.payments.push({ key: `${this.account.id}:${date}:sim`, accountId: this.account.id, date, amount });
        }
      }
    }
    if (allocated) this.advance(day);

    // 3b. penalty interest
    if (this.penRate) this.penalty(day, 1);

    // 4. liquidated damages
    if (this.ld) {
      const ld = this.ld;
      for (let i = this.lo; i < this.past; i++) {
        const it = inst[i] as Instalment;
        if (it.ldCharged) continue;
        if (day - (due[i] as number) <= this.grace) continue;
        if (it.principal - it.paidPrincipal + it.interestAccrued - it.paidInterest <= 0) continue;
        it.ldCharged = true;
        it.fees += this.charge(ld.kind === 'fixed' ? ld.amount : applyRate(it.principal + it.interest, ld.rate));
      }
    }

    st.charged += this.chargedToday;
    st.capReached = this.forgone > 0;

    // 5. delinquency
    const dpd = this.lo < this.past ? day - (due[this.lo] as number) : 0;
    if (dpd > 0 && st.dpd === 0) st.delinquentSince = fromEpochDay(day);
    if (dpd === 0 && st.dpd > 0) st.delinquentSince = null;
    st.dpd = dpd;
    if (allocated && this.owed() === 0) st.status = 'closed';
  }

  /**
   * Days from..through (inclusive) on which nothing is due, paid or crosses a grace period: the
   * penalty base and the oldest open instalment stay put, so the stretch is closed in one step.
   */
  private quiet(from: number, through: number): void {
    const st = this.state;
    const inst = this.inst;
    this.advance(from);
    const days = through - from + 1;
    const k = this.past; // the instalment whose period is in progress (its due date lies beyond `through`)
    const inProgress = k < this.n ? (inst[k] as Instalment) : null;
    const s = k === 0 ? this.disb : (this.due[k - 1] as number);
    const period = (this.due[k] as number) - s;

    if (this.capRate) {
      // bulk only if the cap cannot bind on any day of the stretch: everything is linear in the day
      // up to two roundings, so checking both ends with a margin of 2 suffices
      const daily = this.penRate ? this.dailyPenalty(from) : 0;
      let first = st.charged + daily;
      let last = st.charged + daily * days;
      if (inProgress) {
        first += Math.max(0, mulDivHalfUp(inProgress.interest, from - s, period) - inProgress.interestAccrued);
        last += Math.max(0, mulDivHalfUp(inProgress.interest, through - s, period) - inProgress.interestAccrued);
      }
      if (first > this.limit(from) - 2 || last > this.limit(through) - 2) {
        for (let day = from; day <= through; day++) this.closeDay(day, -1);
        return;
      }
    }

    this.room = Infinity;
    this.forgone = 0;
    this.chargedToday = 0;
    if (inProgress) inProgress.interestAccrued += this.charge(mulDivHalfUp(inProgress.interest, through - s, period) - inProgress.interestAccrued);
    if (this.penRate) this.penalty(from, days);
    st.charged += this.chargedToday;
    st.capReached = false;

    const dpd = this.lo < this.past ? through - (this.due[this.lo] as number) : 0;
    if (dpd > 0 && st.dpd === 0) st.delinquentSince = fromEpochDay(from);
    st.dpd = dpd;
  }

  private penaltyBase(inst: Instalment): Minor {
    return inst.principal - inst.paidPrincipal + (this.penOnAmount ? inst.interestAccrued - inst.paidInterest : 0);
  }

  /** One day's penalty on `day` before the cap (0 without a base). */
  private dailyPenalty(day: number): Minor {
    let base = 0;
    for (let i = this.lo; i < this.past; i++) {
      if (day - (this.due[i] as number) <= this.grace) continue;
      const b = this.penaltyBase(this.inst[i] as Instalment);
      if (b > 0) base += b;
    }
    return base > 0 ? applyRate(base, this.penRate as Rate) : 0;
  }

  /** Penalty interest for `days` identical days starting on `day` (days > 1 only when the cap cannot bind). */
  private penalty(day: number, days: number): void {
    const inst = this.inst;
    let base = 0;
    let oldest: Instalment | null = null;
    for (let i = this.lo; i < this.past; i++) {
      if (day - (this.due[i] as number) <= this.grace) continue;
      const it = inst[i] as Instalment;
      const b = this.penaltyBase(it);
      if (b <= 0) continue;
      base += b;
      oldest ??= it;
    }
    if (base <= 0 || oldest === null) return;
    const got = this.charge(applyRate(base, this.penRate as Rate));
    if (days > 1) this.chargedToday += got * (days - 1);
    // the day's penalty is attributed pro rata (floor), the remainder to the oldest
    let rest = got;
    for (let i = this.lo; i < this.past; i++) {
      if (day - (this.due[i] as number) <= this.grace) continue;
      const it = inst[i] as Instalment;
      const b = this.penaltyBase(it);
      if (b <= 0) continue;
      const share = mulDivFloor(got, b, base);
      it.penalty += share * days;
      rest -= share;
    }
    oldest.penalty += rest * days;
  }

  /** The ledger's allocatePayment: oldest instalment first, each by the waterfall. */
  private allocate(amount: Minor, day: number): void {
    let left = amount;
    const inst = this.inst;
    for (let i = this.lo; i < this.n && left > 0; i++) {
      if ((this.due[i] as number) > day) break;
      const it = inst[i] as Instalment;
      for (const c of this.waterfall) {
        if (left === 0) break;
        let take: Minor;
        switch (c) {
          case 'fees':
            take = Math.min(left, it.fees - it.paidFees);
            it.paidFees += take;
            break;
          case 'penalty':
            take = Math.min(left, it.penalty - it.paidPenalty);
            it.paidPenalty += take;
            break;
          case 'interest':
            take = Math.min(left, it.interestAccrued - it.paidInterest);
            it.paidInterest += take;
            break;
          case 'principal':
            take = Math.min(left, it.principal - it.paidPrincipal);
            it.paidPrincipal += take;
            break;
        }
        left -= take;
      }
    }
    if (left > 0 && this.product.overpayment === 'prepay') left -= applyPrepayment(this.product, inst, left, fromEpochDay(day));
    if (left > 0) this.state.credit += left;
  }

  /** What the borrower pays for an intention on `day` (after the day's billing). */
  private resolve(idx: number, day: number): Minor {
    const kind = this.intents.kind[idx] as number;
    const arg = this.intents.arg[idx] as number;
    const inst = this.inst;
    let sum = 0;
    if (kind === THROUGH) {
      const upto = Math.min(arg, this.n - 1);
      for (let i = this.lo; i <= upto; i++) {
        const it = inst[i] as Instalment;
        sum += (this.due[i] as number) <= day
          ? unpaid(it)
          : it.principal - it.paidPrincipal + it.interest - it.paidInterest;
      }
      return Math.max(0, sum - this.state.credit);
    }
    for (let i = this.lo; i < this.n && (this.due[i] as number) <= day; i++) sum += unpaid(inst[i] as Instalment);
    return Math.min(arg, sum);
  }

  /** Everything owed (the ledger's balances().total); instalments before `lo` owe nothing. */
  private owed(): Minor {
    let sum = 0;
    for (let i = this.lo; i < this.n; i++) sum += unpaid(this.inst[i] as Instalment);
    return sum;
  }
}

function unpaid(it: Instalment): Minor {
  return it.principal - it.paidPrincipal + it.interestAccrued - it.paidInterest + it.penalty - it.paidPenalty + it.fees - it.paidFees;
}

function isOpen(it: Instalment): boolean {
  return it.principal - it.paidPrincipal > 0 || it.interestAccrued - it.paidInterest > 0 || it.penalty - it.paidPenalty > 0 || it.fees - it.paidFees > 0;
}

// ---------------------------------------------------------------------------------------------
// public API

export interface SimResult {
  /** the account as the daily cycle would have left it after closing `through` */
  state: AccountState;
  /** the borrower's payments from disbursement through `through`, by date */
  payments: Payment[];
}

function checkProduct(loan: SimLoan, product: Product): void {
  if (loan.account.productId !== product.id) {
    throw new RangeError(`loan ${loan.account.id} is on product ${loan.account.productId}, not ${product.id}`);
  }
}

/** Runs a loan from disbursement through `through`: its payments and its state after that day's close. */
export function simulateLoan(loan: SimLoan, product: Product, through: BusinessDate, config: LedgerConfig = DEFAULT_LEDGER_CONFIG): SimResult {
  checkProduct(loan, product);
  const sim = new LoanSim(loan.account, product, loan.behaviour, config, true);
  sim.run(toEpochDay(through));
  return { state: sim.state, payments: sim.payments ?? [] };
}

/**
 * The account state as if the daily cycle had closed every date through `asOf` with the borrower's
 * payments (`paymentsFor`). `closeDay(account, product, state, addDays(asOf, 1), …)` continues from it.
 */
export function syntheticState(loan: SimLoan, product: Product, asOf: BusinessDate, config: LedgerConfig = DEFAULT_LEDGER_CONFIG): AccountState {
  checkProduct(loan, product);
  const sim = new LoanSim(loan.account, product, loan.behaviour, config, false);
  sim.run(toEpochDay(asOf));
  return sim.state;
}

/**
 * The payments the borrower makes on dates in [from, until], sorted by date, one per date at most,
 * keyed `${accountId}:${date}:sim`. A function of the loan alone: any window is a slice of the whole.
 */
export function paymentsFor(loan: SimLoan, product: Product, from: BusinessDate, until: BusinessDate): Payment[] {
  if (until < from) return [];
  const all = simulateLoan(loan, product, until).payments;
  let i = 0;
  while (i < all.length && (all[i] as Payment).date < from) i++;
  return i === 0 ? all : all.slice(i);
}

/** Every payment the borrower makes over the life of the loan (cache this for day-by-day demos). */
export function paymentPlan(loan: SimLoan, product: Product): Payment[] {
  checkProduct(loan, product);
  const sim = new LoanSim(loan.account, product, loan.behaviour, DEFAULT_LEDGER_CONFIG, true);
  sim.run(sim.lastIntentDay());
  return sim.payments ?? [];
}

/** The schedule the simulator uses; equal to the ledger's generateSchedule (exported for tests). */
export function simSchedule(product: Product, principal: Minor, disbursed: BusinessDate): Instalment[] {
  return schedule(product, principal, disbursed, dueRow(disbursed, product.termMonths + TAIL_MONTHS));
}
