/**
 * The people who work accounts: agents, field agents, supervisors and agency agents, with the skills
 * the work queues match tasks against. Pure validation; the store keeps them in table `users`.
 */
import { ValidationError } from '../core/index.js';
import { LANGUAGE_TAG, LANGUAGE_TAG_RULE } from '../contact/party.js';

export const ROLES = ['agent', 'field_agent', 'supervisor', 'agency_agent'] as const;
export type Role = (typeof ROLES)[number];
/** The roles that take call tasks from the work queues. */
export const CALLING_ROLES: readonly Role[] = ['agent', 'agency_agent'];

export interface Skills {
  /** language tags (en, zh-CN); empty: any */
  languages: string[];
  /** rule-pack names the user is trained for (us-regf, uk-conc); empty: any */
  jurisdictions: string[];
  /** buckets the user works (M1, M2); empty: any */
  buckets: string[];
}

export interface User {
  id: string;
  name: string;
  role: Role;
  agencyId: string | null;
  skills: Skills;
  /** queue items per business date */
  capacity: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function stringList(v: unknown, field: string, re: RegExp, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ValidationError(field, `must be a list of ${what}`);
  return v.map((x, i) => {
    if (typeof x !== 'string' || !re.test(x)) throw new ValidationError(`${field}[${i}]`, `must be ${what}, got ${JSON.stringify(x)}`);
    return x;
  });
}

/** Validates a user from untrusted input (CLI flags, JSON). */
export function parseUser(raw: unknown): User {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('user', 'must be an object');
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !ID.test(r.id)) throw new ValidationError('user.id', `must be 1–64 letters, digits, . _ - (starting with a letter or digit), got ${JSON.stringify(r.id)}`);
  if (typeof r.name !== 'string' || r.name.trim() === '') throw new ValidationError('user.name', 'must be a non-empty string');
  if (typeof r.role !== 'string' || !(ROLES as readonly string[]).includes(r.role)) throw new ValidationError('user.role', `must be one of ${ROLES.join(', ')}, got ${JSON.stringify(r.role)}`);
  const role = r.role as Role;
  const agencyId = r.agencyId === undefined || r.agencyId === null ? null : r.agencyId;
  if (agencyId !== null && (typeof agencyId !== 'string' || agencyId === '')) throw new ValidationError('user.agencyId', 'must be an agency id');
  if (role === 'agency_agent' && agencyId === null) throw new ValidationError('user.agencyId', 'is required for an agency_agent');
  if (role !== 'agency_agent' && agencyId !== null) throw new ValidationError('user.agencyId', `only an agency_agent belongs to an agency, got role ${role}`);
  const capacity = r.capacity ?? 0;
  if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity < 0 || capacity > 10_000) throw new ValidationError('user.capacity', `must be a whole number from 0 to 10000 (items per day), got ${JSON.stringify(r.capacity)}`);
  const s = (r.skills ?? {}) as Record<string, unknown>;
  if (typeof s !== 'object' || Array.isArray(s)) throw new ValidationError('user.skills', 'must be an object { languages, jurisdictions, buckets }');
  return {
    id: r.id, name: r.name.trim(), role, agencyId: agencyId as string | null, capacity,
    skills: {
      languages: stringList(s.languages, 'user.skills.languages', LANGUAGE_TAG, LANGUAGE_TAG_RULE),
      jurisdictions: stringList(s.jurisdictions, 'user.skills.jurisdictions', /^[a-z0-9][a-z0-9-]*$/, 'a rule-pack name such as us-regf'),
      buckets: stringList(s.buckets, 'user.skills.buckets', /^[A-Za-z0-9+_-]{1,16}$/, 'a bucket name such as M1'),
    },
  };
}
