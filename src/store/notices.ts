/**
 * US validation notices at the store: the notice's input built from an account's ledger, the record
 * of notices sent (with an audit entry in the same transaction), and the list of debts whose notice
 * is overdue.
 *
 * The itemisation (1006.34(b)(3), (c)(2)(vi)–(ix)) — choices, with their grounds:
 * - Itemisation date: the last payment date (1006.34(b)(3)(iii): the date the last payment was
 *   applied to the debt) when a payment has been applied on or before the as-of date; otherwise the
 *   transaction date (1006.34(b)(3)(iv)), which for a loan is its disbursement. The ledger keeps no
 *   statements, charge-offs or judgments, so the other three reference dates are not offered.
 *   Once a notice has been recorded for a debt, later notices reuse its itemisation date and
 *   reference: the reference date must be used consistently for a debt.
 * - Amounts are as of the close of business of the as-of date: the account's last closed business
 *   date, or `sentOn` when the ledger is closed beyond it. The amount owed on a date is what the
 *   ledger's balances hold unpaid (principal outstanding, accrued interest and penalty interest,
 *   liquidated damages) less any credit balance held for the borrower.
 * - The amounts come from replaying the account's ledger (the pure `closeDay`) from disbursement
 *   with its payments on the dates the cycle applied them and its pauses. Interest since = ordinary
 *   plus penalty interest accrued on days after the itemisation date; fees since = liquidated
 *   damages charged then; payments since = payments applied then; credits = 0 (the ledger has no
 *   waivers or other non-payment credits yet). The replay must reproduce the stored state on the
 *   last closed date to the minor unit, or the notice is refused (e.g. a pause recorded after the
 *   days it covers changes history the replay cannot see); `validationNotice` then checks that the
 *   lines add up to the current amount.
 */
