/**
 * The people on an account besides the borrower record: co-borrowers, guarantors, references
 * (family, friends, colleagues) and the employer, each with contact points. Pure: validation and
 * the small rules about contact points (a wrong number is retired for that party).
 */
import { isRecord, ValidationError } from '../core/index.js';
import { isE164, isEmail, isLanguageTag, isValidTimeZone, LANGUAGE_TAG_RULE, type Address } from './party.js';
import { PARTY_KINDS, type PartyKind } from './outcomes.js';

export const RELATIONS = ['spouse', 'parent', 'sibling', 'child', 'relative', 'friend', 'colleague', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

export const PHONE_TYPES = ['mobile', 'home', 'work'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

export interface PhonePoint {
  number: string;
  type: PhoneType;
  /** the person consented to calls/texts at this number */
  consent: boolean;
  /** retired after a wrong-number outcome (ISO instant); null: in use */
  retiredAt: string | null;
}

/** A person on an account other than the borrower record (who is party kind `borrower`). */
export interface Party {
  id: string;
  accountId: string;
  kind: Exclude<PartyKind, 'borrower'>;
  /** references only */
  relation: Relation | null;
  name: string;
  /** IANA zone; null: unknown (the numbers' zones still count) */
  timezone: string | null;
  languages: string[];
  phones: PhonePoint[];
  emails: string[];
  addresses: Address[];
  /** the employer forbids contact at work (employer parties) */
  forbidsCalls: boolean;
}

export const PARTY_FIELDS = ['id', 'accountId', 'kind', 'relation', 'name', 'timezone', 'languages', 'phones', 'emails', 'addresses', 'forbidsCalls'] as const;
const ADDRESS_KINDS = ['residential', 'id-card', 'work', 'mailing'] as const;

function oneOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ValidationError(field, `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(field, `is required (a non-empty string), got ${JSON.stringify(v)}`);
  return v;
}

function list(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ValidationError(field, 'must be a list');
  return v;
}

/** A phone as `"+1…"` (mobile, consent unknown = false) or `{ number, type?, consent? }`. */
function parsePhone(v: unknown, field: string): PhonePoint {
  const raw = typeof v === 'string' ? { number: v } : v;
  if (!isRecord(raw)) throw new ValidationError(field, 'must be an E.164 number or { number, type, consent }');
  for (const k of Object.keys(raw)) if (!['number', 'type', 'consent', 'retiredAt'].includes(k)) throw new ValidationError(`${field}.${k}`, 'is not a known field (known: number, type, consent)');
  if (typeof raw.number !== 'string' || !isE164(raw.number)) throw new ValidationError(`${field}.number`, `must be an E.164 number such as +12125550100, got ${JSON.stringify(raw.number)}`);
  if (raw.consent !== undefined && typeof raw.consent !== 'boolean') throw new ValidationError(`${field}.consent`, 'must be true or false');
  const retiredAt = raw.retiredAt === undefined || raw.retiredAt === null ? null : text(raw.retiredAt, `${field}.retiredAt`);
  return { number: raw.number, type: raw.type === undefined ? 'mobile' : oneOf(raw.type, PHONE_TYPES, `${field}.type`), consent: raw.consent === true, retiredAt };
}

/** Validates a party; every error names the field (prefixed with `field`) and the rule. */
export function parseParty(raw: unknown, field = 'party'): Party {
  const f = (k: string): string => `${field}.${k}`;
  if (!isRecord(raw)) throw new ValidationError(field, 'must be a mapping { id, accountId, kind, name, … }');
  for (const k of Object.keys(raw)) if (!(PARTY_FIELDS as readonly string[]).includes(k)) throw new ValidationError(f(k), `is not a known field (known: ${PARTY_FIELDS.join(', ')})`);
  const kinds = PARTY_KINDS.filter((k) => k !== 'borrower');
  const kind = oneOf(raw.kind, kinds, f('kind'));
  let relation: Relation | null = null;
  if (raw.relation !== undefined && raw.relation !== null) {
    if (kind !== 'reference') throw new ValidationError(f('relation'), `is only for references (kind is ${kind})`);
    relation = oneOf(raw.relation, RELATIONS, f('relation'));
  }
  let timezone: string | null = null;
  if (raw.timezone !== undefined && raw.timezone !== null) {
    if (typeof raw.timezone !== 'string' || !isValidTimeZone(raw.timezone)) throw new ValidationError(f('timezone'), `must be an IANA time zone such as Europe/London, got ${JSON.stringify(raw.timezone)}`);
    timezone = raw.timezone;
  }
  const phones = list(raw.phones, f('phones')).map((p, i) => parsePhone(p, `${f('phones')}[${i}]`));
  const seen = new Set<string>();
  for (const [i, p] of phones.entries()) {
    if (seen.has(p.number)) throw new ValidationError(`${f('phones')}[${i}].number`, `repeats ${p.number}`);
    seen.add(p.number);
  }
  const emails = list(raw.emails, f('emails')).map((e, i) => {
    if (typeof e !== 'string' || !isEmail(e)) throw new ValidationError(`${f('emails')}[${i}]`, `must be an e-mail address, got ${JSON.stringify(e)}`);
    return e;
  });
  const addresses = list(raw.addresses, f('addresses')).map((a, i): Address => {
    const af = `${f('addresses')}[${i}]`;
    if (!isRecord(a)) throw new ValidationError(af, 'must be a mapping { kind, line, country? }');
    const out: Address = { kind: oneOf(a.kind, ADDRESS_KINDS, `${af}.kind`), line: text(a.line, `${af}.line`) };
    if (a.country !== undefined) {
      if (typeof a.country !== 'string' || !/^[A-Z]{2}$/.test(a.country)) throw new ValidationError(`${af}.country`, 'must be an ISO 3166-1 alpha-2 code');
      out.country = a.country;
    }
    return out;
  });
  const languages = list(raw.languages, f('languages')).map((l, i) => {
    if (typeof l !== 'string' || !isLanguageTag(l)) throw new ValidationError(`${f('languages')}[${i}]`, `must be ${LANGUAGE_TAG_RULE}, got ${JSON.stringify(l)}`);
    return l;
  });
  if (raw.forbidsCalls !== undefined && typeof raw.forbidsCalls !== 'boolean') throw new ValidationError(f('forbidsCalls'), 'must be true or false');
  if (raw.forbidsCalls === true && kind !== 'employer') throw new ValidationError(f('forbidsCalls'), `is only for the employer (kind is ${kind})`);
  return {
    id: text(raw.id, f('id')), accountId: text(raw.accountId, f('accountId')), kind, relation, name: text(raw.name, f('name')), timezone,
    languages, phones, emails, addresses, forbidsCalls: raw.forbidsCalls === true,
  };
}

/** The numbers still in use (not retired after a wrong number). */
export function activePhones(p: Pick<Party, 'phones'>): string[] {
  return p.phones.filter((x) => x.retiredAt === null).map((x) => x.number);
}

/** A reference counts as "on file" for the strategy when it has a number still in use. */
export function isReferenceOnFile(p: Pick<Party, 'kind' | 'phones'>): boolean {
  return p.kind === 'reference' && activePhones(p).length > 0;
}

/** The party with `number` retired at `at` (a wrong-number outcome); unchanged when it is not theirs or already retired. */
export function retireNumber(p: Party, number: string, at: string): Party {
  if (!p.phones.some((x) => x.number === number && x.retiredAt === null)) return p;
  return { ...p, phones: p.phones.map((x) => (x.number === number && x.retiredAt === null ? { ...x, retiredAt: at } : x)) };
}
