/**
 * Facts: what a strategy's CEL conditions can see about one account on one business date.
 *
 * `FACTS` is the catalogue (name, CEL type, unit, meaning). It is the single source for the CEL
 * environment (cel.ts), the facts section of docs/strategy.md (docs.ts) and a test that every fact
 * `buildFacts` produces is catalogued with the right type.
 *
 * Facts are plain JS numbers, booleans and strings (JSON-serialisable, so a stage move can record
 * them). CEL `int` facts are whole numbers; the evaluator compiles conditions to JS over these
 * numbers and converts to BigInt only for the rare expression it cannot compile (see cel.ts).
 */
import { toEpochDay } from '../core/index.js';
import type { BusinessDate, Minor } from '../core/index.js';
import { balances, bucketFor, overdueAmount } from '../ledger/index.js';
import type { Account, AccountState, BucketDef } from '../ledger/index.js';
import { CONVERSATION_OUTCOMES } from '../contact/index.js';
import type { Attempt } from '../contact/index.js';

/** "Never": the value of a days-since fact when the thing has not happened. */
export const NEVER_DAYS = 9999;

export type FactType = 'int' | 'double' | 'bool' | 'string';

export interface FactDef {
  /** dotted path as written in CEL, e.g. `contact.borrower.call.attempts7d` */
  readonly name: string;
  readonly type: FactType;
  /** `days`, `minor units`, `count`, `0..1`, or '' */
  readonly unit: string;
  readonly meaning: string;
}

/** Party kinds and channels that have their own contact statistics. */
export const FACT_PARTIES = ['borrower', 'reference', 'employer'] as const;
export type FactParty = (typeof FACT_PARTIES)[number];
export const FACT_CHANNELS = ['call', 'sms'] as const;
export type FactChannel = (typeof FACT_CHANNELS)[number];

export interface ChannelStats {
  attemptsToday: number;
  attempts7d: number;
  attempts30d: number;
  conversations30d: number;
  consecutiveFailedAttempts: number;
  wrongNumbers: number;
}

export interface PartyStats extends ChannelStats {
  daysSinceConversation: number;
  refusals30d: number;
  call: ChannelStats;
  sms: ChannelStats;
}

export interface FlagFacts {
  disputed: boolean;
  cease: boolean;
  deceased: boolean;
  bankrupt: boolean;
  paused: boolean;
}

export interface Facts {
  dpd: number;
  bucket: string;
  stage: string;
  daysInStage: number;
  balance: { principal: Minor; interest: Minor; penalty: Minor; fees: Minor; total: Minor };
  overdue: Minor;
  product: string;
  currency: string;
  daysSinceDisbursement: number;
  nextDueInDays: number;
  contact: {
    daysSinceRightPartyContact: number;
    referencesOnFile: number;
    borrower: PartyStats;
    reference: PartyStats;
    employer: PartyStats;
  };
  promises: { open: number; kept: number; broken: number; brokenPromiseDays: number; openAmount: Minor };
  plan: { active: boolean; hardshipOpen: boolean };
  visits: { done: number; reached: number; failed: number; residentialFailed: number; idCardFailed: number; daysSinceLast: number };
  legal: { reviewDone: boolean; uncollectable: boolean };
  flags: FlagFacts;
  propensity: number;
}

const CHANNEL_STAT_DEFS: readonly [keyof ChannelStats, string][] = [
  ['attemptsToday', 'attempts dated today'],
  ['attempts7d', 'attempts in the 7 days ending today (today and the 6 days before)'],
  ['attempts30d', 'attempts in the 30 days ending today'],
  ['conversations30d', 'conversations (the party reached and their identity verified; not reached_person) in the 30 days ending today'],
  ['consecutiveFailedAttempts', 'attempts since the last conversation (all of them if there was none)'],
  ['wrongNumbers', 'attempts with outcome wrong_number, ever'],
];

