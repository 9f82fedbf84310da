/**
 * The compliance gate's vocabulary: what is asked (an attempt request), what the gate knows (the
 * context: history, holds, opt-outs, flags, rule packs), and what it answers (a decision).
 * Plain data only; rules.ts implements the rule kinds, gate.ts combines them.
 */
import type { BusinessDate } from '../core/index.js';
import type { Channel, PartyKind } from '../contact/index.js';

export const PURPOSES = ['collect', 'location', 'message', 'validation_notice', 'cease_confirmation'] as const;
/**
 * Why the contact is made: `collect` (about the debt), `location` (asking a third party where the
 * consumer is), `message` (asking a contact person to pass on a call-back request), the US
 * `validation_notice`, and `cease_confirmation` (saying collection efforts end / a specific remedy).
 */
export type Purpose = (typeof PURPOSES)[number];

export const CONTACT_POINT_KINDS = ['phone', 'email', 'address'] as const;
export type ContactPointKind = (typeof CONTACT_POINT_KINDS)[number];

/**
 * Outcomes the gate counts: the contact outcomes plus the ones only a dialer or a message channel
 * reports (`not_in_service`; `sent` / `failed` for SMS, e-mail and letters), and `pending`: an
 * attempt the gate allowed whose outcome is not known yet. A pending attempt counts toward every
 * cap whatever outcomes the cap lists (it may turn out to be any of them), and starts no cooldown.
 */
export const GATE_OUTCOMES = [
  'no_answer', 'busy', 'voicemail', 'wrong_number', 'conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship',
  'not_in_service', 'sent', 'failed', 'pending',
] as const;

/** Does a cap that counts `outcomes` count this attempt? Pending attempts always count. */
export function counts(outcomes: readonly GateOutcome[], outcome: GateOutcome): boolean {
  return outcome === 'pending' || outcomes.includes(outcome);
}
export type GateOutcome = (typeof GATE_OUTCOMES)[number];

export interface PartyFlags {
  /** a vulnerable customer (UK CONC 7.9.13: not visited at home) */
  vulnerable?: boolean;
  /** this party is the consumer's attorney (contactable while an attorney hold is in force) */
  attorney?: boolean;
  /** a third party who asked to be contacted again, or whose earlier answer was likely wrong (Reg F 1006.10(c)) */
  invitedContact?: boolean;
}

export interface AttemptRequest {
  accountId: string;
  /** the debt the attempt is about; the account id for now */
  debtId: string;
  party: {
    id: string;
    kind: PartyKind;
    /** every IANA zone the party may be in (address, phone area code); the gate honours all of them */
    timezones: string[];
    flags: PartyFlags;
  };
  contactPoint: {
    /** the phone number, e-mail address or postal address */
    id: string;
    kind: ContactPointKind;
    /** a workplace number or address */
    workplace?: boolean;
  };
  channel: Channel;
  purpose: Purpose;
  /** the instant of the attempt, ISO 8601 with `Z` or an offset */
  at: string;
  /** field visits only: the visiting team */
  visit?: {
    collectors: number;
    recording: boolean;
    /** the customer was told of the visit and its purpose beforehand */
    noticeGiven?: boolean;
  };
}

/** An earlier attempt (any agent, any agency) with its outcome. */
export interface PastAttempt {
  /** ISO instant */
  at: string;
  debtId: string;
  partyId: string;
  contactPointId: string;
  channel: Channel;
  outcome: GateOutcome;
  purpose?: Purpose;
  /** the consumer called in (or wrote) — not an attempt by the collector, but its conversation counts */
  consumerInitiated?: boolean;
  /** placed with the consumer's direct prior consent given within the previous 7 days (Reg F 1006.14(b)(3)(i)) */
  withConsent?: boolean;
}

export const HOLD_KINDS = ['cease', 'dispute', 'attorney', 'breathing_space', 'deceased', 'bankruptcy'] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

export interface Hold {
  kind: HoldKind;
  /** ISO instant the hold starts */
  from: string;
  /**
   * ISO instant it ends; null: until lifted by a recorded act (verification sent, request
   * withdrawn); omitted: the pack's default length applies (e.g. Breathing Space 60 days), else
   * until lifted.
   */
  until?: string | null;
  /** the hold binds only contact with this party; omitted: the whole debt */
  partyId?: string;
  /** Breathing Space: `standard` (60 days) or a `mental_health_crisis` (treatment + 30 days) */
  variant?: 'standard' | 'mental_health_crisis';
  /** mental-health crisis: when treatment ended (null or omitted: still in treatment) */
  treatmentEndedAt?: string | null;
  /** what the hold still allows beyond the pack's defaults */
  allows?: { purposes?: Purpose[]; partyIds?: string[] };
}

export interface OptOut {
  channel: Channel;
  /** the address or number opted out */
  contactPoint: string;
}

