/**
 * The US validation notice (Regulation F, 12 CFR 1006.34) as data: dates, itemisation, the
 * current amount and the dispute prompts. Rendering (PDF, HTML, the model form's layout) is the
 * edge's job; this module only decides what the notice says.
 *
 * Choices, with their grounds:
 * - Assumed receipt = 5 business days after `sentOn`, skipping Saturdays, Sundays and US federal
 *   holidays (1006.34(b)(5): a collector may assume receipt on any date at least five days,
 *   excluding legal public holidays, Saturdays and Sundays, after providing the notice). We skip
 *   the *observed* holiday dates (e.g. Friday 2026-07-03 for a Saturday July 4) as well: that can
 *   only move the assumed receipt later, so it stays inside the "at least five days" safe harbor
 *   and gives the consumer the longer period.
 * - The sending day is day 0 and is never counted, so a notice sent on a weekend still gets five
 *   full business days.
 * - Validation period end = assumed receipt + 30 calendar days, a plain calendar date: the rule
 *   says "30 days after receipt" and has no roll-forward when that day is a weekend or holiday.
 * - Current amount = amount at itemisation + interest + fees − payments − credits since the
 *   itemisation date (1006.34(c)(2)(vi)–(viii)). If the caller passes its own `currentAmount`
 *   (from the ledger) it must equal that sum exactly; a notice whose lines do not add up is refused.
 *   A negative current amount is refused (nothing is owed, so there is nothing to validate).
 * - Amounts are minor units; lines carry a signed amount (payments and credits negative) and a
 *   plain decimal string for the renderer.
 * - The account number is masked to its last four characters (1006.34(c)(2)(iv) allows a
 *   truncated account number; masking also keeps it out of anything a third party might see).
 */
import {
  addDays, assertMinor, type BusinessDate, compareDates, formatMinor, isCurrency, type Minor, parseDate, ValidationError,
} from '../core/index.js';
import { addBusinessDays, type Holidays, US_FEDERAL } from './calendar.js';

/** Business days after sending on which receipt is assumed (1006.34(b)(5)). */
export const ASSUMED_RECEIPT_BUSINESS_DAYS = 5;
/** Calendar days after (assumed) receipt on which the validation period ends (1006.34(b)(5)). */
export const VALIDATION_PERIOD_DAYS = 30;

/** The reference date the itemisation is taken from (1006.34(b)(3)); optional, echoed on the notice. */
export type ItemizationReference = 'last-statement' | 'charge-off' | 'last-payment' | 'transaction' | 'judgment';
const ITEMIZATION_REFERENCES: readonly ItemizationReference[] = ['last-statement', 'charge-off', 'last-payment', 'transaction', 'judgment'];

export interface ValidationNoticeInput {
  sentOn: BusinessDate;
  itemizationDate: BusinessDate;
  itemizationReference?: ItemizationReference;
  amountAtItemization: Minor;
  interestSince: Minor;
  feesSince: Minor;
  paymentsSince: Minor;
  creditsSince: Minor;
  /** Optional: the ledger's current amount, checked against the itemisation. */
  currentAmount?: Minor;
  currency: string;
  creditor: string;
  accountNumber: string;
  consumer: { name: string; address: readonly string[] };
  /** Holidays skipped when assuming receipt; US federal holidays unless given. */
  holidays?: Holidays;
}

export type ItemizationKey = 'amountAtItemization' | 'interest' | 'fees' | 'payments' | 'credits';

export interface ItemizationLine {
  key: ItemizationKey;
  label: string;
  /** Signed minor units: payments and credits are negative. */
  amount: Minor;
  /** `amount` as a plain decimal (`-25.00`). */
  formatted: string;
}

export interface ValidationNotice {
  sentOn: BusinessDate;
  assumedReceipt: BusinessDate;
  validationPeriodEnds: BusinessDate;
  itemizationDate: BusinessDate;
  itemizationReference: ItemizationReference | undefined;
  itemization: ItemizationLine[];
  currentAmount: Minor;
  currentAmountFormatted: string;
  currency: string;
  creditor: string;
  accountNumberMasked: string;
  consumer: { name: string; address: string[] };
  /** The tear-off "How do you want to respond?" section (1006.34(c)(4)), in the model form's order. */
  disputePrompts: string[];
}

/** Masks every character but the last four (`****5678`); four characters or fewer are all masked. */
export function maskAccountNumber(accountNumber: string): string {
  const s = accountNumber.replace(/\s+/g, '');
  if (s.length <= 4) return '*'.repeat(s.length);
  return '*'.repeat(s.length - 4) + s.slice(-4);
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must be a non-empty string');
  return value.trim();
}

