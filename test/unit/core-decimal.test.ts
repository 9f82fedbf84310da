import { describe, expect, it } from 'vitest';
import {
  applyRate, applyRateFloor, isZeroRate, mulDivFloor, mulDivHalfUp, parseRate, rate, rateToNumber, rateToString, roundHalfUpFloat,
  ValidationError,
} from '../../src/core/index.js';
import { catchError } from '../support/errors.js';


/** round_half_up(a*b/c) on BigInt, the oracle. */
function oracle(a: bigint, b: bigint, c: bigint): bigint {
  const n = a * b;
  const q = n / c;
  const r = n - q * c;
  return 2n * r >= c ? q + 1n : q;
}

describe('parseRate', () => {
  it('keeps the decimal exactly as num / 10^scale', () => {
    expect(parseRate(0.12, 'r')).toEqual({ num: 12, den: 100 });
    expect(parseRate('0.12', 'r')).toEqual({ num: 12, den: 100 });
    expect(parseRate(0.1, 'r')).toEqual({ num: 1, den: 10 });
    expect(parseRate(0.0005, 'r')).toEqual({ num: 5, den: 10000 });
    expect(parseRate('0.0005', 'r')).toEqual({ num: 5, den: 10000 });
    expect(parseRate(0.05, 'r')).toEqual({ num: 5, den: 100 });
    expect(parseRate(0.24, 'r')).toEqual({ num: 24, den: 100 });
    expect(parseRate(5, 'r')).toEqual({ num: 5, den: 1 });
    expect(parseRate(0, 'r')).toEqual({ num: 0, den: 1 });
    expect(parseRate('0.50', 'r')).toEqual({ num: 5, den: 10 });
    expect(parseRate(' 0.25 ', 'r')).toEqual({ num: 25, den: 100 });
    expect(parseRate('007.5', 'r')).toEqual({ num: 75, den: 10 });
    expect(parseRate('0.000000000001', 'r')).toEqual({ num: 1, den: 1e12 });
  });

  it('reads numbers that print in exponent form', () => {
    expect(parseRate(1e-7, 'r')).toEqual({ num: 1, den: 1e7 });
    expect(parseRate(2.5e-7, 'r')).toEqual({ num: 25, den: 1e8 });
  });

  it.each([
    [-0.1, 'must be a non-negative decimal number'],
    ['-0.1', 'must be a non-negative decimal number'],
    ['1e-3', 'must be a non-negative decimal number'],
    ['abc', 'must be a non-negative decimal number'],
    ['.5', 'must be a non-negative decimal number'],
    ['1.', 'must be a non-negative decimal number'],
    ['', 'must be a non-negative decimal number'],
    [Number.NaN, 'must be a non-negative decimal number'],
    [Number.POSITIVE_INFINITY, 'must be a non-negative decimal number'],
    [null, 'must be a decimal number'],
    [true, 'must be a decimal number'],
    [{}, 'must be a decimal number'],
    ['0.1234567890123', 'has more than 12 decimal places'],
    // binary noise is refused, not silently rounded
    [0.1 + 0.2, 'has more than 12 decimal places'],
    ['123456789012345678', 'is too large'],
  ])('rejects %j', (value, rule) => {
    const e = catchError(() => parseRate(value, 'penalty.dailyRate'));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('penalty.dailyRate');
    expect((e as ValidationError).rule).toContain(rule);
  });

  it('enforces a maximum, naming field and limit', () => {
    expect(parseRate(0.1, 'x', { max: 0.1 })).toEqual({ num: 1, den: 10 });
    const e = catchError(() => parseRate('0.25', 'costCap', { max: 0.2 })) as ValidationError;
    expect(e.field).toBe('costCap');
    expect(e.rule).toBe('must be at most 0.2, got 0.25');
  });

  it('prints back and converts', () => {
    expect(rateToString(rate(0.12))).toBe('0.12');
    expect(rateToString(rate('0.0005'))).toBe('0.0005');
    expect(rateToString(rate(5))).toBe('5');
    expect(rateToString(rate(12.5))).toBe('12.5');
    expect(rateToString(rate(0))).toBe('0');
    expect(rateToString({ num: 100, den: 10 })).toBe('10');
    expect(rateToString({ num: 10, den: 100 })).toBe('0.1');
    expect(rateToNumber(rate('0.0005'))).toBe(0.0005);
    expect(isZeroRate(rate('0.000'))).toBe(true);
    expect(isZeroRate(rate('0.001'))).toBe(false);
    for (const s of ['0.12', '0.0005', '1.5', '10', '0.000000000001', '123.456']) {
      expect(parseRate(rateToString(parseRate(s, 'r')), 'r')).toEqual(parseRate(s, 'r'));
    }
  });
});

