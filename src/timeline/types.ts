/**
 * A parsed, validated timeline: products, accounts and scripted events to run through the daily
 * cycle from `start` to `until`. Plain data; the runner executes it.
 */
import type { BusinessDate, Minor } from '../core/index.js';
import type { Attempt, Borrower, Channel, PartyKind } from '../contact/index.js';
import type { ActKind, ActSource, InconvenientMedium, InconvenientTime, MessageTemplate, Purpose } from '../compliance/index.js';
import type { Account, BucketDef, Product } from '../ledger/index.js';

export interface Timeline {
  /** the file name the timeline was read from, as given to parseTimeline */
  file: string;
  start: BusinessDate;
  until: BusinessDate;
  /** keyed by the product id used in the file */
  products: Record<string, Product>;
  /** in file order */
  accounts: TimelineAccount[];
  /** sorted by date; events on the same date keep file order */
  events: TimelineEvent[];
  /** null = the ledger's default bucket table */
  buckets: BucketDef[] | null;
  /**
   * The `strategy:` key as written: a strategy name (`default` → `strategies/default.yaml` under
   * the project root) or a path to a YAML file relative to the timeline file; null when absent.
   * `resolveStrategyPath` turns it into a file path.
   */
  strategy: string | null;
  /**
   * The `jurisdiction:` key: rule-pack names (`us-regf` → `rule-packs/us-regf.yaml` under the
   * project root) or paths to pack files relative to the timeline; null when absent. With a
   * jurisdiction every scripted attempt goes through the compliance gate (`resolvePackPaths`).
   */
  jurisdiction: string[] | null;
  /** message templates attempts and the strategy's tasks may name (`template:`), keyed by id; the gate's `template` rules check them */
  templates: Record<string, MessageTemplate>;
  /**
   * The `automate:` key, resolved: the channels whose planned tasks the replay executes (through the
   * gate and the recording channel). Default: every one of AUTOMATED_CHANNELS when the timeline has
   * both a `strategy` and a `jurisdiction`, else none; `automate: false` turns it off.
   */
  automate: AutomatedChannel[];
}

/** Channels of planned tasks a replay can execute by itself (no person needed). */
export const AUTOMATED_CHANNELS = ['sms', 'email', 'letter'] as const;
export type AutomatedChannel = (typeof AUTOMATED_CHANNELS)[number];

export interface TimelineAccount {
  /** `productId` is the product key in `Timeline.products`; `borrowerId` is `borrower.id` */
  account: Account;
  borrower: Borrower;
  /** the other people on file (references, employer, co-borrower, the consumer's attorney) and flags for the borrower */
  parties: TimelineParty[];
  /** what the consumer told us about contacting them, for the gate (static over the timeline) */
  consumer: ConsumerPreferences;
}

/** The consumer's own designations and the debt's limitation status, as the gate's context takes them. */
export interface ConsumerPreferences {
  inconvenientTimes: InconvenientTime[];
  inconvenientMedia: InconvenientMedium[];
  /** e-mail addresses or numbers the consumer consented to or wrote from */
  consentedContactPoints: string[];
  /** the debt is time-barred from the start of this date; null: not time-barred */
  timeBarredSince: BusinessDate | null;
}

/**
 * A person the gate may be asked about. A party with the borrower's id adds flags to the borrower
 * (e.g. `vulnerable`); its zones and numbers come from the borrower.
 */
export interface TimelineParty {
  id: string;
  kind: PartyKind;
  /** IANA zone; null: the borrower's */
  timezone: string | null;
  phones: string[];
  emails: string[];
  vulnerable: boolean;
  /** the consumer's attorney */
  attorney: boolean;
  /** references: how they know the borrower (from the `references:` shorthand); null otherwise */
  relation?: string | null;
  /** the employer forbids contact at work (the `employer:` shorthand) */
  forbidsCalls?: boolean;
}

interface EventBase {
  date: BusinessDate;
  accountId: string;
  /** 1-based line of the event in the file */
  line: number;
  /** 0-based position of the event in the file's `events` list */
  index: number;
}

export interface PaymentEvent extends EventBase {
  kind: 'payment';
  amount: Minor;
  /** idempotency key; `${accountId}:${date}:${index}` when the file gives none */
  key: string;
}