import { addDays, compareDates, daysBetween, DomainError, parseDate, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import type { ItemizationReference, ValidationNotice, ValidationNoticeInput } from '../compliance/index.js';
import {
  balances, closeDayInPlace, openAccount, type Account, type AccountState, type LedgerConfig, type PausePeriod, type Payment, type Product,
} from '../ledger/index.js';
import type { Address } from '../contact/index.js';
import { withLocks } from './locks.js';
import { appendAudit } from './audit.js';
import { rowToAccount, rowToBorrower, rowToProduct, rowToState } from './codec.js';
import type { Store } from './db.js';
import { loadBuckets, type Db } from './repo.js';

/** Reference dates this store can compute (1006.34(b)(3)(iii) and (iv)). */
export type StoreItemizationReference = Extract<ItemizationReference, 'last-payment' | 'transaction'>;

export interface NoticeInputOptions {
  sentOn: BusinessDate;
  /** the creditor to whom the debt is owed (1006.34(c)(2)(ii)) */
  creditor: string;
  /** force a reference date; default: the one of an earlier notice, else last payment, else transaction */
  reference?: StoreItemizationReference;
}

export interface NoticeBuild {
  input: ValidationNoticeInput;
  /** the business date the amounts are taken at (close of business) */
  amountsAsOf: BusinessDate;
  /** the earlier notice whose itemisation date was reused, if any */
  reusedFrom: number | null;
}

/** What is owed at close of business: unpaid balances less the credit held for the borrower. */
function owed(state: AccountState): Minor {
  return balances(state).total - state.credit;
}

/** The borrower's mailing block: a mailing address first, else residential, else any; split after the street. */
export function mailingLines(addresses: readonly Address[]): string[] {
  const order: Address['kind'][] = ['mailing', 'residential', 'id-card', 'work'];
  const pick = [...addresses].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0];
  if (!pick) return [];
  const parts = pick.line.split('\n').flatMap((l) => {
    const i = l.indexOf(',');
    return i < 0 ? [l] : [l.slice(0, i), l.slice(i + 1)];
  });
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

interface Replayed {
  itemizationDate: BusinessDate;
  amountAtItemization: Minor;
  interestSince: Minor;
  feesSince: Minor;
  paymentsSince: Minor;
  currentAmount: Minor;
}

interface AppliedPayment extends Payment {
  applied: BusinessDate;
}

/**
 * Replays the ledger from disbursement through `until` and sums what happened after `itemizationDate`
 * up to `asOf`. Returns the state at `until` too, for the consistency check.
 */
function replay(
  account: Account, product: Product, config: LedgerConfig,
  payments: readonly AppliedPayment[], pauses: readonly PausePeriod[], itemizationDate: BusinessDate, asOf: BusinessDate, until: BusinessDate,
): { r: Replayed; state: AccountState } {
  const state = openAccount(account, product, config);
  state.pauses = pauses.slice();
  const r: Replayed = { itemizationDate, amountAtItemization: 0, interestSince: 0, feesSince: 0, paymentsSince: 0, currentAmount: 0 };
  let pi = 0;
  for (let day = account.disbursed; day <= until; day = addDays(day, 1)) {
    const todays: AppliedPayment[] = [];
    while (pi < payments.length && (payments[pi] as AppliedPayment).applied <= day) todays.push(payments[pi++] as AppliedPayment);
    const { accrual } = closeDayInPlace(account, product, state, day, todays, config);
    if (day > itemizationDate && day <= asOf) {
      r.interestSince += accrual.interest + accrual.penalty;
      r.feesSince += accrual.fees;
      for (const p of todays) r.paymentsSince += p.amount;
    }
    if (day === itemizationDate) r.amountAtItemization = owed(state);
    if (day === asOf) r.currentAmount = owed(state);
  }
  return { r, state };
}

/** Builds the validation notice input for an account from the ledger (see the module comment). */
export async function buildValidationNoticeInput(db: Db, accountId: string, opts: NoticeInputOptions): Promise<NoticeBuild> {
  const sentOn = parseDate(opts.sentOn, 'sentOn');
  const acc = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (!acc) throw new ValidationError('account', `unknown account ${accountId}`);
  const account = rowToAccount(acc);
  const [stRow, bRow, pRow, payRows, pauseRows, buckets, earlier] = await Promise.all([
    db.selectFrom('account_state').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow(),
    db.selectFrom('borrowers').selectAll().where('id', '=', account.borrowerId).executeTakeFirstOrThrow(),
    db.selectFrom('products').selectAll().where('id', '=', account.productId).executeTakeFirstOrThrow(),
    db.selectFrom('payments').select(['id', 'key', 'business_date', 'amount', 'applied_date'])
      .where('account_id', '=', accountId).where('applied_date', 'is not', null).orderBy('business_date').orderBy('id').execute(),
    db.selectFrom('pauses').select(['from_date', 'until_date', 'reason']).where('account_id', '=', accountId).orderBy('from_date').orderBy('id').execute(),
    loadBuckets(db),
    db.selectFrom('validation_notices').select(['id', 'itemization_date', 'itemization_reference'])
      .where('debt_id', '=', accountId).orderBy('id').limit(1).executeTakeFirst(),
  ]);
  const stored = rowToState(stRow);
  if (stored.asOf === null) throw new DomainError('notice.ledger', `account ${accountId} has no closed business date yet; run the cycle first`);
  if (stored.status === 'closed') throw new DomainError('notice.closed', `account ${accountId} is paid off: there is no debt to validate`);
  const asOf = compareDates(stored.asOf, sentOn) <= 0 ? stored.asOf : sentOn;
  if (compareDates(asOf, account.disbursed) < 0) throw new ValidationError('sentOn', `is before the loan was disbursed (${account.disbursed})`);

  // the cycle applies payments in (business date, id) order on the first day closed on or after their date
  const payments: AppliedPayment[] = payRows
    .map((p) => ({ key: p.key, accountId, date: p.business_date, amount: p.amount, applied: p.applied_date as string }))
    .sort((a, b) => compareDates(a.applied, b.applied));
  const lastPayment = payments.filter((p) => p.applied <= asOf).at(-1)?.applied ?? null;

  let reference: StoreItemizationReference;
  let itemizationDate: BusinessDate;
  let reusedFrom: number | null = null;
  if (earlier && opts.reference === undefined) {
    reference = earlier.itemization_reference as StoreItemizationReference;
    itemizationDate = earlier.itemization_date;
    reusedFrom = Number(earlier.id);
  } else if (opts.reference === 'transaction' || (opts.reference === undefined && lastPayment === null)) {
    reference = 'transaction';
    itemizationDate = account.disbursed;
  } else {
    if (lastPayment === null) throw new ValidationError('reference', `last-payment needs a payment applied on or before ${asOf}; account ${accountId} has none`);
    reference = 'last-payment';
    itemizationDate = lastPayment;
  }
  if (compareDates(itemizationDate, asOf) > 0) {
    throw new ValidationError('sentOn', `the itemization date ${itemizationDate} (from notice ${reusedFrom ?? '?'}) is after the amounts' date ${asOf}`);
  }

  const product = rowToProduct(pRow);
  const pauses = pauseRows.map((p) => ({ from: p.from_date, until: p.until_date, reason: p.reason }));
  const { r, state } = replay(account, product, { buckets }, payments, pauses, itemizationDate, asOf, stored.asOf);
  const want = balances(stored);
  const got = balances(state);
  if (got.total !== want.total || state.credit !== stored.credit || got.interest !== want.interest || got.penalty !== want.penalty || got.fees !== want.fees) {
    throw new DomainError('notice.ledger',
      `replaying account ${accountId} from ${account.disbursed} gives ${got.total} owed and ${state.credit} credit on ${stored.asOf}, `
      + `but the ledger holds ${want.total} and ${stored.credit} (was a pause recorded after the days it covers?); the itemisation cannot be computed exactly`);
  }

  const borrower = rowToBorrower(bRow);
  return {
    input: {
      sentOn,
      itemizationDate,
      itemizationReference: reference,
      amountAtItemization: r.amountAtItemization,
      interestSince: r.interestSince,
      feesSince: r.feesSince,
      paymentsSince: r.paymentsSince,
      creditsSince: 0,
      currentAmount: r.currentAmount,
      currency: account.currency,
      creditor: opts.creditor,
      accountNumber: account.id,
      consumer: { name: borrower.name, address: mailingLines(borrower.addresses) },
    },
    amountsAsOf: asOf,
    reusedFrom,
  };
}

export interface RecordedNotice {
  id: number;
  /** the same PDF had been recorded for this debt already: nothing was written */
  duplicate: boolean;
}

export interface RecordNoticeOptions {
  debtId: string;
  notice: ValidationNotice;
  /** SHA-256 hex of the PDF */
  fileHash: string;
  /** ISO instant of recording */
  at: string;
  actor: string;
}

async function recordIn(db: Db, dialect: Store['dialect'], o: RecordNoticeOptions): Promise<RecordedNotice> {
  const had = await db.selectFrom('validation_notices').select('id').where('debt_id', '=', o.debtId).where('file_hash', '=', o.fileHash).executeTakeFirst();
  if (had) return { id: Number(had.id), duplicate: true };
  const n = o.notice;
  const row = await db.insertInto('validation_notices').values({
    debt_id: o.debtId, sent_on: n.sentOn, assumed_receipt: n.assumedReceipt, validation_period_ends: n.validationPeriodEnds,
    itemization_date: n.itemizationDate, itemization_reference: n.itemizationReference ?? 'transaction',
    current_amount: n.currentAmount, currency: n.currency, file_hash: o.fileHash, recorded_at: o.at,
  }).returning('id').executeTakeFirstOrThrow();
  const id = Number(row.id);
  await appendAudit(db, dialect, [{
    at: o.at, actor: o.actor, kind: 'notice.validation', entity: `account:${o.debtId}`,
    data: JSON.stringify({
      notice: id, sentOn: n.sentOn, assumedReceipt: n.assumedReceipt, validationPeriodEnds: n.validationPeriodEnds,
      itemizationDate: n.itemizationDate, currentAmount: n.currentAmount, currency: n.currency, sha256: o.fileHash,
    }),
  }]);
  return { id, duplicate: false };
}

/**
 * Records a notice sent and appends its audit entry in one transaction, under the debt's lock
 * (SQLite: `BEGIN IMMEDIATE`, so the audit chain's tail is read under the write lock).
 */
export async function recordValidationNotice(store: Store, o: RecordNoticeOptions): Promise<RecordedNotice> {
  if (!/^[0-9a-f]{64}$/.test(o.fileHash)) throw new ValidationError('fileHash', 'must be a SHA-256 hex digest');
  // the debt's lock: two clerks recording the same notice at once record it once
  return withLocks(store, [`debt:${o.debtId}`], (db, dialect) => recordIn(db, dialect, o));
}

/** Days after the initial communication within which the notice is due (1006.34(a)(1)(i)(B)). */
export const NOTICE_DUE_DAYS = 5;

/** Parties whose contact is a communication with the consumer (third parties — references, employers — are not). */
const CONSUMER_KINDS = ['borrower', 'co_borrower', 'guarantor'] as const;

export interface NoticeDue {
  accountId: string;
  /** the consumer's local date of the first communication */
  firstContact: BusinessDate;
  /** where the first communication was found: an allowed gate decision or a recorded attempt */
  source: 'gate' | 'attempt';
  /** the last day the notice could be sent: first contact + 5 days */
  dueBy: BusinessDate;
  daysLate: number;
}

function localDate(instant: string, timeZone: string): BusinessDate {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
  } catch {
    return new Date(instant).toISOString().slice(0, 10);
  }
}

