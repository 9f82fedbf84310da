/**
 * Simulated outcomes of collection work: what a call or a visit to a borrower leads to, drawn from
 * a seeded Rng and weighted by the borrower's simulated behaviour (src/sim/behaviour.ts): a prompt
 * payer answers more often and promises readily; a defaulter rarely answers and often refuses.
 * A promise is, where the simulator will have the borrower pay within the next days anyway, that
 * payment (amount and date): so promises are roughly kept as the payments come in; a promise
 * without such a payment behind it is one the borrower will break. Pure.
 */
import { addDays, type BusinessDate, type Minor } from '../core/index.js';
import type { Outcome } from '../contact/index.js';
import type { Archetype } from './behaviour.js';
import { hashString, mixSeeds, Rng, seedWord } from './rng.js';

/** What the simulation knows about a borrower when an agent calls. */
export interface BorrowerOutlook {
  archetype: Archetype;
  /** the simulator's next payment of the account after the call's date, if any */
  nextPayment: { date: BusinessDate; amount: Minor } | null;
  /** the overdue amount (minor units) as of the last close */
  overdue: Minor;
  /** what the account owes (account_state.total) as of the last close: a promise never exceeds it (promiseProblem); omitted: no cap */
  owed?: Minor;
}

export interface CallDraw {
  outcome: Outcome;
  /** minutes the call takes, dialling to wrap-up */
  minutes: number;
  /** with outcome `promise` */
  promise: { amount: Minor; due: BusinessDate } | null;
}

/** Chance the borrower answers, per archetype. */
const ANSWER: Readonly<Record<Archetype, number>> = {
  prompt: 0.6, 'late-payer': 0.5, partial: 0.45, 'defaulter-cures': 0.4, defaulter: 0.25,
};
/** Chance a reached borrower promises (when a payment is coming anyway: doubled, capped at 0.9). */
const PROMISE: Readonly<Record<Archetype, number>> = {
  prompt: 0.45, 'late-payer': 0.4, partial: 0.35, 'defaulter-cures': 0.35, defaulter: 0.1,
};
const REFUSE: Readonly<Record<Archetype, number>> = {
  prompt: 0.05, 'late-payer': 0.1, partial: 0.15, 'defaulter-cures': 0.15, defaulter: 0.4,
};

/** Days ahead a coming payment makes a promise the borrower keeps. */
export const PROMISE_HORIZON_DAYS = 10;

/** A seeded Rng for one piece of simulated work: the demo seed and any labels (date, account, agent, n). */
export function workRng(seed: number, ...labels: readonly (string | number)[]): Rng {
  return new Rng(mixSeeds(seedWord(seed), hashString(labels.join('|'))));
}

function coming(o: BorrowerOutlook, date: BusinessDate): { date: BusinessDate; amount: Minor } | null {
  const p = o.nextPayment;
  return p !== null && p.date >= date && p.date <= addDays(date, PROMISE_HORIZON_DAYS) ? p : null;
}

/** A promise: the coming payment when there is one; else (one to be broken) the overdue amount within a week. */
function promiseFor(rng: Rng, o: BorrowerOutlook, date: BusinessDate): { amount: Minor; due: BusinessDate } | null {
  const p = coming(o, date);
  // a promise never exceeds what is owed (the rule every door applies); due within PROMISE_HORIZON_DAYS / a week, well inside PROMISE_MAX_DAYS
  const cap = (amount: Minor): Minor => (o.owed === undefined ? amount : Math.min(amount, o.owed));
  if (p !== null) return o.owed !== undefined && o.owed <= 0 ? null : { amount: cap(p.amount), due: p.date };
  if (o.overdue <= 0) return null;
  const amount = cap(Math.max(1, Math.round(o.overdue * rng.float(0.3, 1))));
  return amount > 0 ? { amount, due: addDays(date, rng.int(2, 7)) } : null;
}

