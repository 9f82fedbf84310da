/**
 * Contact attempts and their outcomes, as recorded by agents, dialers, channels and timelines.
 * The strategy reads facts built from these; the compliance gate (a later issue) counts them.
 */
import { ValidationError, type BusinessDate, type Minor } from '../core/index.js';

export const PARTY_KINDS = ['borrower', 'co_borrower', 'guarantor', 'reference', 'employer'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export const CHANNELS = ['call', 'sms', 'email', 'letter', 'visit'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What happened. `conversation` and the outcomes after it reached the party called and verified
 * their identity (a **right-party contact** when the party is the borrower); `refused_to_pay`,
 * `promise`, `dispute` and `hardship` are such conversations that ended that way.
 * `reached_person`: someone answered but their identity was not verified — nothing about the debt
 * may be said; a connected call, not a conversation. Notices received on a connected call:
 * `refused_contact` (the person asks not to be contacted again: a cease for the borrower, a
 * refusal for a third party), `deceased`, `bankrupt`, `attorney` (the borrower is represented);
 * they are connected calls, not conversations, and imply a compliance act (docs/outcomes-and-promises.md).
 * `not_in_service` (the dialer could not connect to the number), `abandoned` (the dialer connected
 * but no agent was free — a silent or abandoned call) and, for SMS, e-mail and letters, `sent` /
 * `failed` are what channels report; the compliance gate counts them as its packs say.
 */
export const OUTCOMES = [
  'no_answer', 'busy', 'voicemail', 'wrong_number', 'conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship',
  'not_in_service', 'abandoned', 'sent', 'failed',
  'reached_person', 'refused_contact', 'deceased', 'bankrupt', 'attorney',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes only the message channels (SMS, e-mail, letter) report: the message went out, or could not. */
export const MESSAGE_OUTCOMES: readonly Outcome[] = ['sent', 'failed'];

/** Outcomes a call (or a visit) can have: every outcome but the message channels' `sent` and `failed`. */
export const CALL_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((o) => !MESSAGE_OUTCOMES.includes(o));

/** The channels whose contacts are messages sent (their outcomes: MESSAGE_OUTCOMES). */
export const MESSAGE_CHANNELS: readonly Channel[] = ['sms', 'email', 'letter'];

/**
 * The outcomes a contact on `channel` can have: `sent` / `failed` for SMS, e-mail and letters; the call
 * outcomes (CALL_OUTCOMES) for calls and visits (a visit's report is recorded as a call outcome).
 */
export function outcomesFor(channel: Channel): readonly Outcome[] {
  return MESSAGE_CHANNELS.includes(channel) ? MESSAGE_OUTCOMES : CALL_OUTCOMES;
}

/** `a call`, `an email`. */
export function channelArticle(channel: Channel): string {
  return channel === 'email' ? 'an' : 'a';
}

/**
 * Throws ValidationError `outcome` unless `outcome` is one a contact on `channel` can have (outcomesFor),
 * listing those. The one check every contact result passes (src/store/outcomes.ts, the dialer's rows).
 */
export function checkOutcomeForChannel(outcome: string, channel: Channel): asserts outcome is Outcome {
  if (!(CHANNELS as readonly string[]).includes(channel)) throw new ValidationError('channel', `must be one of ${CHANNELS.join(', ')}, got ${JSON.stringify(channel)}`);
  const allowed = outcomesFor(channel);
  if (!(allowed as readonly string[]).includes(outcome)) {
    throw new ValidationError('outcome', `must be one of ${allowed.join(', ')} for ${channelArticle(channel)} ${channel}, got ${JSON.stringify(outcome)}`);
  }
}

/**
 * Outcomes that are a conversation with the party called, identity verified (the right party when
 * the party is the borrower). `reached_person` and the notices (`refused_contact`, `deceased`,
 * `bankrupt`, `attorney`) are not: they are connected calls (CONNECTED_OUTCOMES).
 */
export const CONVERSATION_OUTCOMES: ReadonlySet<Outcome> = new Set(['conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship']);

/** A right-party contact: the borrower (or another party called) reached and their identity verified — the conversation outcomes. */
export const RIGHT_PARTY_OUTCOMES: ReadonlySet<Outcome> = CONVERSATION_OUTCOMES;

/** Outcomes where a person answered and spoke (conversations, reached_person and the notices); `abandoned` is not one (nobody spoke to them). */
export const CONNECTED_OUTCOMES: ReadonlySet<Outcome> = new Set([
  ...CONVERSATION_OUTCOMES, 'reached_person', 'refused_contact', 'deceased', 'bankrupt', 'attorney',
] as Outcome[]);

/** Whether an outcome is a right-party contact (identity verified; the debt may be discussed). */
export function isRightPartyContact(o: Outcome): boolean {
  return RIGHT_PARTY_OUTCOMES.has(o);
}

export interface PromiseToPay {
  amount: Minor;
  due: BusinessDate;
}

export interface Attempt {
  accountId: string;
  date: BusinessDate;
  /** local time `HH:MM` at the party, when known */
  time: string | null;
  party: PartyKind;
  channel: Channel;
  outcome: Outcome;
  /** only with outcome `promise` */
  promise: PromiseToPay | null;
}

export function isConversation(o: Outcome): boolean {
  return CONVERSATION_OUTCOMES.has(o);
}
