/**
 * Exact decimal rates and half-up rounding on integers.
 *
 * Rates (0.12, 0.0005, 0.05) are written in decimal by people; binary floating point cannot hold
 * most of them exactly, so `amount * 0.0005` can land a hair under a .5 boundary and round the
 * wrong way. A Rate keeps the decimal exactly as num / 10^scale and every product with money is
 * computed on integers, then rounded half-up once.
 */
import { ValidationError } from './errors.js';

export interface Rate {
  /** numerator, a safe integer */
  readonly num: number;
  /** denominator, 10^scale */
  readonly den: number;
}

const MAX_SCALE = 12;

export function parseRate(value: unknown, field: string, opts: { max?: number } = {}): Rate {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new ValidationError(field, `must be a decimal number, got ${JSON.stringify(value)}`);
  }
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new ValidationError(field, `must be a non-negative decimal number, got ${JSON.stringify(value)}`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > MAX_SCALE) throw new ValidationError(field, `has more than ${MAX_SCALE} decimal places`);
  const num = Number((m[1] ?? '0') + frac);
  const den = 10 ** frac.length;
  if (!Number.isSafeInteger(num)) throw new ValidationError(field, 'is too large');
  const rate = { num, den };
  if (opts.max !== undefined && rateToNumber(rate) > opts.max) {
    throw new ValidationError(field, `must be at most ${opts.max}, got ${text}`);
  }
  return rate;
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n) || n < 0) return String(n);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(MAX_SCALE + 2).replace(/\.?0+$/, '');
}

export function rate(value: number | string): Rate {
  return parseRate(value, 'rate');
}

export function rateToNumber(r: Rate): number {
  return r.num / r.den;
}

export function rateToString(r: Rate): string {
  const scale = Math.round(Math.log10(r.den));
  if (scale === 0) return String(r.num);
  const s = String(r.num).padStart(scale + 1, '0');
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`.replace(/\.?0+$/, '') || '0';
}

export function isZeroRate(r: Rate): boolean {
  return r.num === 0;
}

/**
 * round_half_up(a * b / c) for integers a, b ≥ 0 and c > 0, exact.
 * Uses doubles while the product is a safe integer and BigInt beyond.
 */
export function mulDivHalfUp(a: number, b: number, c: number): number {
  if (c <= 0) throw new RangeError('mulDivHalfUp: divisor must be positive');
  if (a < 0 || b < 0) {
    // half away from zero for negative inputs: symmetric with the positive case
    const sign = (a < 0 ? -1 : 1) * (b < 0 ? -1 : 1);
    const abs = mulDivHalfUp(Math.abs(a), Math.abs(b), c);
    return abs === 0 ? 0 : sign * abs; // never -0
  }
  const n = a * b;
  // the fast path needs q*c (≤ n + c) exact too
  if (Number.isSafeInteger(n) && Number.isSafeInteger(n + c)) {
    let q = Math.floor(n / c);
    let r = n - q * c;
    if (r < 0) {
      q -= 1;
      r += c;
    } else if (r >= c) {
      q += 1;
      r -= c;
    }
    return 2 * r >= c ? q + 1 : q;
  }
  const bn = BigInt(a) * BigInt(b);
  const bc = BigInt(c);
  const q = bn / bc;
  const r = bn - q * bc;
  const out = 2n * r >= bc ? q + 1n : q;
  const res = Number(out);
  if (!Number.isSafeInteger(res)) throw new RangeError('mulDivHalfUp: result exceeds safe integer range');
  return res;
}

/** round_half_up(amount × rate × num / den), exact. */
export function applyRate(amount: number, r: Rate, num = 1, den = 1): number {
  if (num === 1 && den === 1) return mulDivHalfUp(amount, r.num, r.den);
  const a = amount * r.num;
  const c = r.den * den;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(c)) return mulDivHalfUp(a, num, c);
  // amount*r.num*num may overflow doubles: exact BigInt, same sign rule as mulDivHalfUp
  const sign = amount < 0 !== num < 0 ? -1n : 1n;
  const bn = BigInt(Math.abs(amount)) * BigInt(r.num) * BigInt(Math.abs(num));
  const bc = BigInt(r.den) * BigInt(den);
  const q = bn / bc;
  const rem = bn - q * bc;
  return toSafe(sign * (2n * rem >= bc ? q + 1n : q), 'applyRate');
}

/** floor(a * b / c) for integers a, b ≥ 0 and c > 0, exact (BigInt when a*b is not a safe integer). */
export function mulDivFloor(a: number, b: number, c: number): number {
  if (c <= 0) throw new RangeError('mulDivFloor: divisor must be positive');
  if (a < 0 || b < 0) throw new RangeError('mulDivFloor: operands must not be negative');
  const n = a * b;
  if (Number.isSafeInteger(n) && Number.isSafeInteger(n + c)) {
    let q = Math.floor(n / c);
    // the double quotient can be one off near an integer; settle it with the exact remainder
    if (q * c > n) q -= 1;
    else if (n - q * c >= c) q += 1;
    return q;
  }
  return toSafe((BigInt(a) * BigInt(b)) / BigInt(c), 'mulDivFloor');
}

/** floor(amount × rate × num / den), exact: for limits that must never be exceeded (e.g. a cost cap). */
export function applyRateFloor(amount: number, r: Rate, num = 1, den = 1): number {
  if (amount < 0 || num < 0) throw new RangeError('applyRateFloor: operands must not be negative');
  const a = amount * r.num;
  const c = r.den * den;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(c)) return mulDivFloor(a, num, c);
  const bn = BigInt(amount) * BigInt(r.num) * BigInt(num);
  return toSafe(bn / (BigInt(r.den) * BigInt(den)), 'applyRateFloor');
}

function toSafe(v: bigint, fn: string): number {
  const res = Number(v);
  if (!Number.isSafeInteger(res)) throw new RangeError(`${fn}: result exceeds safe integer range`);
  return res;
}

/**
 * Half-up rounding of a double that is known to carry floating noise (e.g. a formula with pow).
 * Noise is stripped at 12 significant digits, but never at fewer than 4 decimals: stripping at the
 * units digit would lose whole minor units on large amounts (1234567890123.4 → 1234567890120).
 * Prefer exact integer arithmetic where it exists (annuityPayment with a decimal rate is exact).
 */
export function roundHalfUpFloat(x: number): number {
  const abs = Math.abs(x);
  const intDigits = abs < 1 ? 1 : Math.floor(Math.log10(abs)) + 1;
  const cleaned = Number(x.toPrecision(Math.min(100, Math.max(12, intDigits + 4))));
  return Math.sign(cleaned) * Math.floor(Math.abs(cleaned) + 0.5);
}