/**
 * Debts first communicated with more than five days before `asOf` that have no validation notice
 * sent on or before `asOf`. The first communication is the earlier of the first allowed gate
 * decision and the first recorded attempt to a consumer party (borrower, co-borrower, guarantor).
 * Deliberately conservative: an allowed decision or an unanswered attempt counts, so the list errs
 * towards notices owed rather than missed.
 */
export async function noticesDue(db: Db, asOf: BusinessDate): Promise<NoticeDue[]> {
  parseDate(asOf, 'asOf');
  // a gate decision at any instant on or before the end of asOf + 1 day (UTC) may be local asOf or earlier
  const instantLimit = `${addDays(asOf, 2)}T00:00:00.000Z`;
  const [gate, attempts, noticed] = await Promise.all([
    db.selectFrom('gate_decisions').select((eb) => ['debt_id', eb.fn.min('at').as('at')])
      .where('allowed', '=', 1).where('party_kind', 'in', CONSUMER_KINDS).where('at', '<', instantLimit).groupBy('debt_id').execute(),
    db.selectFrom('attempts').select((eb) => ['account_id', eb.fn.min('business_date').as('d')])
      .where('party', 'in', CONSUMER_KINDS).where('business_date', '<=', asOf).groupBy('account_id').execute(),
    db.selectFrom('validation_notices').select('debt_id').distinct().where('sent_on', '<=', asOf).execute(),
  ]);
  const done = new Set(noticed.map((r) => r.debt_id));
  const ids = [...new Set([...gate.map((g) => g.debt_id), ...attempts.map((a) => a.account_id)])].filter((id) => !done.has(id));
  if (ids.length === 0) return [];
  const zones = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db.selectFrom('accounts as a').innerJoin('borrowers as b', 'b.id', 'a.borrower_id')
      .select(['a.id', 'b.timezone']).where('a.id', 'in', ids.slice(i, i + 5000)).execute();
    for (const r of rows) zones.set(r.id, r.timezone);
  }
  const first = new Map<string, { date: BusinessDate; source: NoticeDue['source'] }>();
  const consider = (id: string, date: BusinessDate, source: NoticeDue['source']): void => {
    if (done.has(id)) return;
    const had = first.get(id);
    if (!had || date < had.date) first.set(id, { date, source });
  };
  for (const g of gate) consider(g.debt_id, localDate(String(g.at), zones.get(g.debt_id) ?? 'UTC'), 'gate');
  for (const a of attempts) consider(a.account_id, String(a.d), 'attempt');

  const out: NoticeDue[] = [];
  for (const [accountId, f] of first) {
    const late = daysBetween(f.date, asOf) - NOTICE_DUE_DAYS;
    if (late <= 0) continue;
    out.push({ accountId, firstContact: f.date, source: f.source, dueBy: addDays(f.date, NOTICE_DUE_DAYS), daysLate: late });
  }
  return out.sort((a, b) => (a.firstContact < b.firstContact ? -1 : a.firstContact > b.firstContact ? 1 : a.accountId < b.accountId ? -1 : 1));
}
