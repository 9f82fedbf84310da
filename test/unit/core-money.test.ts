import { describe, expect, it } from 'vitest';
import {
  addMinor, assertMinor, currencyDigits, formatMinor, formatMinorGrouped, isCurrency, ValidationError,
} from '../../src/core/index.js';
import { catchError } from '../support/errors.js';


describe('currency digits (ISO 4217)', () => {
  it('knows 0, 2 and 3 digit currencies', () => {
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KRW')).toBe(0);
    expect(currencyDigits('CLP')).toBe(0);
    expect(currencyDigits('VND')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits('BHD')).toBe(3);
    expect(currencyDigits('JOD')).toBe(3);
  });

  it('rejects unknown codes with a ValidationError on "currency"', () => {
    const e = catchError(() => currencyDigits('XYZ')) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.field).toBe('currency');
    expect(e.rule).toContain('"XYZ" is not a supported ISO 4217 code');
    expect(() => currencyDigits('usd')).toThrow(ValidationError);
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency(840)).toBe(false);
    expect(isCurrency(undefined)).toBe(false);
  });
});

describe('formatMinor', () => {
  it('formats 2-digit currencies', () => {
    expect(formatMinor(1000000, 'USD')).toBe('10000.00');
    expect(formatMinor(88849, 'USD')).toBe('888.49');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(50, 'USD')).toBe('0.50');
    expect(formatMinor(0, 'USD')).toBe('0.00');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(-123456, 'EUR')).toBe('-1234.56');
  });

  it('formats 0-digit currencies without a point', () => {
    expect(formatMinor(1234, 'JPY')).toBe('1234');
    expect(formatMinor(0, 'KRW')).toBe('0');
    expect(formatMinor(-7, 'CLP')).toBe('-7');
  });

  it('formats 3-digit currencies', () => {
    expect(formatMinor(1234, 'KWD')).toBe('1.234');
    expect(formatMinor(5, 'BHD')).toBe('0.005');
    expect(formatMinor(0, 'OMR')).toBe('0.000');
    expect(formatMinor(-1234567, 'KWD')).toBe('-1234.567');
  });

  it('handles the largest safe amount', () => {
    expect(formatMinor(Number.MAX_SAFE_INTEGER, 'USD')).toBe('90071992547409.91');
  });

  it('groups thousands for tables', () => {
    expect(formatMinorGrouped(123456789, 'USD')).toBe('1,234,567.89');
    expect(formatMinorGrouped(-123456789, 'USD')).toBe('-1,234,567.89');
    expect(formatMinorGrouped(12345, 'USD')).toBe('123.45');
    expect(formatMinorGrouped(100000, 'USD')).toBe('1,000.00');
    expect(formatMinorGrouped(1234567, 'JPY')).toBe('1,234,567');
    expect(formatMinorGrouped(-123, 'JPY')).toBe('-123');
    expect(formatMinorGrouped(1234567, 'KWD')).toBe('1,234.567');
  });

  it('rejects unknown currencies', () => {
    expect(() => formatMinor(1, 'XXX')).toThrow(ValidationError);
  });
});

describe('assertMinor', () => {
  it('returns whole amounts', () => {
    expect(assertMinor(0, 'amount')).toBe(0);
    expect(assertMinor(88849, 'amount')).toBe(88849);
    expect(assertMinor(Number.MAX_SAFE_INTEGER, 'amount')).toBe(Number.MAX_SAFE_INTEGER);
    expect(assertMinor(-5, 'adjustment', { allowNegative: true })).toBe(-5);
  });

  it.each([
    [1.5, 'must be a whole number of minor units (e.g. cents), got 1.5'],
    ['100', 'must be a whole number of minor units (e.g. cents), got "100"'],
    [Number.NaN, 'must be a whole number of minor units (e.g. cents), got null'],
    [Number.POSITIVE_INFINITY, 'must be a whole number of minor units'],
    [2 ** 53, 'must be a whole number of minor units'],
    [null, 'must be a whole number of minor units (e.g. cents), got null'],
    [undefined, 'must be a whole number of minor units (e.g. cents), got undefined'],
    [-1, 'must not be negative, got -1'],
  ])('rejects %j naming the field', (value, rule) => {
    const e = catchError(() => assertMinor(value, 'accounts[2].principal')) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.field).toBe('accounts[2].principal');
    expect(e.rule.startsWith(rule)).toBe(true);
    expect(e.message.startsWith(`accounts[2].principal: ${rule}`)).toBe(true);
  });

  it('adds a location to the message when given one', () => {
    const e = new ValidationError('principal', 'must not be negative, got -1', 'loans.csv:7');
    expect(e.message).toBe('loans.csv:7: principal: must not be negative, got -1');
    expect(e.where).toBe('loans.csv:7');
  });
});

describe('addMinor', () => {
  it('adds and detects overflow', () => {
    expect(addMinor(1, 2)).toBe(3);
    expect(addMinor(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => addMinor(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
  });
});