export interface GateContext {
  /** this party's and this debt's earlier attempts, across all agents and agencies */
  history: readonly PastAttempt[];
  holds: readonly Hold[];
  optOuts: readonly OptOut[];
  /** the party (a reference, a contact person) refused further contact */
  refusedContact: boolean;
  /** the consumer said the employer forbids contact at work */
  workplaceForbidden: boolean;
  /** the debtor cannot be reached (cn: contact persons may be asked to pass a message) */
  debtorUnreachable?: boolean;
  /** ISO instant until which the consumer's direct prior consent to calls holds */
  consumerConsentUntil?: string;
  /** holidays of the party's calendar */
  holidays: readonly BusinessDate[];
  packs: readonly RulePack[];
}

export interface Decision {
  allowed: boolean;
  /** the blocking rule, e.g. `us-regf/7-in-7`; null when allowed */
  rule: string | null;
  /** a sentence a collector understands */
  reason: string;
  /** the first instant at which the same attempt would be allowed; null when allowed, never, or not computable */
  nextAllowedAt: string | null;
  /** every rule id evaluated */
  checked: string[];
}

/** One rule's answer. */
export interface Verdict {
  allowed: boolean;
  /** values for the pack's reason template (`{max}`, `{next}`, …) */
  vars: Record<string, string | number>;
  /** ms since the epoch; null when never / not computable; ignored when allowed */
  nextAllowedAt: number | null;
}

export const SCOPES = ['party', 'debt', 'contact_point', 'party+debt'] as const;
export type Scope = (typeof SCOPES)[number];

export interface WindowCapParams {
  max: number;
  days: number;
  /** `rolling`: the last days×24 h; `calendar`: today and the days-1 days before, in each of the party's zones */
  window: 'rolling' | 'calendar';
  scope: Scope;
  channels: Channel[] | null;
  outcomes: GateOutcome[];
  /** attempts made with the consumer's direct prior consent neither count nor are capped */
  consentExempts: boolean;
  /** count consumer-initiated contacts too */
  includeInbound: boolean;
}

export interface CooldownParams {
  days: number;
  channels: Channel[] | null;
  outcomes: GateOutcome[];
  scope: Scope;
  consentExempts: boolean;
}

export interface AllowedHoursParams {
  from: string;
  to: string;
  channels: Channel[] | null;
}

export interface ExcludedDaysParams {
  sundays: boolean;
  holidays: boolean;
  channels: Channel[] | null;
}

export interface PartyKindEntry {
  kinds: PartyKind[];
  /** null: any purpose */
  purposes: Purpose[] | null;
  /** at most this many counted contacts with each such person about the debt (null: no cap) */
  maxPerPerson: number | null;
  /** outcomes that count toward maxPerPerson (default: the conversation outcomes) */
  countOutcomes: GateOutcome[];
  onlyWhenDebtorUnreachable: boolean;
  notAfterRefusal: boolean;
}

export interface PartyKindParams {
  allow: PartyKindEntry[];
  /** a party flagged as the consumer's attorney may always be contacted */
  attorneys: boolean;
}

export interface OptOutParams {
  channels: Channel[];
}

export interface HoldParams {
  hold: HoldKind;
  /** purposes still allowed while the hold is in force */
  allowPurposes: Purpose[];
  /** a party flagged as the consumer's attorney may still be contacted */
  allowAttorney: boolean;
  /** length when a hold has no `until` (null: until lifted) */
  defaultDays: number | null;
  /** Breathing Space mental-health crisis: days after treatment ends */
  afterTreatmentDays: number | null;
}

export interface WorkplaceParams {
  channels: Channel[] | null;
}

export interface FieldVisitParams {
  minCollectors: number;
  recording: boolean;
  noticeRequired: boolean;
  noVulnerable: boolean;
}

export type RuleSpec =
  | { kind: 'window-cap'; params: WindowCapParams }
  | { kind: 'conversation-cooldown'; params: CooldownParams }
  | { kind: 'allowed-hours'; params: AllowedHoursParams }
  | { kind: 'excluded-days'; params: ExcludedDaysParams }
  | { kind: 'party-kind'; params: PartyKindParams }
  | { kind: 'opt-out'; params: OptOutParams }
  | { kind: 'hold'; params: HoldParams }
  | { kind: 'workplace'; params: WorkplaceParams }
  | { kind: 'field-visit'; params: FieldVisitParams };

export type RuleKind = RuleSpec['kind'];

export type Rule = RuleSpec & {
  /** `pack/rule`, e.g. `us-regf/7-in-7` */
  id: string;
  /** the regulation and section */
  source: string;
  /** the sentence shown when the rule blocks, with `{placeholders}` */
  reason: string;
};

export interface RulePack {
  /** e.g. `us-regf` */
  id: string;
  title: string;
  description: string | null;
  /** file it was read from */
  file: string;
  rules: Rule[];
}