describe('mulDivHalfUp', () => {
  it('rounds exact halves up', () => {
    expect(mulDivHalfUp(5, 1, 10)).toBe(1); // 0.5
    expect(mulDivHalfUp(15, 1, 10)).toBe(2); // 1.5
    expect(mulDivHalfUp(25, 1, 10)).toBe(3); // 2.5 (not banker's rounding to 2)
    expect(mulDivHalfUp(3, 1, 2)).toBe(2); // 1.5
    expect(mulDivHalfUp(7, 1, 2)).toBe(4); // 3.5
    expect(mulDivHalfUp(12350, 12, 1200)).toBe(124); // 123.5
  });

  it('rounds just below and above a half correctly', () => {
    expect(mulDivHalfUp(4, 1, 10)).toBe(0); // 0.4
    expect(mulDivHalfUp(6, 1, 10)).toBe(1); // 0.6
    expect(mulDivHalfUp(499, 1, 1000)).toBe(0); // 0.499
    expect(mulDivHalfUp(501, 1, 1000)).toBe(1); // 0.501
    expect(mulDivHalfUp(1, 1, 3)).toBe(0); // 0.333
    expect(mulDivHalfUp(2, 1, 3)).toBe(1); // 0.667
    expect(mulDivHalfUp(1000000, 1, 3)).toBe(333333);
    expect(mulDivHalfUp(2000000, 1, 3)).toBe(666667);
    expect(mulDivHalfUp(0, 123, 7)).toBe(0);
  });

  it('is exact where the double product would not be', () => {
    // 79637 × 0.0005 = 39.8185
    expect(mulDivHalfUp(79637, 5, 10000)).toBe(40);
    // 50 × 0.29 is 14.499999999999998 in doubles; exactly 14.5 → 15
    expect(Math.round(50 * 0.29)).toBe(14);
    expect(mulDivHalfUp(50, 29, 100)).toBe(15);
  });

  it('switches to BigInt when a*b is beyond 2^53, still exact', () => {
    // 2^40 × 2^20 / 2^30 = 2^30
    expect(mulDivHalfUp(2 ** 40, 2 ** 20, 2 ** 30)).toBe(2 ** 30);
    const max = Number.MAX_SAFE_INTEGER; // 9007199254740991
    // 3·max/6 = max/2 = 4503599627370495.5 → ...496
    expect(mulDivHalfUp(max, 3, 6)).toBe(4503599627370496);
    // max/2 on the fast path's edge: max + c is no longer safe, the BigInt path decides
    expect(mulDivHalfUp(max, 1, 2)).toBe(4503599627370496);
    expect(mulDivHalfUp(max, 1, 3)).toBe(3002399751580330); // .333
    expect(mulDivHalfUp(max - 1, 1, 3)).toBe(3002399751580330); // ...990/3 exactly
    expect(mulDivHalfUp(123456789123, 987654321, 1000000007)).toBe(Number(oracle(123456789123n, 987654321n, 1000000007n)));
    // one above a half, one below, at 10^17
    expect(mulDivHalfUp(10 ** 9, 10 ** 8 + 5, 1000)).toBe(Number(oracle(10n ** 9n, 10n ** 8n + 5n, 1000n)));
    // (10^9 + 5)·10^8 / 10^9 = 10^8 + 0.5 exactly → 10^8 + 1;  (10^9 + 4)·10^8 / 10^9 = 10^8 + 0.4 → 10^8
    expect(mulDivHalfUp(10 ** 9 + 5, 10 ** 8, 10 ** 9)).toBe(10 ** 8 + 1);
    expect(mulDivHalfUp(10 ** 9 + 4, 10 ** 8, 10 ** 9)).toBe(10 ** 8);
    expect(mulDivHalfUp(3 * 10 ** 8, 3 * 10 ** 8 + 1, 2 * 10 ** 8)).toBe(Number(oracle(3n * 10n ** 8n, 3n * 10n ** 8n + 1n, 2n * 10n ** 8n)));
  });

  it('agrees with the BigInt oracle on a grid around halves', () => {
    for (const c of [2, 3, 7, 10, 365, 10000, 1e12]) {
      for (let a = 0; a < 400; a++) {
        for (const b of [1, 3, 5, 29, 10 ** 6 + 1]) {
          const got = mulDivHalfUp(a, b, c);
          const want = Number(oracle(BigInt(a), BigInt(b), BigInt(c)));
          if (got !== want) throw new Error(`mulDivHalfUp(${a}, ${b}, ${c}) = ${got}, want ${want}`);
        }
      }
    }
  });

  it('rounds negatives half away from zero', () => {
    expect(mulDivHalfUp(-5, 1, 10)).toBe(-1);
    expect(mulDivHalfUp(-4, 1, 10)).toBe(0);
    expect(mulDivHalfUp(5, -1, 10)).toBe(-1);
    expect(mulDivHalfUp(-5, -1, 10)).toBe(1);
  });

  it('rejects a non-positive divisor and results beyond safe integers', () => {
    expect(() => mulDivHalfUp(1, 1, 0)).toThrow(RangeError);
    expect(() => mulDivHalfUp(1, 1, -2)).toThrow(RangeError);
    expect(() => mulDivHalfUp(Number.MAX_SAFE_INTEGER, 4, 1)).toThrow(RangeError);
  });
});

