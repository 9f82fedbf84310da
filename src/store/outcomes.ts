/**
 * Contact results at the store (docs/outcomes-and-promises.md): what an allowed attempt led to,
 * recorded in one transaction under the debt's and the party's locks — the gate decision's outcome,
 * the contact attempt the strategy reads (the borrower's local date and time, the party, channel,
 * agent and agency from the decision), a promise to pay on it, the compliance act the outcome
 * implies (so the gate enforces it from then on), a retired number after `wrong_number`, and an
 * audit entry. Idempotent per decision. Promises are listed with their state (kept, broken, open).
 */
import { parseDate, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import { CHANNEL_ACT_SOURCE, GATE_OUTCOMES, impliedAct, localTime, parseAct, type ActKind } from '../compliance/index.js';
import {
  CHANNELS, channelArticle, checkGraceDays, checkOutcomeForChannel, OUTCOMES, outcomesFor, PARTY_KINDS, PROMISE_STATES, promiseProblem, promiseStatuses, type PromiseLimits, type Channel, type Outcome, type PartyKind, type PromiseRecord, type PromiseState, type PromiseStatus,
} from '../contact/index.js';
import { recordActIn } from './acts.js';
import { appendAudit, changeOptions, type ChangeOptions } from './audit.js';
import type { Dialect, Store } from './db.js';
import { withLocks } from './locks.js';
import { retirePartyNumberIn } from './parties.js';
import type { Db } from './repo.js';

export interface ContactResult {
  /** the ALLOWED gate decision (gate_decisions.id) the result belongs to */
  decisionId: number;
  /** src/contact/outcomes.ts OUTCOMES; one the channel can have (`outcomesFor`) */
  outcome: Outcome;
  /**
   * the attempt's channel, when the caller knows it before the decision is recorded (wrap-up: call), so a
   * result the channel cannot have is refused before the gate is asked; recordContactResultIn checks the
   * decision's own channel anyway
   */
  channel?: Channel;
  /** required with outcome 'promise', refused otherwise */
  promise?: { amount: Minor; due: BusinessDate } | null;
  note?: string | null;
}

export interface RecordedResult {
  decisionId: number;
  attemptId: number;
  actKind: ActKind | null;
  duplicate: boolean;
  /** the number retired for the party by a `wrong_number` result (parties on file), else null */
  retired?: { number: string; partyId: string } | null;
}

/** The outcomes a result may have (every contact outcome; `pending` is the gate's own). */
export const RESULT_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((o) => (GATE_OUTCOMES as readonly string[]).includes(o));

export const MAX_NOTE_LENGTH = 2000;

interface Checked {
  decisionId: number;
  outcome: Outcome;
  promise: { amount: Minor; due: BusinessDate } | null;
  note: string | null;
}

/** Validates a result's own fields, and the outcome against `channel` when given (the decision is checked under the locks). */
export function checkContactResult(r: ContactResult): Checked {
  if (typeof r.decisionId !== 'number' || !Number.isSafeInteger(r.decisionId) || r.decisionId <= 0) {
    throw new ValidationError('decisionId', `must be a gate decision id (a positive whole number), got ${JSON.stringify(r.decisionId)}`);
  }
  if (typeof r.outcome !== 'string' || !(RESULT_OUTCOMES as readonly string[]).includes(r.outcome)) {
    const listed = r.channel !== undefined && (CHANNELS as readonly string[]).includes(r.channel) ? outcomesFor(r.channel) : RESULT_OUTCOMES;
    throw new ValidationError('outcome', `must be one of ${listed.join(', ')}${r.channel !== undefined ? ` for ${channelArticle(r.channel)} ${r.channel}` : ''}, got ${JSON.stringify(r.outcome)}`);
  }
  if (r.channel !== undefined) checkOutcomeForChannel(r.outcome, r.channel);
  let promise: Checked['promise'] = null;
  if (r.outcome === 'promise') {
    if (r.promise === undefined || r.promise === null) throw new ValidationError('promise', 'is required with outcome promise: { amount, due }');
    const { amount, due } = r.promise;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
      throw new ValidationError('promise.amount', `must be a positive whole number of minor units (a safe integer), got ${JSON.stringify(amount)}`);
    }
    promise = { amount, due: parseDate(due, 'promise.due') };
  } else if (r.promise !== undefined && r.promise !== null) {
    throw new ValidationError('promise', `is only for outcome promise, got outcome ${r.outcome}`);
  }
  let note: string | null = null;
  if (r.note !== undefined && r.note !== null) {
    if (typeof r.note !== 'string') throw new ValidationError('note', `must be a string, got ${JSON.stringify(r.note)}`);
    if (r.note.length > MAX_NOTE_LENGTH) throw new ValidationError('note', `must be at most ${MAX_NOTE_LENGTH} characters, got ${r.note.length}`);
    note = r.note.trim() === '' ? null : r.note;
  }
  return { decisionId: r.decisionId, outcome: r.outcome, promise, note };
}