function contactDefs(): FactDef[] {
  const out: FactDef[] = [];
  for (const p of FACT_PARTIES) {
    const base = `contact.${p}`;
    for (const [k, m] of CHANNEL_STAT_DEFS) out.push({ name: `${base}.${k}`, type: 'int', unit: 'count', meaning: `${p}, all channels: ${m}` });
    out.push({ name: `${base}.daysSinceConversation`, type: 'int', unit: 'days', meaning: `days since the last conversation with the ${p} (${NEVER_DAYS} if never)` });
    out.push({ name: `${base}.refusals30d`, type: 'int', unit: 'count', meaning: `conversations with the ${p} ending in refused_to_pay in the last 30 days` });
    for (const c of FACT_CHANNELS) {
      for (const [k, m] of CHANNEL_STAT_DEFS) out.push({ name: `${base}.${c}.${k}`, type: 'int', unit: 'count', meaning: `${p}, ${c}: ${m}` });
    }
  }
  return out;
}

/** Every fact, in documentation order. */
export const FACTS: readonly FactDef[] = [
  { name: 'dpd', type: 'int', unit: 'days', meaning: 'days past due of the oldest unpaid instalment (pauses excluded)' },
  { name: 'bucket', type: 'string', unit: '', meaning: 'delinquency bucket name for dpd (the strategy file\'s buckets, else the ledger\'s)' },
  { name: 'stage', type: 'string', unit: '', meaning: 'the stage the account was in before today\'s evaluation ("none" if never evaluated)' },
  { name: 'daysInStage', type: 'int', unit: 'days', meaning: 'days since the account entered `stage` (0 on the day it entered)' },
  { name: 'balance.principal', type: 'int', unit: 'minor units', meaning: 'unpaid principal, due or not' },
  { name: 'balance.interest', type: 'int', unit: 'minor units', meaning: 'unpaid accrued interest' },
  { name: 'balance.penalty', type: 'int', unit: 'minor units', meaning: 'unpaid penalty interest' },
  { name: 'balance.fees', type: 'int', unit: 'minor units', meaning: 'unpaid fees and liquidated damages' },
  { name: 'balance.total', type: 'int', unit: 'minor units', meaning: 'principal + interest + penalty + fees' },
  { name: 'overdue', type: 'int', unit: 'minor units', meaning: 'past-due principal and interest plus all unpaid penalty and fees' },
  { name: 'product', type: 'string', unit: '', meaning: 'product id' },
  { name: 'currency', type: 'string', unit: '', meaning: 'ISO 4217 currency code' },
  { name: 'daysSinceDisbursement', type: 'int', unit: 'days', meaning: 'days since the loan was disbursed' },
  { name: 'nextDueInDays', type: 'int', unit: 'days', meaning: `days until the next instalment that is due today or later and still unpaid (${NEVER_DAYS} if none)` },
  { name: 'contact.daysSinceRightPartyContact', type: 'int', unit: 'days', meaning: `days since the last right-party contact: a conversation with the borrower, identity verified (${NEVER_DAYS} if never; reached_person is not one); same as contact.borrower.daysSinceConversation` },
  { name: 'contact.referencesOnFile', type: 'int', unit: 'count', meaning: 'references (family, friends) with a contact point on file' },
  ...contactDefs(),
  { name: 'promises.open', type: 'int', unit: 'count', meaning: 'promises to pay whose due date (+ grace) has not passed and that are not yet kept' },
  { name: 'promises.kept', type: 'int', unit: 'count', meaning: 'promises kept: payments from the promise date through due + grace reached the amount' },
  { name: 'promises.broken', type: 'int', unit: 'count', meaning: 'promises whose due date + grace passed without being kept' },
  { name: 'promises.brokenPromiseDays', type: 'int', unit: 'days', meaning: `days since the most recent promise was broken (the day after due + grace) (${NEVER_DAYS} if none)` },
  { name: 'promises.openAmount', type: 'int', unit: 'minor units', meaning: 'amount still missing on open promises' },
  { name: 'plan.active', type: 'bool', unit: '', meaning: 'a repayment plan is active' },
  { name: 'plan.hardshipOpen', type: 'bool', unit: '', meaning: 'a hardship request is open' },
  { name: 'visits.done', type: 'int', unit: 'count', meaning: 'field visits carried out (any result)' },
  { name: 'visits.reached', type: 'int', unit: 'count', meaning: 'field visits that met the borrower' },
  { name: 'visits.failed', type: 'int', unit: 'count', meaning: 'field visits that did not reach the borrower' },
  { name: 'visits.residentialFailed', type: 'int', unit: 'count', meaning: 'failed visits to the residential address' },
  { name: 'visits.idCardFailed', type: 'int', unit: 'count', meaning: 'failed visits to the ID-card address' },
  { name: 'visits.daysSinceLast', type: 'int', unit: 'days', meaning: `days since the last visit (${NEVER_DAYS} if none)` },
  { name: 'legal.reviewDone', type: 'bool', unit: '', meaning: 'a legal review has been completed' },
  { name: 'legal.uncollectable', type: 'bool', unit: '', meaning: 'a legal review found the debt uncollectable' },
  { name: 'flags.disputed', type: 'bool', unit: '', meaning: 'the debt is disputed and the dispute is open' },
  { name: 'flags.cease', type: 'bool', unit: '', meaning: 'the borrower asked to cease communication' },
  { name: 'flags.deceased', type: 'bool', unit: '', meaning: 'the borrower is reported deceased' },
  { name: 'flags.bankrupt', type: 'bool', unit: '', meaning: 'the borrower is in bankruptcy or insolvency' },
  { name: 'flags.paused', type: 'bool', unit: '', meaning: 'collection is paused (a flag, or a ledger pause covering today)' },
  { name: 'propensity', type: 'double', unit: '0..1', meaning: 'propensity to pay, a logistic score (see "Propensity")' },
];

