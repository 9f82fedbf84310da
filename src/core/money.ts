/**
 * Money is an integer count of minor units (cents, fen, pence). Every amount is checked with
 * Number.isSafeInteger; every rounding goes through one of the explicit functions below.
 */
import { ValidationError } from './errors.js';

export type Minor = number;

/** ISO 4217 minor-unit digits for the currencies we know; others are rejected. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CNY: 2, HKD: 2, JPY: 0, KRW: 0, INR: 2, IDR: 2, PHP: 2, VND: 0,
  THB: 2, MYR: 2, SGD: 2, AUD: 2, CAD: 2, NZD: 2, CHF: 2, MXN: 2, BRL: 2, ZAR: 2, NGN: 2,
  KES: 2, PKR: 2, BDT: 2, TRY: 2, PLN: 2, SEK: 2, NOK: 2, DKK: 2, CZK: 2, HUF: 2, RUB: 2,
  AED: 2, SAR: 2, EGP: 2, CLP: 0, COP: 2, PEN: 2, ARS: 2, TWD: 2, BHD: 3, KWD: 3, OMR: 3,
  JOD: 3, TND: 3,
};

export function currencyDigits(currency: string): number {
  const d = MINOR_DIGITS[currency];
  if (d === undefined) throw new ValidationError('currency', `"${currency}" is not a supported ISO 4217 code`);
  return d;
}

export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && MINOR_DIGITS[code] !== undefined;
}

export function assertMinor(value: unknown, field: string, opts: { allowNegative?: boolean } = {}): Minor {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ValidationError(field, `must be a whole number of minor units (e.g. cents), got ${JSON.stringify(value)}`);
  }
  if (!opts.allowNegative && value < 0) throw new ValidationError(field, `must not be negative, got ${value}`);
  return value;
}

/** Adds minor amounts and checks the result stays a safe integer. */
export function addMinor(a: Minor, b: Minor): Minor {
  const r = a + b;
  if (!Number.isSafeInteger(r)) throw new RangeError(`money overflow: ${a} + ${b}`);
  return r;
}

/** Formats minor units as a plain decimal string (`1000000`, USD → `10000.00`). */
export function formatMinor(amount: Minor, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(amount);
  const neg = amount < 0;
  const abs = Math.abs(amount);
  const s = String(abs).padStart(digits + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** Formats with thousands separators, for tables. */
export function formatMinorGrouped(amount: Minor, currency: string): string {
  const plain = formatMinor(amount, currency);
  const [int, frac] = plain.split('.');
  const grouped = (int ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
