/**
 * The compliance gate's vocabulary: what is asked (an attempt request), what the gate knows (the
 * context: history, holds, opt-outs, flags, rule packs), and what it answers (a decision).
 * Plain data only; rules.ts implements the rule kinds, gate.ts combines them.
 */
import type { BusinessDate } from '../core/index.js';
import type { Channel, PartyKind } from '../contact/index.js';
import type { MessageTemplate, TemplateRule } from './templates.js';

export const PURPOSES = [
  'collect', 'location', 'message', 'validation_notice', 'cease_confirmation', 'opt_out_confirmation', 'legal_action',
] as const;
/**
 * Why the contact is made: `collect` (about the debt), `location` (asking a third party where the
 * consumer is), `message` (asking a contact person to pass on a call-back request), the US
 * `validation_notice`, `cease_confirmation` (saying collection efforts end / a specific remedy),
 * `opt_out_confirmation` (the single message confirming an e-mail/SMS opt-out, Reg F 1006.6(e)),
 * and `legal_action` (bringing a legal action, or a communication that threatens one: a suit, a
 * letter before action).
 */
export type Purpose = (typeof PURPOSES)[number];

export const CONTACT_POINT_KINDS = ['phone', 'email', 'address'] as const;
export type ContactPointKind = (typeof CONTACT_POINT_KINDS)[number];

/**
 * Outcomes the gate counts: the contact outcomes plus the ones only a dialer or a message channel
 * reports (`not_in_service`; `abandoned`: the call was answered but the dialer dropped it or played
 * silence because no agent was free; `sent` / `failed` for SMS, e-mail and letters), and `pending`: an
 * attempt the gate allowed whose outcome is not known yet. A pending attempt counts toward every
 * cap whatever outcomes the cap lists (it may turn out to be any of them), and starts no cooldown.
 */
export const GATE_OUTCOMES = [
  'no_answer', 'busy', 'voicemail', 'wrong_number', 'conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship',
  'not_in_service', 'abandoned', 'sent', 'failed', 'pending',
  // connected calls that are not conversations (src/contact/outcomes.ts): someone answered but was not verified; notices received
  'reached_person', 'refused_contact', 'deceased', 'bankrupt', 'attorney',
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
    /**
     * a workplace number or address; for an e-mail address: one the consumer's employer provided
     * (or the collector should know it did, e.g. the employer's domain), Reg F 1006.22(f)(3)
     */
    workplace?: boolean;
    /**
     * phones: the debtor's residence, cell, or a number the debtor gave as personal (940 CMR
     * 7.04(1)(f)); omitted: personal unless `workplace`
     */
    personal?: boolean;
  };
  channel: Channel;
  purpose: Purpose;
  /** the instant of the attempt, ISO 8601 with `Z` or an offset */
  at: string;
  /**
   * calls: placed with a guaranteed live agent (manual or preview dialling: an agent is on the
   * line before the call connects), so it cannot be abandoned (Ofcom: redial after an abandoned call)
   */
  liveAgent?: boolean;
  /** messages (SMS, e-mail, letter, a scripted call): the template used; the pack's `template` rules check it */
  template?: MessageTemplate;
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
  /**
   * the contact point was personal (see `AttemptRequest.contactPoint.personal`); omitted: personal,
   * unless it is the request's own contact point, which then decides (`isPersonal`)
   */
  personal?: boolean;
}

/** A contact point is personal unless flagged `personal: false` or, without that flag, `workplace`. */
export function isPersonal(cp: { personal?: boolean; workplace?: boolean }): boolean {
  return cp.personal ?? !cp.workplace;
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
  /**
   * ISO instant the opt-out was received; omitted: in force since ever. It binds from that instant,
   * and the one confirmation it allows counts confirmations sent from then on.
   */
  at?: string;
}

/**
 * A time the consumer said is inconvenient (Reg F 1006.6(b)(1)(i), CONC 7.9.4R): local time in every
 * zone of the party, `from` inclusive to `to` exclusive (`HH:MM`, `24:00` allowed); `to` earlier
 * than `from` runs overnight into the next day (22:00–10:00 for a night worker).
 */