/** A field visit's record, as the field module reports it. */
export interface VisitRecord {
  date: BusinessDate;
  address: 'residential' | 'id_card';
  /** `reached`: the borrower was met; `failed`: nobody, moved away, refused entry */
  result: 'reached' | 'failed';
}

export interface FactsInput {
  account: Account;
  state: AccountState;
  /** the business date being evaluated (the date the ledger just closed) */
  date: BusinessDate;
  /**
   * This account's contact attempts in chronological order (date, then time) — the order the
   * store reads them in. Not sorted here. Attempts dated after `date` are ignored.
   */
  attempts: readonly Attempt[];
  /** This account's payments, chronological (an unsorted list is detected and sorted once). */
  payments: readonly { date: BusinessDate; amount: Minor }[];
  /** the stage before today's evaluation, and the date it was entered */
  stage: { name: string; since: BusinessDate } | null;
  flags?: Partial<FlagFacts>;
  referencesOnFile?: number;
  plan?: { active: boolean; hardshipOpen: boolean };
  visits?: readonly VisitRecord[];
  legal?: { reviewDone: boolean; uncollectable: boolean };
  /** the strategy's buckets; without them `bucket` is the ledger's */
  buckets?: readonly BucketDef[] | null;
  /** days after a promise's due date during which a payment still keeps it (default 0) */
  promiseGraceDays?: number;
}

function emptyChannel(): ChannelStats {
  return { attemptsToday: 0, attempts7d: 0, attempts30d: 0, conversations30d: 0, consecutiveFailedAttempts: 0, wrongNumbers: 0 };
}

function emptyParty(): PartyStats {
  return {
    attemptsToday: 0, attempts7d: 0, attempts30d: 0, conversations30d: 0, consecutiveFailedAttempts: 0, wrongNumbers: 0,
    daysSinceConversation: NEVER_DAYS, refusals30d: 0, call: emptyChannel(), sms: emptyChannel(),
  };
}

function freeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(o);
}

/**
 * The statistics of a party nobody tried to reach: shared, frozen. Most accounts on a given day have
 * no attempts for most parties; building fresh zeros for each cost ~1.5 µs per account (measured).
 */
const NO_CONTACT: PartyStats = freeze(emptyParty());

function countAttempt(s: ChannelStats, age: number, conversation: boolean, wrong: boolean): void {
  if (age === 0) s.attemptsToday++;
  if (age < 7) s.attempts7d++;
  if (age < 30) {
    s.attempts30d++;
    if (conversation) s.conversations30d++;
  }
  if (conversation) s.consecutiveFailedAttempts = 0;
  else s.consecutiveFailedAttempts++;
  if (wrong) s.wrongNumbers++;
}

/**
 * The propensity-to-pay model: a logistic function of a few facts, rounded to 4 decimals.
 *   z = 2.0 − 0.04·min(dpd, 180) − 0.9·broken + 0.6·kept − 0.03·min(daysSinceRightPartyContact, 60)
 *       + 0.5·[conversation in the last 30 days]
 *   propensity = 1 / (1 + e^−z)
 * Replaceable: any function of the other facts into 0..1.
 */
