/**
 * Contact attempts and their outcomes, as recorded by agents, dialers, channels and timelines.
 * The strategy reads facts built from these; the compliance gate (a later issue) counts them.
 */
import type { BusinessDate, Minor } from '../core/index.js';

export const PARTY_KINDS = ['borrower', 'co_borrower', 'guarantor', 'reference', 'employer'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export const CHANNELS = ['call', 'sms', 'email', 'letter', 'visit'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What happened. `conversation` and the outcomes after it reached a person; `refused_to_pay`,
 * `promise`, `dispute` and `hardship` are conversations with the borrower that ended that way.
 * `not_in_service` (the dialer could not connect to the number), `abandoned` (the dialer connected
 * but no agent was free — a silent or abandoned call) and, for SMS, e-mail and letters, `sent` /
 * `failed` are what channels report; the compliance gate counts them as its packs say.
 */
export const OUTCOMES = [
  'no_answer', 'busy', 'voicemail', 'wrong_number', 'conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship',
  'not_in_service', 'abandoned', 'sent', 'failed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that are a conversation with a person (the "right party" when the party is the borrower). */
export const CONVERSATION_OUTCOMES: ReadonlySet<Outcome> = new Set(['conversation', 'refused_to_pay', 'promise', 'dispute', 'hardship']);

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
