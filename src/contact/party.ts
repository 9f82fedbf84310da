/**
 * Parties as far as the foundation needs them: the borrower with contact points and time zone.
 * The full party model (co-borrowers, references, employers, consent) grows here.
 */
import { ValidationError } from '../core/index.js';

export interface Address {
  kind: 'residential' | 'id-card' | 'work' | 'mailing';
  line: string;
  /** optional ISO 3166-1 alpha-2 */
  country?: string;
}

export interface Borrower {
  id: string;
  name: string;
  /** IANA zone, e.g. America/New_York */
  timezone: string;
  phones: string[];
  emails: string[];
  addresses: Address[];
  /** BCP 47 language tags the borrower speaks, preferred first (`en`, `zh-CN`); [] = unknown */
  languages: string[];
}

/** A borrower as written by callers that predate languages (tests, fixtures): languages default to []. */
export type BorrowerInput = Omit<Borrower, 'languages'> & { languages?: string[] };

export const BORROWER_KEYS = ['id', 'name', 'timezone', 'phones', 'emails', 'addresses', 'languages'] as const;
const ADDRESS_KINDS = ['residential', 'id-card', 'work', 'mailing'] as const;
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A BCP 47 language tag as Arrears accepts it: a 2–3 letter language, then subtags (`en`, `zh-CN`, `zh-Hans-CN`). */
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
/** The rule's wording in errors, after "must be". */
export const LANGUAGE_TAG_RULE = 'a language tag such as en or zh-CN';

const zoneCache = new Map<string, boolean>();

/** True for an IANA zone name (Region/City, or UTC). Cached: building the formatter costs ~40 µs. */
export function isValidTimeZone(tz: string): boolean {
  let ok = zoneCache.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = tz.includes('/') || tz === 'UTC';
    } catch {
      ok = false;
    }
    if (zoneCache.size < 10_000) zoneCache.set(tz, ok);
  }
  return ok;
}

export function isE164(s: string): boolean {
  return E164.test(s);
}

export function isEmail(s: string): boolean {
  return EMAIL.test(s);
}

/** True for a language tag as borrowers, parties and agents' skills carry them (`en`, `zh-CN`). */
export function isLanguageTag(s: string): boolean {
  return LANGUAGE_TAG.test(s);
}

/** A borrower with every field present (languages [] when the input has none). */
export function completeBorrower(b: BorrowerInput): Borrower {
  return { ...b, languages: b.languages ?? [] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, field: string, check: (s: string) => boolean, rule: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ValidationError(field, 'must be a list');
  return v.map((x, i) => {
    if (typeof x !== 'string' || !check(x)) throw new ValidationError(`${field}[${i}]`, `${rule}, got ${JSON.stringify(x)}`);
    return x;
  });
}

/** Validates a borrower record; errors name the field with `prefix`. */
export function parseBorrower(raw: unknown, prefix = 'borrower.'): Borrower {
  const f = (k: string): string => `${prefix}${k}`;
  if (!isRecord(raw)) throw new ValidationError(prefix.replace(/\.$/, ''), 'must be a mapping { id, name, timezone, phones, … }');
  for (const k of Object.keys(raw)) {
    if (!(BORROWER_KEYS as readonly string[]).includes(k)) throw new ValidationError(f(k), `is not a known field (known: ${BORROWER_KEYS.join(', ')})`);
  }
  if (typeof raw.id !== 'string' || raw.id.trim() === '') throw new ValidationError(f('id'), 'is required (a non-empty string)');
  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw new ValidationError(f('name'), 'is required (a non-empty string)');
  const timezone = raw.timezone ?? 'UTC';
  if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) {
    throw new ValidationError(f('timezone'), `must be an IANA time zone such as America/New_York, got ${JSON.stringify(timezone)}`);
  }
  const phones = stringList(raw.phones, f('phones'), (s) => E164.test(s), 'must be an E.164 number such as +12125550100');
  const emails = stringList(raw.emails, f('emails'), (s) => EMAIL.test(s), 'must be an e-mail address');
  const languages = stringList(raw.languages, f('languages'), isLanguageTag, `must be ${LANGUAGE_TAG_RULE}`);
  const addresses: Address[] = [];
  if (raw.addresses !== undefined && raw.addresses !== null) {
    if (!Array.isArray(raw.addresses)) throw new ValidationError(f('addresses'), 'must be a list of { kind, line }');
    raw.addresses.forEach((a: unknown, i) => {
      const af = f(`addresses[${i}]`);
      if (!isRecord(a)) throw new ValidationError(af, 'must be a mapping { kind, line, country }');
      if (typeof a.kind !== 'string' || !(ADDRESS_KINDS as readonly string[]).includes(a.kind)) {
        throw new ValidationError(`${af}.kind`, `must be one of ${ADDRESS_KINDS.join(', ')}, got ${JSON.stringify(a.kind)}`);
      }
      if (typeof a.line !== 'string' || a.line.trim() === '') throw new ValidationError(`${af}.line`, 'is required');
      const addr: Address = { kind: a.kind as Address['kind'], line: a.line };
      if (a.country !== undefined) {
        if (typeof a.country !== 'string' || !/^[A-Z]{2}$/.test(a.country)) throw new ValidationError(`${af}.country`, 'must be an ISO 3166-1 alpha-2 code');
        addr.country = a.country;
      }
      addresses.push(addr);
    });
  }
  return { id: raw.id, name: raw.name, timezone, phones, emails, addresses, languages };
}