const clock = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

function describe(r: Pick<Checked, 'outcome' | 'promise' | 'note'>): string {
  return `${r.outcome}${r.promise ? ` (promise ${r.promise.amount} due ${r.promise.due})` : ''}${r.note !== null ? ` note ${JSON.stringify(r.note)}` : ''}`;
}

/**
 * The limits a promise on an account is checked against (`promiseProblem`): what it owes as of the
 * last close (no state row yet: no amount limit) and its currency.
 */
export function promiseLimits(total: number | string | bigint | null, currency: string | null, madeOn: BusinessDate): PromiseLimits {
  return { owed: total === null ? Number.MAX_SAFE_INTEGER : Number(total), madeOn, currency: currency ?? '' };
}

/** The promise limits of an account for a promise taken on `madeOn` (see promiseLimits). */
export async function loadPromiseLimits(db: Db, accountId: string, madeOn: BusinessDate): Promise<PromiseLimits> {
  const row = await db.selectFrom('accounts').leftJoin('account_state', 'account_state.account_id', 'accounts.id')
    .select(['account_state.total', 'accounts.currency']).where('accounts.id', '=', accountId).executeTakeFirst();
  return promiseLimits(row?.total ?? null, row?.currency ?? null, madeOn);
}

/**
 * recordContactResult inside a transaction that holds the decision's debt and party locks
 * (`withLocks(store, ['debt:…', 'party:…'])`): for callers that record more in the same
 * transaction (wrap-up marks its queue item and task done). `r` must come from checkContactResult.
 */