/** The outcome of one call to the borrower on `date`. */
export function drawCallOutcome(rng: Rng, o: BorrowerOutlook, date: BusinessDate): CallDraw {
  const u = rng.next();
  if (u < 0.025) return { outcome: 'wrong_number', minutes: 1, promise: null };
  if (rng.next() >= ANSWER[o.archetype]) {
    const kind = rng.weighted([['no_answer', 0.6], ['voicemail', 0.3], ['busy', 0.1]] as const);
    return { outcome: kind, minutes: kind === 'voicemail' ? 2 : 1, promise: null };
  }
  if (rng.chance(0.08)) return { outcome: 'reached_person', minutes: 2, promise: null };
  if (rng.chance(0.006)) return { outcome: 'refused_contact', minutes: 3, promise: null };
  const minutes = rng.int(4, 12);
  const payer = coming(o, date) !== null;
  const pPromise = Math.min(0.9, PROMISE[o.archetype] * (payer ? 2 : 1));
  const x = rng.next();
  if (x < pPromise) {
    const promise = promiseFor(rng, o, date);
    if (promise !== null) return { outcome: 'promise', minutes, promise };
    return { outcome: 'conversation', minutes, promise: null };
  }
  if (x < pPromise + REFUSE[o.archetype]) return { outcome: 'refused_to_pay', minutes, promise: null };
  if (x < pPromise + REFUSE[o.archetype] + 0.04) return { outcome: 'hardship', minutes, promise: null };
  if (x < pPromise + REFUSE[o.archetype] + 0.06) return { outcome: 'dispute', minutes, promise: null };
  return { outcome: 'conversation', minutes, promise: null };
}

/**
 * The outcome of a call to someone other than the borrower (a reference, the employer): they are
 * asked to pass on a message, never told about the debt; now and then one asks never to be called again.
 */
export function drawThirdPartyOutcome(rng: Rng): CallDraw {
  const kind = rng.weighted([['no_answer', 0.35], ['voicemail', 0.12], ['reached_person', 0.3], ['refused_contact', 0.18], ['wrong_number', 0.05]] as const);
  return { outcome: kind, minutes: kind === 'reached_person' || kind === 'refused_contact' ? 3 : 1, promise: null };
}

export type VisitDrawOutcome = 'promise' | 'paid' | 'refused_to_pay' | 'dispute' | 'hardship' | 'message_left' | 'not_home' | 'moved' | 'wrong_address' | 'other';

export interface VisitDraw {
  met: 'borrower' | 'relative' | 'nobody';
  outcome: VisitDrawOutcome;
  promise: { amount: Minor; date: BusinessDate } | null;
  /** the contact outcome the visit counts as for the gate and the strategy */
  contactOutcome: Outcome;
}

/** The outcome of one field visit to the borrower's address on `date`. */
export function drawVisitOutcome(rng: Rng, o: BorrowerOutlook, date: BusinessDate): VisitDraw {
  const u = rng.next();
  if (u < 0.04) return { met: 'nobody', outcome: rng.chance(0.5) ? 'moved' : 'wrong_address', promise: null, contactOutcome: 'wrong_number' };
  const home = rng.next() < Math.min(0.85, ANSWER[o.archetype] + 0.2);
  if (!home) return { met: 'nobody', outcome: 'not_home', promise: null, contactOutcome: 'no_answer' };
  if (rng.chance(0.2)) return { met: 'relative', outcome: 'message_left', promise: null, contactOutcome: 'reached_person' };
  const payer = coming(o, date) !== null;
  const x = rng.next();
  const pPromise = Math.min(0.9, PROMISE[o.archetype] * (payer ? 2 : 1.2));
  if (x < pPromise) {
    const p = promiseFor(rng, o, date);
    if (p !== null) return { met: 'borrower', outcome: 'promise', promise: { amount: p.amount, date: p.due }, contactOutcome: 'promise' };
  }
  if (x < pPromise + REFUSE[o.archetype]) return { met: 'borrower', outcome: 'refused_to_pay', promise: null, contactOutcome: 'refused_to_pay' };
  if (x < pPromise + REFUSE[o.archetype] + 0.06) return { met: 'borrower', outcome: 'hardship', promise: null, contactOutcome: 'hardship' };
  if (x < pPromise + REFUSE[o.archetype] + 0.09) return { met: 'borrower', outcome: 'dispute', promise: null, contactOutcome: 'dispute' };
  return { met: 'borrower', outcome: 'other', promise: null, contactOutcome: 'conversation' };
}
