/**
 * Core arithmetic against independent oracles: the UTC calendar for dates, BigInt for rounding.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  addDays, addMonthsClamped, applyRate, applyRateFloor, currencyDigits, daysInMonth, formatMinor, fromEpochDay, mulDivFloor,
  mulDivHalfUp, parseDate, parseRate, rateToString, toEpochDay, toYmd,
} from '../../src/core/index.js';

const RUNS = 500;

function fail(msg: string): never {
  throw new Error(msg);
}

const halfUp = (n: bigint, d: bigint): bigint => {
  const q = n / d;
  return 2n * (n - q * d) >= d ? q + 1n : q;
};

const epochDayArb = fc.integer({ min: toEpochDay('1600-01-01'), max: toEpochDay('2600-12-31') });
const dateArb = epochDayArb.map(fromEpochDay);

describe('dates', () => {
  it('epoch days round-trip and agree with the UTC calendar', () => {
    fc.assert(
      fc.property(epochDayArb, (n) => {
        const d = fromEpochDay(n);
        parseDate(d);
        if (toEpochDay(d) !== n) fail(`${n} → ${d} → ${toEpochDay(d)}`);
        if (new Date(n * 86_400_000).toISOString().slice(0, 10) !== d) fail(`${n}: ${d} is not the UTC date`);
      }),
      { numRuns: RUNS },
    );
  });

  it('addDays composes', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), (d, a, b) => {
        if (addDays(addDays(d, a), b) !== addDays(d, a + b)) fail(`${d} + ${a} + ${b}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('addMonthsClamped lands in the right month on the anchor day, clamped', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -240, max: 240 }), fc.option(fc.integer({ min: 1, max: 31 }), { nil: undefined }), (d, months, anchor) => {
        const r = toYmd(addMonthsClamped(d, months, anchor));
        const s = toYmd(d);
        if ((r.y - s.y) * 12 + (r.m - s.m) !== months) fail(`${d} + ${months} months → ${r.y}-${r.m}`);
        if (r.d !== Math.min(anchor ?? s.d, daysInMonth(r.y, r.m))) fail(`${d} + ${months} months: day ${r.d}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('rounding', () => {
  const big = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

  it('mulDivHalfUp is exact half-up (BigInt oracle)', () => {
    fc.assert(
      fc.property(big, big, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b, c) => {
        const want = halfUp(BigInt(a) * BigInt(b), BigInt(c));
        if (want > BigInt(Number.MAX_SAFE_INTEGER)) return;
        const got = mulDivHalfUp(a, b, c);
        if (BigInt(got) !== want) fail(`mulDivHalfUp(${a}, ${b}, ${c}) = ${got}, want ${want}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('mulDivHalfUp decides exact halves up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 12 }), (q, h) => {
        // (2q + 1)·h / (2h) = q + 0.5 exactly
        if (mulDivHalfUp(2 * q + 1, h, 2 * h) !== q + 1) fail(`${q}.5 did not round up`);
      }),
      { numRuns: RUNS },
    );
  });

  it('mulDivFloor is exact floor (BigInt oracle)', () => {
    fc.assert(
      fc.property(big, big, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b, c) => {
        const want = (BigInt(a) * BigInt(b)) / BigInt(c);
        if (want > BigInt(Number.MAX_SAFE_INTEGER)) return;
        if (BigInt(mulDivFloor(a, b, c)) !== want) fail(`mulDivFloor(${a}, ${b}, ${c})`);
      }),
      { numRuns: 2000 },
    );
  });

  it('applyRate and applyRateFloor are exact for decimal rates and day fractions', () => {
    const rateArb = fc.tuple(fc.integer({ min: 0, max: 10 ** 6 }), fc.integer({ min: 0, max: 12 })).map(([n, scale]) => {
      const s = String(n).padStart(scale + 1, '0');
      return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 13 }), rateArb, fc.integer({ min: 0, max: 800 }), fc.constantFrom(1, 12, 360, 365), (amount, text, num, den) => {
        const r = parseRate(text, 'r');
        const n = BigInt(amount) * BigInt(r.num) * BigInt(num);
        const d = BigInt(r.den) * BigInt(den);
        const wantUp = halfUp(n, d);
        if (wantUp > BigInt(Number.MAX_SAFE_INTEGER)) return;
        if (BigInt(applyRate(amount, r, num, den)) !== wantUp) fail(`applyRate(${amount}, ${text}, ${num}, ${den})`);
        if (BigInt(applyRateFloor(amount, r, num, den)) !== n / d) fail(`applyRateFloor(${amount}, ${text}, ${num}, ${den})`);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseRate reads decimals exactly and rateToString prints them back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999999 }), fc.integer({ min: 0, max: 999999 }), fc.integer({ min: 1, max: 6 }), (int, frac, scale) => {
        const text = `${int}.${String(frac).padStart(scale, '0').slice(-scale)}`;
        const r = parseRate(text, 'r');
        // num / den equals the decimal: num × 10^scale = digits × den
        const digits = BigInt(text.replace('.', ''));
        if (BigInt(r.num) * 10n ** BigInt(scale) !== digits * BigInt(r.den)) fail(`${text} → ${r.num}/${r.den}`);
        const again = parseRate(rateToString(r), 'r');
        if (again.num !== r.num || again.den !== r.den) fail(`${text} → ${rateToString(r)}`);
        const fromNumber = parseRate(Number(text), 'r');
        if (fromNumber.num !== r.num || fromNumber.den !== r.den) fail(`number ${Number(text)} read as ${fromNumber.num}/${fromNumber.den}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('money', () => {
  it('formatMinor keeps every minor unit, for 0, 2 and 3 digit currencies', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('USD', 'JPY', 'KWD', 'CLP', 'BHD'), (amount, currency) => {
        const s = formatMinor(amount, currency);
        const digits = currencyDigits(currency);
        const frac = s.includes('.') ? (s.split('.')[1] ?? '') : '';
        if (frac.length !== digits) fail(`${amount} ${currency} → ${s}`);
        if (BigInt(s.replace('.', '')) !== BigInt(amount)) fail(`${amount} ${currency} → ${s}`);
      }),
      { numRuns: RUNS },
    );
  });
});