export function propensityScore(f: { dpd: number; broken: number; kept: number; daysSinceRpc: number; conversations30d: number }): number {
  const z =
    2.0 -
    0.04 * Math.min(f.dpd, 180) -
    0.9 * f.broken +
    0.6 * f.kept -
    0.03 * Math.min(f.daysSinceRpc, 60) +
    (f.conversations30d > 0 ? 0.5 : 0);
  return Math.round(10000 / (1 + Math.exp(-z))) / 10000;
}

function sortedPayments(payments: FactsInput['payments']): FactsInput['payments'] {
  for (let i = 1; i < payments.length; i++) {
    if ((payments[i] as { date: string }).date < (payments[i - 1] as { date: string }).date) {
      return payments.slice().sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    }
  }
  return payments;
}

/** Index of the first payment dated ≥ day (payments sorted by date), by binary search. */
function lowerBound(days: readonly number[], day: number): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((days[mid] as number) < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Builds the facts for one account on `input.date`. Pure, O(instalments + attempts + payments·log):
 * one pass over attempts, prefix sums over payments for promises.
 */
export function buildFacts(input: FactsInput): Facts {
  const { account, state, date } = input;
  const today = toEpochDay(date);
  const grace = input.promiseGraceDays ?? 0;

  // ledger
  const bal = balances(state);
  let nextDue = NEVER_DAYS;
  for (const i of state.instalments) {
    if (i.due < date) continue;
    if (i.principal - i.paidPrincipal > 0 || i.interest - i.paidInterest > 0) {
      nextDue = toEpochDay(i.due) - today;
      break;
    }
  }
  let paused = input.flags?.paused ?? false;
  if (!paused) {
    for (const p of state.pauses) {
      if (p.from <= date && date <= p.until) {
        paused = true;
        break;
      }
    }
  }

  // contact attempts: one pass
  const parties: Record<FactParty, PartyStats> = { borrower: NO_CONTACT, reference: NO_CONTACT, employer: NO_CONTACT };
  let lastBorrowerConversation = -1;
  const lastConversation = { borrower: -1, reference: -1, employer: -1 };
  // promises: collected in the same pass
  const promiseFrom: number[] = [];
  const promiseUntil: number[] = [];
  const promiseAmount: number[] = [];
  for (const a of input.attempts) {
    const day = toEpochDay(a.date);
    const age = today - day;
    if (age < 0) continue;
    if (a.outcome === 'promise' && a.promise) {
      promiseFrom.push(day);
      promiseUntil.push(toEpochDay(a.promise.due) + grace);
      promiseAmount.push(a.promise.amount);
    }
    const party = a.party === 'borrower' || a.party === 'reference' || a.party === 'employer' ? a.party : null;
    if (party === null) continue;
    const conv = CONVERSATION_OUTCOMES.has(a.outcome);
    const wrong = a.outcome === 'wrong_number';
    if (parties[party] === NO_CONTACT) parties[party] = emptyParty();
    const ps = parties[party];
    countAttempt(ps, age, conv, wrong);
    if (a.channel === 'call' || a.channel === 'sms') countAttempt(ps[a.channel], age, conv, wrong);
    if (conv && day > lastConversation[party]) {
      lastConversation[party] = day;
      if (party === 'borrower') lastBorrowerConversation = day;
    }
    if (a.outcome === 'refused_to_pay' && age < 30) ps.refusals30d++;
  }
  for (const p of FACT_PARTIES) {
    const last = lastConversation[p];
    if (last >= 0) parties[p].daysSinceConversation = today - last;
  }
  const daysSinceRpc = lastBorrowerConversation < 0 ? NEVER_DAYS : today - lastBorrowerConversation;

  // promises: kept when payments dated promise date .. due+grace (and ≤ today) reach the amount
  const promises = { open: 0, kept: 0, broken: 0, brokenPromiseDays: NEVER_DAYS, openAmount: 0 };
  if (promiseFrom.length > 0) {
    const pays = sortedPayments(input.payments);
    const payDays: number[] = [];
    const prefix: number[] = [0];
    let run = 0;
    for (const p of pays) {
      const d = toEpochDay(p.date);
      if (d > today) break;
      payDays.push(d);
      run += p.amount;
      prefix.push(run);
    }
    let lastBroken = -1;
    for (let k = 0; k < promiseFrom.length; k++) {
      const from = promiseFrom[k] as number;
      const until = promiseUntil[k] as number;
      const amount = promiseAmount[k] as number;
      const lo = lowerBound(payDays, from);
      const hi = lowerBound(payDays, Math.min(until, today) + 1);
      const paid = (prefix[hi] as number) - (prefix[lo] as number);
      if (paid >= amount) promises.kept++;
      else if (until < today) {
        promises.broken++;
        if (until + 1 > lastBroken) lastBroken = until + 1;
      } else {
        promises.open++;
        promises.openAmount += amount - paid;
      }
    }
    if (lastBroken >= 0) promises.brokenPromiseDays = today - lastBroken;
  }

  const visits = { done: 0, reached: 0, failed: 0, residentialFailed: 0, idCardFailed: 0, daysSinceLast: NEVER_DAYS };
  if (input.visits) {
    let last = -1;
    for (const v of input.visits) {
      const d = toEpochDay(v.date);
      if (d > today) continue;
      visits.done++;
      if (d > last) last = d;
      if (v.result === 'failed') {
        visits.failed++;
        if (v.address === 'residential') visits.residentialFailed++;
        else visits.idCardFailed++;
      } else visits.reached++;
    }
    if (last >= 0) visits.daysSinceLast = today - last;
  }

  const stageName = input.stage?.name ?? 'none';
  const daysInStage = input.stage ? Math.max(0, today - toEpochDay(input.stage.since)) : 0;
  const f = input.flags;
  return {
    dpd: state.dpd,
    bucket: input.buckets ? bucketFor(state.dpd, input.buckets) : state.bucket,
    stage: stageName,
    daysInStage,
    balance: bal,
    overdue: overdueAmount(state, date),
    product: account.productId,
    currency: account.currency,
    daysSinceDisbursement: Math.max(0, today - toEpochDay(account.disbursed)),
    nextDueInDays: nextDue,
    contact: {
      daysSinceRightPartyContact: daysSinceRpc,
      referencesOnFile: input.referencesOnFile ?? 0,
      ...parties,
    },
    promises,
    plan: { active: input.plan?.active ?? false, hardshipOpen: input.plan?.hardshipOpen ?? false },
    visits,
    legal: { reviewDone: input.legal?.reviewDone ?? false, uncollectable: input.legal?.uncollectable ?? false },
    flags: {
      disputed: f?.disputed ?? false,
      cease: f?.cease ?? false,
      deceased: f?.deceased ?? false,
      bankrupt: f?.bankrupt ?? false,
      paused,
    },
    propensity: propensityScore({
      dpd: state.dpd,
      broken: promises.broken,
      kept: promises.kept,
      daysSinceRpc,
      conversations30d: parties.borrower.conversations30d,
    }),
  };
}

/** Reads a fact by dotted name (for traces and tests; the evaluator compiles direct accessors). */
export function factValue(facts: Facts, name: string): unknown {
  let v: unknown = facts;
  for (const seg of name.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** A facts object with every fact at its neutral value: dpd 0, no contact, no flags. For tests and docs. */
export function emptyFacts(overrides: { dpd?: number; stage?: string } = {}): Facts {
  const parties = { borrower: emptyParty(), reference: emptyParty(), employer: emptyParty() };
  return {
    dpd: overrides.dpd ?? 0,
    bucket: bucketFor(overrides.dpd ?? 0),
    stage: overrides.stage ?? 'none',
    daysInStage: 0,
    balance: { principal: 0, interest: 0, penalty: 0, fees: 0, total: 0 },
    overdue: 0,
    product: '',
    currency: 'USD',
    daysSinceDisbursement: 0,
    nextDueInDays: NEVER_DAYS,
    contact: { daysSinceRightPartyContact: NEVER_DAYS, referencesOnFile: 0, ...parties },
    promises: { open: 0, kept: 0, broken: 0, brokenPromiseDays: NEVER_DAYS, openAmount: 0 },
    plan: { active: false, hardshipOpen: false },
    visits: { done: 0, reached: 0, failed: 0, residentialFailed: 0, idCardFailed: 0, daysSinceLast: NEVER_DAYS },
    legal: { reviewDone: false, uncollectable: false },
    flags: { disputed: false, cease: false, deceased: false, bankrupt: false, paused: false },
    propensity: 0.5,
  };
}