export interface InconvenientTime {
  from: string;
  to: string;
  /** the channels it binds; omitted: every channel */
  channels?: readonly Channel[];
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which the range starts; omitted: every day */
  weekdays?: readonly number[];
}

/**
 * A medium or place the consumer said not to use (Reg F 1006.14(h), 1006.6(b)(1)): a whole channel
 * (`{ channel: 'call' }`: no calls at all), a contact point on every channel (`{ contactPoint:
 * 'pat@work.example' }`), or a channel at one contact point. At least one of the two is given.
 */
export interface InconvenientMedium {
  channel?: Channel;
  /** the number or address (compared case-insensitively, trimmed) */
  contactPoint?: string;
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
  /**
   * contact points (e-mail addresses, numbers) the consumer gave direct prior consent to use or
   * wrote from (Reg F 1006.22(f)(3)); an inbound (`consumerInitiated`) e-mail from the address in
   * the history counts too
   */
  consentedContactPoints?: readonly string[];
  /** times the consumer designated as inconvenient */
  inconvenientTimes?: readonly InconvenientTime[];
  /** media and places (contact points) the consumer said not to use */
  inconvenientMedia?: readonly InconvenientMedium[];
  /**
   * the debt is time-barred (statute of limitations expired) from this ISO instant, or from the
   * start of this date (`YYYY-MM-DD`, the earliest local midnight among the party's zones)
   */
  timeBarredSince?: string;
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
  /**
   * which contact points the cap is about: `any`; `personal` (the debtor's residence, cell or
   * personal number) or `other` (e.g. work): the cap applies only to an attempt at such a contact
   * point and counts only attempts at such contact points
   */
  contactPoints: ContactPointFilter;
}

export const CONTACT_POINT_FILTERS = ['any', 'personal', 'other'] as const;
export type ContactPointFilter = (typeof CONTACT_POINT_FILTERS)[number];

export interface OutcomeCooldownParams {
  /** the outcomes that start the cooldown */
  outcomes: GateOutcome[];
  /** its length, rolling hours from the attempt */
  hours: number;
  scope: Scope;
  channels: Channel[] | null;
  /** an attempt with `liveAgent` is not blocked */
  liveAgentExempts: boolean;
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
  /** messages with purpose `opt_out_confirmation` still allowed after each opt-out */
  confirmations: number;
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
  /** `employer_forbids`: only when the context's `workplaceForbidden`; `always` */
  condition: 'employer_forbids' | 'always';
  /** the consumer's consent to, or an inbound message from, that contact point lifts the rule */
  consentLifts: boolean;
}

export interface InconvenientTimesParams {
  /** the request channels the rule checks (null: every channel) */
  channels: Channel[] | null;
}

export interface InconvenientMediaParams {
  channels: Channel[] | null;
}

export interface TimeBarredParams {
  /** purposes barred once the debt is time-barred */
  purposes: Purpose[];
}

export interface FieldVisitParams {
  minCollectors: number;
  recording: boolean;
  noticeRequired: boolean;
  noVulnerable: boolean;
}

export const TEMPLATE_CHECKS = ['audience', 'threatening-wording', 'third-party-disclosure', 'amount-to-third-party'] as const;
export type TemplateCheck = (typeof TEMPLATE_CHECKS)[number];

export interface TemplateParams {
  /** `audience`: a borrower template never goes to a third party; the others are the template checks of templates.ts */
  checks: TemplateCheck[];
  /** the party kinds who are third parties (they get `third_party` templates) */
  thirdPartyKinds: PartyKind[];
}

/** A template check that is one of templates.ts's rules (all but `audience`). */
export function isTemplateRule(c: TemplateCheck): c is TemplateRule {
  return c !== 'audience';
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
  | { kind: 'field-visit'; params: FieldVisitParams }
  | { kind: 'template'; params: TemplateParams }
  | { kind: 'outcome-cooldown'; params: OutcomeCooldownParams }
  | { kind: 'inconvenient-times'; params: InconvenientTimesParams }
  | { kind: 'inconvenient-media'; params: InconvenientMediaParams }
  | { kind: 'time-barred'; params: TimeBarredParams };

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