export async function recordContactResultIn(db: Db, dialect: Dialect, r: Checked, opts: ChangeOptions = {}): Promise<RecordedResult> {
  const d = await db.selectFrom('gate_decisions').leftJoin('accounts', 'accounts.id', 'gate_decisions.debt_id')
    .leftJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .leftJoin('account_state', 'account_state.account_id', 'accounts.id')
    .select(['account_state.total', 'accounts.currency'])
    .select(['gate_decisions.id', 'gate_decisions.debt_id', 'gate_decisions.party_id', 'gate_decisions.party_kind', 'gate_decisions.contact_point',
      'gate_decisions.channel', 'gate_decisions.at', 'gate_decisions.allowed', 'gate_decisions.rule', 'gate_decisions.outcome',
      'gate_decisions.agent_id', 'gate_decisions.agency_id', 'borrowers.timezone'])
    .where('gate_decisions.id', '=', r.decisionId).executeTakeFirst();
  if (!d) throw new ValidationError('decisionId', `unknown gate decision ${r.decisionId}`);
  if (d.allowed !== 1) throw new ValidationError('decisionId', `decision ${r.decisionId} was blocked by ${d.rule ?? 'a rule'}: a blocked attempt never happens, so it has no result`);
  if (d.timezone === null) throw new ValidationError('decisionId', `decision ${r.decisionId} is about ${d.debt_id}, which is not an account`);
  checkOutcomeForChannel(r.outcome, d.channel as Channel);
  const partyKind = d.party_kind as PartyKind;
  if (!(PARTY_KINDS as readonly string[]).includes(partyKind)) throw new ValidationError('decisionId', `decision ${r.decisionId} has an unknown party kind ${d.party_kind}`);
  const implied = impliedAct(r.outcome, { id: d.party_id, kind: partyKind });

  const prior = await db.selectFrom('attempts').select(['id', 'outcome', 'promise_amount', 'promise_due', 'note']).where('decision_id', '=', r.decisionId).executeTakeFirst();
  if (prior) {
    const was: Pick<Checked, 'outcome' | 'promise' | 'note'> = {
      outcome: prior.outcome as Outcome, note: prior.note,
      promise: prior.promise_amount !== null && prior.promise_due !== null ? { amount: Number(prior.promise_amount), due: prior.promise_due } : null,
    };
    if (describe(was) !== describe(r)) {
      throw new ValidationError('decisionId', `decision ${r.decisionId} already has the result ${describe(was)}; a different one (${describe(r)}) cannot replace it`);
    }
    return { decisionId: r.decisionId, attemptId: Number(prior.id), actKind: implied?.kind ?? null, duplicate: true };
  }
  if (d.outcome !== null) throw new ValidationError('decisionId', `decision ${r.decisionId} already has outcome ${d.outcome} (recorded without a contact result)`);

  const { actor: given, now } = changeOptions(opts);
  const actor = opts.actor ?? d.agent_id ?? given;
  const ms = Date.parse(d.at);
  const local = localTime(ms, d.timezone);
  if (r.promise) {
    const problem = promiseProblem(r.promise, promiseLimits(d.total, d.currency, local.date));
    if (problem) throw problem;
  }

  const upd = await db.updateTable('gate_decisions').set({ outcome: r.outcome }).where('id', '=', r.decisionId).where('outcome', 'is', null).executeTakeFirst();
  if (Number(upd.numUpdatedRows) !== 1) throw new ValidationError('decisionId', `decision ${r.decisionId} got an outcome concurrently`);
  const channel = d.channel as Channel;
  const row = await db.insertInto('attempts').values({
    account_id: d.debt_id, business_date: local.date, time: clock(local.minute), party: partyKind, channel, outcome: r.outcome,
    promise_amount: r.promise?.amount ?? null, promise_due: r.promise?.due ?? null,
    decision_id: r.decisionId, party_id: d.party_id, agent_id: d.agent_id, agency_id: d.agency_id, note: r.note,
  }).returning('id').executeTakeFirstOrThrow();
  const attemptId = Number(row.id);

  let actId: number | null = null;
  if (implied) {
    const act = parseAct({
      kind: implied.kind, debtId: d.debt_id, partyId: implied.partyId, at: d.at, source: CHANNEL_ACT_SOURCE[channel],
      note: `contact result of gate decision ${r.decisionId} (${r.outcome})${r.note !== null ? `: ${r.note}` : ''}`,
    });
    actId = (await recordActIn(db, dialect, act, actor, now)).id;
  }
  const retired = r.outcome === 'wrong_number' && partyKind !== 'borrower' && await retirePartyNumberIn(db, d.party_id, d.contact_point, d.at, actor);

  await appendAudit(db, dialect, [{
    at: now, actor, kind: 'contact.result', entity: `account:${d.debt_id}`,
    data: JSON.stringify({
      decision: r.decisionId, attempt: attemptId, party: d.party_id, partyKind, channel, outcome: r.outcome, promise: r.promise, note: r.note,
      act: implied ? { id: actId, kind: implied.kind, party: implied.partyId } : null, retired: retired ? d.contact_point : null,
      agent: d.agent_id, agency: d.agency_id,
    }),
  }]);
  return { decisionId: r.decisionId, attemptId, actKind: implied?.kind ?? null, duplicate: false, retired: retired ? { number: d.contact_point, partyId: d.party_id } : null };
}

/**
 * One transaction: gate outcome, contact attempt (local date/time, party, channel, agent/agency from the decision),
 * promise, and the compliance act an outcome implies (refused_contact, deceased, bankruptcy, attorney).
 * Idempotent: the same result for the same decision again = duplicate:true, no change; a different one = ValidationError.
 */