describe('mulDivFloor', () => {
  it('floors exactly, on both paths', () => {
    expect(mulDivFloor(7, 1, 2)).toBe(3);
    expect(mulDivFloor(9, 1, 10)).toBe(0);
    expect(mulDivFloor(10, 1, 10)).toBe(1);
    expect(mulDivFloor(80, 79637, 160071)).toBe(39); // 39.80
    expect(mulDivFloor(80, 80434, 160071)).toBe(40); // 40.20
    expect(mulDivFloor(Number.MAX_SAFE_INTEGER, 3, 3)).toBe(Number.MAX_SAFE_INTEGER);
    expect(mulDivFloor(Number.MAX_SAFE_INTEGER, 3, 6)).toBe(4503599627370495);
    expect(mulDivFloor(10 ** 9, 10 ** 9 - 1, 10 ** 9)).toBe(10 ** 9 - 1);
  });

  it('rejects bad operands', () => {
    expect(() => mulDivFloor(1, 1, 0)).toThrow(RangeError);
    expect(() => mulDivFloor(-1, 1, 1)).toThrow(RangeError);
  });
});

describe('applyRate', () => {
  it('is amount × rate rounded half-up once', () => {
    expect(applyRate(88849, rate(0.05))).toBe(4442); // 4442.45
    expect(applyRate(79637, rate(0.0005))).toBe(40); // 39.8185
    expect(applyRate(160071, rate(0.0005))).toBe(80); // 80.0355
    expect(applyRate(1000, rate('1.005'))).toBe(1005); // 1000 × 1.005 is 1004.9999999999999 in doubles
    expect(applyRate(1000, rate(0.0005))).toBe(1); // 0.5 → 1
    expect(applyRate(999, rate(0.0005))).toBe(0); // 0.4995 → 0
    expect(applyRate(0, rate(0.12))).toBe(0);
  });

  it('scales by num/den (day fractions)', () => {
    // 1000000 × 0.12 × 31/365 = 10191.78
    expect(applyRate(1000000, rate(0.12), 31, 365)).toBe(10192);
    // 1000000 × 0.12 / 12 = 10000
    expect(applyRate(1000000, rate(0.12), 1, 12)).toBe(10000);
    // 921151 × 0.12 / 12 = 9211.51
    expect(applyRate(921151, rate(0.12), 1, 12)).toBe(9212);
    // 12350 × 0.12 / 12 = 123.5
    expect(applyRate(12350, rate(0.12), 1, 12)).toBe(124);
    // 1000000 × 0.24 × 1/365 = 657.53
    expect(applyRate(1000000, rate(0.24), 1, 365)).toBe(658);
  });

  it('is exact when amount × rate × num overflows doubles', () => {
    const amount = 9_000_000_000_000;
    const r = rate('0.123456789012');
    const want = oracle(BigInt(amount) * 123456789012n, 31n, 10n ** 12n * 365n);
    expect(applyRate(amount, r, 31, 365)).toBe(Number(want));
    // the plain product path agrees with the oracle as well
    expect(applyRate(amount, r)).toBe(Number(oracle(BigInt(amount), 123456789012n, 10n ** 12n)));
  });

  it('rounds negative amounts half away from zero on every path', () => {
    expect(applyRate(-5, rate(0.1))).toBe(-1); // -0.5
    expect(applyRate(-15, rate(0.1), 1, 3)).toBe(-1); // -0.5
    expect(applyRate(-9_000_000_000_000, rate('0.123456789012'), 1, 2)).toBe(-applyRate(9_000_000_000_000, rate('0.123456789012'), 1, 2));
  });
});

