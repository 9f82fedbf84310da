/**
 * Building the gate's question: who is contacted (with every zone their data points to), at which
 * contact point, on which channel, for what. One function for every caller (timelines, the CLI, a
 * dialer), so the defaults are the same everywhere. Pure: the caller looks up the zones.
 */
import type { Address, Channel, PartyKind } from '../contact/index.js';
import type { AttemptRequest, ContactPointKind, PartyFlags, Purpose } from './types.js';
import type { MessageTemplate } from './templates.js';

export const CONTACT_POINT_KIND: Readonly<Record<Channel, ContactPointKind>> = { call: 'phone', sms: 'phone', email: 'email', letter: 'address', visit: 'address' };

/** The person contacted, as far as the gate needs them. */
export interface Contactee {
  id: string;
  kind: PartyKind;
  phones: readonly string[];
  emails: readonly string[];
  addresses: readonly Address[];
  flags: PartyFlags;
  /** every IANA zone the person's data points to (their zone, their numbers' area codes, the number called) */
  zones: readonly string[];
}

/** The attempt, beyond who is contacted. Omitted fields take the defaults below. */
export interface AttemptSpec {
  accountId: string;
  channel: Channel;
  /** ISO instant */
  at: string;
  /** the number, e-mail or address used; default: defaultContactPoint */
  to?: string | null;
  /** default `collect` */
  purpose?: Purpose | null;
  workplace?: boolean;
  /** default: personal unless `workplace` */
  personal?: boolean | null;
  liveAgent?: boolean;
  /** the message template used */
  template?: MessageTemplate | null;
  /** visits; default two collectors with a recording, notice given */
  visit?: { collectors: number; recording: boolean; noticeGiven: boolean } | null;
}

export const DEFAULT_VISIT = { collectors: 2, recording: true, noticeGiven: true } as const;

/**
 * The contact point an attempt uses when none is named: the first phone (call, SMS), the first
 * e-mail, the residential (else the first) address (letter, visit); `PERSON/CHANNEL` when there is none.
 */
export function defaultContactPoint(c: Pick<Contactee, 'id' | 'phones' | 'emails' | 'addresses'>, channel: Channel): string {
  const kind = CONTACT_POINT_KIND[channel];
  const found = kind === 'phone' ? c.phones[0] : kind === 'email' ? c.emails[0] : (c.addresses.find((a) => a.kind === 'residential') ?? c.addresses[0])?.line;
  return found ?? `${c.id}/${channel}`;
}

export function attemptRequest(c: Contactee, spec: AttemptSpec): AttemptRequest {
  const kind = CONTACT_POINT_KIND[spec.channel];
  return {
    accountId: spec.accountId,
    debtId: spec.accountId,
    party: { id: c.id, kind: c.kind, timezones: [...c.zones], flags: c.flags },
    contactPoint: {
      id: spec.to ?? defaultContactPoint(c, spec.channel), kind,
      ...(spec.workplace ? { workplace: true } : {}),
      ...(spec.personal !== undefined && spec.personal !== null ? { personal: spec.personal } : {}),
    },
    channel: spec.channel,
    purpose: spec.purpose ?? 'collect',
    at: spec.at,
    ...(spec.liveAgent ? { liveAgent: true } : {}),
    ...(spec.template ? { template: spec.template } : {}),
    ...(spec.channel === 'visit' ? { visit: spec.visit ?? { ...DEFAULT_VISIT } } : {}),
  };
}