export async function recordContactResult(store: Store, r: ContactResult, opts: ChangeOptions = {}): Promise<RecordedResult> {
  const checked = checkContactResult(r);
  changeOptions(opts);
  const head = await store.db.selectFrom('gate_decisions').select(['debt_id', 'party_id']).where('id', '=', checked.decisionId).executeTakeFirst();
  if (!head) throw new ValidationError('decisionId', `unknown gate decision ${checked.decisionId}`);
  return withLocks(store, [`debt:${head.debt_id}`, `party:${head.party_id}`], (db, dialect) => recordContactResultIn(db, dialect, checked, opts));
}

export interface PromiseQuery {
  accountId?: string;
  state?: PromiseState;
  asOf: BusinessDate;
  graceDays: number;
}

/**
 * Promises to pay (attempts with outcome promise, made on or before `asOf`) with their status as of
 * `asOf` from the accounts' payments; oldest first (date made, then attempt id).
 */
export async function listPromises(db: Db, q: PromiseQuery): Promise<PromiseStatus[]> {
  if (q.state !== undefined && !PROMISE_STATES.includes(q.state)) throw new ValidationError('state', `must be one of ${PROMISE_STATES.join(', ')}, got ${JSON.stringify(q.state)}`);
  const all = await loadPromiseStatuses(db, q.accountId === undefined ? null : [q.accountId], q.asOf, q.graceDays);
  return q.state === undefined ? all : all.filter((p) => p.state === q.state);
}

/**
 * The status as of `asOf` of the promises of `accountIds` (null: every account) made from `since`
 * (default: ever) through `asOf`, oldest first (date made, then attempt id). Set-based: one query for
 * the promises, one per 1000 accounts for their payments.
 */
export async function loadPromiseStatuses(db: Db, accountIds: readonly string[] | null, asOf: BusinessDate, graceDays: number, since?: BusinessDate): Promise<PromiseStatus[]> {
  parseDate(asOf, 'asOf');
  const grace = checkGraceDays(graceDays);
  if (since !== undefined) parseDate(since, 'since');
  const byAccount = new Map<string, PromiseRecord[]>();
  const ids = accountIds === null ? null : [...new Set(accountIds)];
  for (let i = 0; ids === null ? i === 0 : i < ids.length; i += 1000) {
    let pq = db.selectFrom('attempts').select(['id', 'account_id', 'business_date', 'channel', 'promise_amount', 'promise_due', 'agent_id', 'agency_id'])
      .where('outcome', '=', 'promise').where('promise_amount', 'is not', null).where('promise_due', 'is not', null).where('business_date', '<=', asOf);
    if (ids !== null) pq = pq.where('account_id', 'in', ids.slice(i, i + 1000));
    if (since !== undefined) pq = pq.where('business_date', '>=', since);
    for (const r of await pq.orderBy('account_id').orderBy('business_date').orderBy('id').execute()) {
      const p: PromiseRecord = {
        id: Number(r.id), accountId: r.account_id, madeOn: r.business_date, amount: Number(r.promise_amount), due: r.promise_due as string,
        channel: r.channel as Channel, takenBy: r.agent_id, agencyId: r.agency_id,
      };
      const list = byAccount.get(p.accountId);
      if (list) list.push(p);
      else byAccount.set(p.accountId, [p]);
    }
  }
  const withPromises = [...byAccount.keys()];
  const payments = new Map<string, { date: BusinessDate; amount: Minor }[]>();
  for (let i = 0; i < withPromises.length; i += 1000) {
    let q = db.selectFrom('payments').select(['account_id', 'business_date', 'amount'])
      .where('account_id', 'in', withPromises.slice(i, i + 1000)).where('business_date', '<=', asOf);
    if (since !== undefined) q = q.where('business_date', '>=', since);
    for (const p of await q.orderBy('business_date').orderBy('id').execute()) {
      const list = payments.get(p.account_id) ?? [];
      list.push({ date: p.business_date, amount: Number(p.amount) });
      payments.set(p.account_id, list);
    }
  }
  const out: PromiseStatus[] = [];
  for (const [id, promises] of byAccount) out.push(...promiseStatuses(promises, payments.get(id) ?? [], asOf, grace));
  return out.sort((a, b) => (a.madeOn < b.madeOn ? -1 : a.madeOn > b.madeOn ? 1 : a.id - b.id));
}