describe('applyRateFloor', () => {
  it('rounds down, for limits', () => {
    // 1000000 × 0.24 / 365 = 657.53 → 657 (half-up would give 658, above the limit)
    expect(applyRateFloor(1000000, rate(0.24), 1, 365)).toBe(657);
    expect(applyRateFloor(1000000, rate(0.24), 365, 365)).toBe(240000);
    expect(applyRateFloor(0, rate(0.24), 10, 365)).toBe(0);
    expect(applyRateFloor(9_000_000_000_000, rate('0.123456789012'), 400, 365)).toBe(
      Number((9_000_000_000_000n * 123456789012n * 400n) / (10n ** 12n * 365n)),
    );
    expect(() => applyRateFloor(-1, rate(0.1))).toThrow(RangeError);
  });
});

describe('roundHalfUpFloat', () => {
  it('strips binary noise before deciding the half', () => {
    expect(roundHalfUpFloat(44.424999999999997)).toBe(44);
    expect(roundHalfUpFloat(2.5)).toBe(3);
    expect(roundHalfUpFloat(2.4999999999999996)).toBe(3); // noise under an exact half
    expect(roundHalfUpFloat(88848.7886783417)).toBe(88849);
    expect(roundHalfUpFloat(0)).toBe(0);
    expect(roundHalfUpFloat(-2.5)).toBe(-3);
  });

  it('never loses whole units on large amounts', () => {
    // toPrecision(12) used to keep 12 digits only: 12345678901.45 → 12345678901.5 → …902
    expect(roundHalfUpFloat(12345678901.45)).toBe(12345678901);
    // and 1234567890123.4 → 1234567890120
    expect(roundHalfUpFloat(1234567890123.4)).toBe(1234567890123);
    expect(roundHalfUpFloat(8884878867834.17)).toBe(8884878867834);
  });
});