export interface PauseEvent extends EventBase {
  kind: 'pause';
  /** inclusive; ≥ date */
  until: BusinessDate;
  reason: string;
}

/**
 * A contact attempt and its outcome. Written in the file as an `attempt` event, or expanded from an
 * `attempts` event (one per attempt, each with the `line` and `index` of the source event).
 */
export interface AttemptEvent extends EventBase {
  kind: 'attempt';
  /** `attempt.accountId` and `attempt.date` equal the event's `accountId` and `date` */
  attempt: Attempt;
  /** what the compliance gate needs beyond the attempt (used when the timeline has a jurisdiction) */
  gate: AttemptGateFields;
}

/** An attempt's details for the compliance gate. */
export interface AttemptGateFields {
  /** local wall-clock time `HH:MM` of the attempt (defaults filled in: 10:00, or spread over the day by `attempts`) */
  time: string;
  /** the UTC offset written after the time (`Z`, `-05:00`); null: `time` is wall-clock time in the borrower's zone */
  offset: string | null;
  /** the person contacted (a party id); null: the borrower's id for the borrower, `<account>/<party>` otherwise */
  person: string | null;
  /** the number, address or e-mail used; null: the borrower's first phone / e-mail / residential address, or `<person>/<channel>` */
  to: string | null;
  /** why the contact is made; null: `collect` */
  purpose: Purpose | null;
  /** the contact point is at the person's workplace */
  workplace: boolean;
  /** phones: the number is the person's own (residence, cell, given as personal); null: personal unless `workplace` */
  personal: boolean | null;
  /** calls: placed with a guaranteed live agent (no abandoned call possible) */
  liveAgent: boolean;
  /** the id of the message template used (a key of the timeline's `templates`); null: none */
  template: string | null;
  /** who made the attempt (`agent:`): a user id, recorded with the gate decision; null: not named */
  agent: string | null;
  /** the collection agency that made it (`agency:`), recorded with the decision; its attempts count with the lender's; null: the lender */
  agency: string | null;
  /** field visits: the visiting team; null: two collectors with a recording, notice given */
  visit: { collectors: number; recording: boolean; noticeGiven: boolean } | null;
  /**
   * What the gate must answer (`expect:` in the file): `allowed`, `blocked` (by any rule) or the
   * id of the rule that must block it (`us-regf/7-in-7`); null: no expectation. A replay reports
   * every decision that differs; `arrears replay` then exits 1.
   */
  expect: string | null;
}

/**
 * A compliance act (cease request, dispute, attorney, workplace forbids calls, Breathing Space,
 * opt-out, and the acts that lift them), recorded as of its instant. Timelines write it as
 * `{ date, account, flag: <kind>, time?, source?, person?, channel?, to?, variant?, treatmentEnded? }`.
 */
export interface FlagEvent extends EventBase {
  kind: 'flag';
  act: ActKind;
  /** local `HH:MM`; null: 00:00 (the act counts from the start of its day) */
  time: string | null;
  offset: string | null;
  source: ActSource;
  /** the party it concerns; null: the consumer */
  person: string | null;
  channel: Channel | null;
  to: string | null;
  variant: 'standard' | 'mental_health_crisis' | null;
  /** Breathing Space (mental-health crisis): the date treatment ended */
  treatmentEnded: BusinessDate | null;
  note: string | null;
}

/**
 * What the trace of an account must show at the end of a date (`check:` in the file): counts of the
 * day's automated sends by status, and of the promises made so far by state. Absent keys are not checked.
 * `arrears replay` reports every difference (with the line) and exits 1.
 */
export interface CheckEvent extends EventBase {
  kind: 'check';
  expect: TraceExpectation;
}

export interface TraceExpectation {
  /** automated sends of the day that went out */
  sent?: number;
  /** automated sends of the day the gate blocked */
  blocked?: number;
  /** planned sends of the day that had no contact point */
  notSendable?: number;
  /** promises made so far, by state as of the date */
  promises?: { open?: number; kept?: number; broken?: number };
}

export type TimelineEvent = PaymentEvent | PauseEvent | AttemptEvent | FlagEvent | CheckEvent;
export type TimelineEventKind = TimelineEvent['kind'];
