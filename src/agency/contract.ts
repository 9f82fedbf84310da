/**
 * Agency contracts: who an agency is, what it is paid per bucket, how long it keeps an account,
 * how many accounts it may hold open at once, and where it may collect. Pure data and validation.
 */
import { isRecord, parseRate, ValidationError, type Rate } from '../core/index.js';

export interface AgencyContract {
  id: string;
  name: string;
  /** commission rate by the bucket the account was in when placed; a bucket not listed is not taken */
  commission: Readonly<Record<string, Rate>>;
  /** calendar days an account stays placed: it is recalled on placedOn + placementDays */
  placementDays: number;
  /** maximum open placements at any time */
  capacity: number;
  /** ISO 3166-1 alpha-2 codes (`US`), subdivisions (`US-MA`) or `*` for anywhere */
  regions: readonly string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REGION = /^(\*|[A-Z]{2}(-[A-Z0-9]{1,3})?)$/;

function wholeNumber(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseRegions(raw: unknown, field = 'regions'): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError(field, 'must be a non-empty list of country codes (US), subdivisions (US-MA) or *');
  const out = raw.map((r: unknown, i) => {
    if (typeof r !== 'string' || !REGION.test(r.trim().toUpperCase())) {
      throw new ValidationError(`${field}[${i}]`, `must be a country code (US), a subdivision (US-MA) or *, got ${JSON.stringify(r)}`);
    }
    return r.trim().toUpperCase();
  });
  return [...new Set(out)];
}

/** Validates a contract from plain data (JSON, YAML, CLI options). Commission rates are decimals in [0, 1]. */
export function parseContract(raw: unknown, field = 'agency'): AgencyContract {
  if (!isRecord(raw)) throw new ValidationError(field, 'must be a mapping { id, name, commission, placementDays, capacity, regions }');
  const { id, name, commission, placementDays, capacity, regions } = raw;
  if (typeof id !== 'string' || !ID.test(id)) throw new ValidationError(`${field}.id`, 'must be 1–64 letters, digits, _ . - (starting with a letter or digit)');
  if (typeof name !== 'string' || name.trim() === '') throw new ValidationError(`${field}.name`, 'must be a non-empty string');
  if (!isRecord(commission) || Object.keys(commission).length === 0) {
    throw new ValidationError(`${field}.commission`, 'must map at least one bucket name to a decimal rate (e.g. { M2: "0.185" })');
  }
  const rates: Record<string, Rate> = {};
  for (const [bucket, r] of Object.entries(commission)) {
    if (bucket.trim() === '') throw new ValidationError(`${field}.commission`, 'bucket names must not be empty');
    rates[bucket] = parseRate(r, `${field}.commission.${bucket}`, { max: 1 });
  }
  return {
    id,
    name: name.trim(),
    commission: rates,
    placementDays: wholeNumber(placementDays, `${field}.placementDays`, 1, 3660),
    capacity: wholeNumber(capacity, `${field}.capacity`, 0, 100_000_000),
    regions: parseRegions(regions, `${field}.regions`),
  };
}

/**
 * Whether a list of regions covers an account's region: `*` covers everything (even an unknown
 * region), a country covers itself and its subdivisions (`US` covers `US-MA`), a subdivision only
 * itself. An account whose region is unknown (null) is covered by `*` only.
 */
export function regionCovers(regions: readonly string[], region: string | null): boolean {
  for (const r of regions) {
    if (r === '*') return true;
    if (region === null) continue;
    if (r === region || region.startsWith(`${r}-`)) return true;
  }
  return false;
}
