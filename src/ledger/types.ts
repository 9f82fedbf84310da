/**
 * Ledger data: plain, JSON-serialisable objects. Domain functions take these and return new ones.
 */
import type { BusinessDate, Minor, Rate } from '../core/index.js';

export type RepaymentMethod = 'annuity' | 'equal-principal' | 'bullet';
export type DayCount = '30/360' | 'actual/365';
/** What daily penalty interest is charged on: unpaid principal of past-due instalments, or their unpaid principal + interest. */
export type PenaltyBase = 'overdue-principal' | 'overdue-amount';
/** Components of an instalment, in the order a waterfall pays them. */
export type Component = 'fees' | 'penalty' | 'interest' | 'principal';
export type OverpaymentMode = 'credit' | 'prepay';

export type LiquidatedDamages =
  | { readonly kind: 'fixed'; readonly amount: Minor }
  | { readonly kind: 'percent'; readonly rate: Rate };

/** A validated loan product. Build one with `parseProduct`. */
export interface Product {
  readonly id: string;
  readonly method: RepaymentMethod;
  readonly annualRate: Rate;
  readonly termMonths: number;
  readonly dayCount: DayCount;
  readonly graceDays: number;
  readonly penalty: { readonly dailyRate: Rate; readonly base: PenaltyBase } | null;
  readonly liquidatedDamages: LiquidatedDamages | null;
  /** Annualised total cost cap (e.g. 0.24): interest + penalty + LD never exceed principal × cap × days/365. */
  readonly costCap: Rate | null;
  readonly overpayment: OverpaymentMode;
  /** Order in which components of one instalment are paid. Instalments are always paid oldest first. */
  readonly waterfall: readonly Component[];
}

/** One instalment of a schedule with what was charged and paid against it. */
export interface Instalment {
  readonly n: number;
  /** Start of the interest period (exclusive) — the previous due date or disbursement. */
  readonly start: BusinessDate;
  readonly due: BusinessDate;
  /** Scheduled principal and interest (interest may be reduced by prepayment re-computation). */
  principal: Minor;
  interest: Minor;
  /** Interest accrued so far for this period (≤ interest; less when the cost cap stopped it). */
  interestAccrued: Minor;
  penalty: Minor;
  fees: Minor;
  paidPrincipal: Minor;
  paidInterest: Minor;
  paidPenalty: Minor;
  paidFees: Minor;
  /** Liquidated damages have been assessed for this instalment (once only). */
  ldCharged: boolean;
}

export interface PausePeriod {
  readonly from: BusinessDate;
  /** inclusive */
  readonly until: BusinessDate;
  readonly reason: string;
}

export interface BucketDef {
  readonly name: string;
  readonly min: number;
  /** inclusive; null = no upper bound */
  readonly max: number | null;
}

export type AccountStatus = 'open' | 'closed';

/** The mutable part of an account, advanced one business date at a time by `closeDay`. */
export interface AccountState {
  /** Last business date closed; null before the first close. */
  asOf: BusinessDate | null;
  status: AccountStatus;
  instalments: Instalment[];
  /** Overpayment held for the borrower, applied to instalments as they fall due. */
  credit: Minor;
  /** Interest + penalty + LD charged over the life of the loan (what the cost cap limits). */
  charged: Minor;
  capReached: boolean;
  dpd: number;
  bucket: string;
  delinquentSince: BusinessDate | null;
  pauses: PausePeriod[];
}

/** The fixed facts of an account. */
export interface Account {
  readonly id: string;
  readonly borrowerId: string;
  readonly productId: string;
  readonly currency: string;
  readonly principal: Minor;
  readonly disbursed: BusinessDate;
}

export interface Payment {
  readonly key: string;
  readonly accountId: string;
  readonly date: BusinessDate;
  readonly amount: Minor;
}

export interface Allocation {
  fees: Minor;
  penalty: Minor;
  interest: Minor;
  principal: Minor;
  /** to the credit balance */
  credit: Minor;
  /** principal prepaid on instalments not yet due */
  prepaid: Minor;
}

export type LedgerEvent =
  | { type: 'instalment_due'; n: number; principal: Minor; interest: Minor }
  | { type: 'payment'; key: string; amount: Minor; allocation: Allocation }
  | { type: 'credit_applied'; n: number; amount: Minor }
  | { type: 'liquidated_damages'; n: number; amount: Minor }
  | { type: 'cost_cap_reached'; limit: Minor; forgone: Minor }
  | { type: 'bucket_change'; from: string; to: string; dpd: number }
  | { type: 'cured' }
  | { type: 'paused'; from: BusinessDate; until: BusinessDate; reason: string }
  | { type: 'closed' };

export interface Balances {
  principal: Minor;
  interest: Minor;
  penalty: Minor;
  fees: Minor;
  total: Minor;
}

/** Per-day accrual amounts, for traces. */
export interface DayAccrual {
  interest: Minor;
  penalty: Minor;
  fees: Minor;
}

export interface DayResult {
  state: AccountState;
  events: LedgerEvent[];
  accrual: DayAccrual;
}