const DISPUTE_PROMPTS: readonly string[] = [
  'How do you want to respond?',
  'I want to dispute the debt because I think:',
  'This is not my debt.',
  'The amount is wrong.',
  'Other (please describe on reverse or attach additional information).',
  'I want you to send me the name and address of the original creditor.',
];

export function validationNotice(input: ValidationNoticeInput): ValidationNotice {
  const sentOn = parseDate(input.sentOn, 'sentOn');
  const itemizationDate = parseDate(input.itemizationDate, 'itemizationDate');
  if (compareDates(itemizationDate, sentOn) > 0) {
    throw new ValidationError('itemizationDate', `must not be after sentOn (${itemizationDate} > ${sentOn})`);
  }
  const ref = input.itemizationReference;
  if (ref !== undefined && !ITEMIZATION_REFERENCES.includes(ref)) {
    throw new ValidationError('itemizationReference', `must be one of ${ITEMIZATION_REFERENCES.join(', ')}, got ${JSON.stringify(ref)}`);
  }
  if (!isCurrency(input.currency)) {
    throw new ValidationError('currency', `"${String(input.currency)}" is not a supported ISO 4217 code`);
  }
  const currency = input.currency;
  const amountAtItemization = assertMinor(input.amountAtItemization, 'amountAtItemization');
  const interest = assertMinor(input.interestSince, 'interestSince');
  const fees = assertMinor(input.feesSince, 'feesSince');
  const payments = assertMinor(input.paymentsSince, 'paymentsSince');
  const credits = assertMinor(input.creditsSince, 'creditsSince');

  const sum = amountAtItemization + interest + fees - payments - credits;
  if (!Number.isSafeInteger(sum)) throw new ValidationError('currentAmount', 'the itemisation overflows a safe integer');
  if (sum < 0) {
    throw new ValidationError('currentAmount', `the itemisation adds up to a negative amount (${formatMinor(sum, currency)} ${currency}); payments and credits exceed what was owed`);
  }
  if (input.currentAmount !== undefined) {
    const given = assertMinor(input.currentAmount, 'currentAmount');
    if (given !== sum) {
      throw new ValidationError(
        'currentAmount',
        `${formatMinor(given, currency)} does not equal the itemisation (${formatMinor(amountAtItemization, currency)} + ${formatMinor(interest, currency)} interest + ${formatMinor(fees, currency)} fees − ${formatMinor(payments, currency)} payments − ${formatMinor(credits, currency)} credits = ${formatMinor(sum, currency)})`,
      );
    }
  }

  const creditor = text(input.creditor, 'creditor');
  const accountNumber = text(input.accountNumber, 'accountNumber');
  if (typeof input.consumer !== 'object' || input.consumer === null) throw new ValidationError('consumer', 'must be an object with name and address');
  const name = text(input.consumer.name, 'consumer.name');
  if (!Array.isArray(input.consumer.address) || input.consumer.address.length === 0) {
    throw new ValidationError('consumer.address', 'must be a non-empty list of address lines');
  }
  const address = input.consumer.address.map((line, i) => text(line, `consumer.address[${i}]`));

  const assumedReceipt = addBusinessDays(sentOn, ASSUMED_RECEIPT_BUSINESS_DAYS, input.holidays ?? US_FEDERAL);
  const validationPeriodEnds = addDays(assumedReceipt, VALIDATION_PERIOD_DAYS);

  const line = (key: ItemizationKey, label: string, amount: Minor): ItemizationLine => ({
    key, label, amount, formatted: formatMinor(amount, currency),
  });
  return {
    sentOn,
    assumedReceipt,
    validationPeriodEnds,
    itemizationDate,
    itemizationReference: ref,
    itemization: [
      line('amountAtItemization', `As of ${itemizationDate}, you owed:`, amountAtItemization),
      // "Between <itemisation date> and today:" heads these four lines on the rendered notice.
      line('interest', 'You were charged this amount in interest:', interest),
      line('fees', 'You were charged this amount in fees:', fees),
      line('payments', 'You paid this amount toward the debt:', payments === 0 ? 0 : -payments),
      line('credits', 'You were credited this amount toward the debt:', credits === 0 ? 0 : -credits),
    ],
    currentAmount: sum,
    currentAmountFormatted: formatMinor(sum, currency),
    currency,
    creditor,
    accountNumberMasked: maskAccountNumber(accountNumber),
    consumer: { name, address },
    disputePrompts: [...DISPUTE_PROMPTS],
  };
}
