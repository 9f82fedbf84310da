/**
 * Work queues at the store (docs/work-queues.md): users, building a business date's queue from its
 * planned call tasks (the ranking and dealing are pure, src/queues/; calls to parties other than the
 * borrower are queued for that party; a broken promise as of the date bumps the priority), the next
 * callable account for an agent (asking the pure gate — asking is not an attempt), wrapping up an
 * item (the attempt: decided and recorded through decideAndRecord, its result through
 * recordContactResult) and a supervisor's re-assignment.
 */
import { addDays, DomainError, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import { attemptRequest, decide, gateFactsFromActs, localTime, type AttemptRequest, type Decision, type GateContext, type RulePack } from '../compliance/index.js';
import { activePhones, isRightPartyContact, PARTY_KINDS, promiseProblem, type Outcome, type Party, type PartyKind } from '../contact/index.js';
import {
  buildQueue, callPurpose, CALLING_ROLES, parseUser, PROMISE_LOOKBACK_DAYS, QUEUE_PROMISE_GRACE_DAYS, skillMismatch,
  type Assignment, type PriorityFn, type QueueTask, type User,
} from '../queues/index.js';
import { zonesOf } from '../channels/phone-zones.js';
import { loadActs, loadGateFacts, type RecordedAct } from './acts.js';
import { audit, changeOptions, type ChangeOptions } from './audit.js';
import { rowToBorrower } from './codec.js';
import type { Store } from './db.js';
import { accountJurisdiction, borrowerCountry, decideAndRecord, jurisdictionFor, loadGateHistory, loadJurisdictions, type PacksFor, type RecordedDecision } from './gate.js';
import { withLocks } from './locks.js';
import { checkContactResult, loadPromiseLimits, loadPromiseStatuses, recordContactResult, recordContactResultIn, type RecordedResult } from './outcomes.js';
import { getParty, listParties } from './parties.js';
import { chunks, type Db } from './repo.js';

/** The rule packs and holidays for an account's contacts at an instant (the CLI loads them from `gate jurisdiction`). */
export type { PacksFor } from './gate.js';

export async function addUser(store: Store, raw: unknown, actor = 'system', now = new Date().toISOString()): Promise<User> {
  const u = parseUser(raw);
  if (await store.db.selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirst()) throw new ValidationError('user.id', `user ${u.id} already exists`);
  await store.db.transaction().execute(async (tx) => {
    await tx.insertInto('users').values({ id: u.id, name: u.name, role: u.role, agency_id: u.agencyId, skills: JSON.stringify(u.skills), capacity: u.capacity, created_at: now }).execute();
    await audit(tx, 'user.add', `user:${u.id}`, u, actor);
  });
  return u;
}

export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('id').execute();
  return rows.map((r) => parseUser({ id: r.id, name: r.name, role: r.role, agencyId: r.agency_id, capacity: Number(r.capacity), skills: JSON.parse(r.skills) as unknown }));
}

interface MoveFacts {
  propensity?: unknown;
}

/** The end of a business date (acts recorded that day count). */
const endOf = (date: BusinessDate): string => `${date}T23:59:59.999Z`;

/**
 * The party a non-borrower call task is for: the first party of that kind on the account (by id)
 * with a number in use who has not refused further contact (a refused_contact act, or a cease for
 * that party), else why there is none.
 */
function pickParty(kind: PartyKind, parties: readonly Party[], acts: readonly RecordedAct[], date: BusinessDate): Party | string {
  const ofKind = parties.filter((p) => p.kind === kind);
  if (ofKind.length === 0) return `no ${kind} on file for the account`;
  const withNumber = ofKind.filter((p) => activePhones(p).length > 0);
  if (withNumber.length === 0) return `no ${kind} on file has a number in use`;
  const willing = withNumber.filter((p) => {
    const f = gateFactsFromActs(acts, p.id, endOf(date));
    return !f.refusedContact && !f.holds.some((h) => h.kind === 'cease' && h.partyId === p.id);
  });
  return willing[0] ?? `every ${kind} on file with a number refused further contact`;
}

/** The agency each account is placed with on `date` (placed on or before it, not recalled by then); absent: in house. */
async function placedWith(db: Db, accountIds: readonly string[], date: BusinessDate): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const c of chunks(accountIds, 1000)) {
    const rows = await db.selectFrom('placements').select(['account_id', 'agency_id']).where('account_id', 'in', c)
      .where('placed_on', '<=', date).where((eb) => eb.or([eb('recalled_on', 'is', null), eb('recalled_on', '>', date)])).execute();
    for (const r of rows) out.set(r.account_id, r.agency_id);
  }
  return out;
}

/** The date's planned call tasks not yet queued, or queued unassigned, with what the priority and the skills need. */
async function queueTasks(db: Db, date: BusinessDate): Promise<QueueTask[]> {
  const tasks = await db.selectFrom('tasks').innerJoin('account_state', 'account_state.account_id', 'tasks.account_id')
    .leftJoin('queue_items', 'queue_items.task_id', 'tasks.id')
    .select(['tasks.id', 'tasks.account_id', 'tasks.party', 'account_state.overdue', 'account_state.bucket'])
    .where('tasks.business_date', '=', date).where('tasks.type', '=', 'call').where('tasks.status', '=', 'planned')
    .where((eb) => eb.or([eb('queue_items.id', 'is', null), eb.and([eb('queue_items.agent_id', 'is', null), eb('queue_items.status', '=', 'open')])]))
    .orderBy('tasks.id').execute();
  if (tasks.length === 0) return [];
  const ids = [...new Set(tasks.map((t) => t.account_id))];
  // propensity as of each account's latest stage move
  const facts = new Map<string, MoveFacts>();
  for (const c of chunks(ids, 1000)) {
    const moves = await db.selectFrom('stage_moves').select(['account_id', 'facts']).where('account_id', 'in', c).where('business_date', '<=', date).orderBy('id').execute();
    for (const m of moves) facts.set(m.account_id, JSON.parse(m.facts) as MoveFacts);
  }
  // broken promises as of the queue date (promises made in the look-back window, with the payments since)
  const broken = new Set((await loadPromiseStatuses(db, ids, date, QUEUE_PROMISE_GRACE_DAYS, addDays(date, -PROMISE_LOOKBACK_DAYS)))
    .filter((p) => p.state === 'broken').map((p) => p.accountId));
  const borrowers = [];
  for (const c of chunks(ids, 1000)) {
    borrowers.push(...await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
      .select(['accounts.id as account_id', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', 'in', c).execute());
  }
  const placed = await placedWith(db, ids, date);
  const j = await loadJurisdictions(db);
  const decoded = new Map(borrowers.map((b) => [b.account_id, rowToBorrower(b)]));
  const jur = new Map([...decoded].map(([id, b]) => [id, jurisdictionFor(j, borrowerCountry(b))]));
  // the parties and acts of accounts with a call to someone other than the borrower
  const partyAccounts = [...new Set(tasks.filter((t) => (t.party ?? 'borrower') !== 'borrower').map((t) => t.account_id))];
  const parties = new Map<string, Party[]>();
  const acts = new Map<string, RecordedAct[]>();
  for (const id of partyAccounts) {
    parties.set(id, await listParties(db, id));
    acts.set(id, await loadActs(db, id, endOf(date)));
  }
  return tasks.map((t) => {
    const f = facts.get(t.account_id);
    const base = {
      taskId: Number(t.id), accountId: t.account_id, overdue: Number(t.overdue), bucket: t.bucket,
      propensity: typeof f?.propensity === 'number' ? f.propensity : null,
      brokenPromise: broken.has(t.account_id),
      jurisdiction: jur.get(t.account_id) ?? null,
      agencyId: placed.get(t.account_id) ?? null,
    };
    const kind = (t.party ?? 'borrower') as PartyKind;
    if (kind === 'borrower') return { ...base, languages: decoded.get(t.account_id)?.languages ?? [], partyId: null, partyKind: 'borrower' as const, unqueueable: null };
    if (!(PARTY_KINDS as readonly string[]).includes(kind)) return { ...base, languages: [], partyId: null, partyKind: 'borrower' as const, unqueueable: `unknown party kind ${kind}` };
    const p = pickParty(kind, parties.get(t.account_id) ?? [], acts.get(t.account_id) ?? [], date);
    if (typeof p === 'string') return { ...base, languages: [], partyId: null, partyKind: kind, unqueueable: p };
    return { ...base, languages: p.languages, partyId: p.id, partyKind: kind, unqueueable: null };
  });
}

/**
 * Builds (or tops up) the queue of a business date; returns the assignments made. A task is queued
 * once; a rebuild deals the new tasks and retries the ones left unassigned (e.g. after an agent was
 * added), leaving assigned items alone.
 */
export async function buildQueueForDate(store: Store, date: BusinessDate, priority?: PriorityFn, now = new Date().toISOString()): Promise<Assignment[]> {
  return store.db.transaction().execute(async (tx) => {
    const tasks = await queueTasks(tx, date);
    const held = await tx.selectFrom('queue_items').select(['agent_id']).select((eb) => eb.fn.countAll<number>().as('n'))
      .where('business_date', '=', date).where('agent_id', 'is not', null).groupBy('agent_id').execute();
    const alreadyAssigned = new Map(held.map((h) => [h.agent_id as string, Number(h.n)]));
    const holders = await tx.selectFrom('queue_items').select(['account_id', 'agent_id']).where('business_date', '=', date).where('agent_id', 'is not', null).orderBy('id').execute();
    const accountAgents = new Map<string, string>();
    for (const r of holders) if (!accountAgents.has(r.account_id)) accountAgents.set(r.account_id, r.agent_id as string);
    const out = buildQueue(tasks, await listUsers(tx), { alreadyAssigned, accountAgents, ...(priority ? { priority } : {}) });
    const queued = new Set((await tx.selectFrom('queue_items').select('task_id').where('business_date', '=', date).where('agent_id', 'is', null).where('status', '=', 'open').execute()).map((r) => Number(r.task_id)));
    for (const a of out.filter((x) => queued.has(x.taskId))) {
      await tx.updateTable('queue_items').set({ agent_id: a.agentId, priority: a.priority, reason: a.reason, party_id: a.partyId, party_kind: a.partyKind, updated_at: now })
        .where('task_id', '=', a.taskId).execute();
    }
    const fresh = out.filter((x) => !queued.has(x.taskId));
    // in chunks: one statement's parameters stay under SQLite's limit (32,766) whatever the day's volume
    for (const c of chunks(fresh, 1000)) {
      await tx.insertInto('queue_items').values(c.map((a) => ({
        task_id: a.taskId, business_date: date, account_id: a.accountId, agent_id: a.agentId, priority: a.priority,
        status: 'open', reason: a.reason, decision_id: null, outcome: null, updated_at: now, party_id: a.partyId, party_kind: a.partyKind,
      }))).execute();
    }
    return out;
  });
}

export interface QueueItem {
  id: number;
  taskId: number;
  date: BusinessDate;
  accountId: string;
  agentId: string | null;
  priority: number;
  status: 'open' | 'done' | 'skipped';
  reason: string | null;
  /** the party to call: null for the borrower */
  partyId: string | null;
  partyKind: PartyKind;
}

interface ItemRow {
  id: number; task_id: number; business_date: string; account_id: string; agent_id: string | null; priority: number; status: string; reason: string | null;
  party_id: string | null; party_kind: string | null;
}

function rowToItem(r: ItemRow): QueueItem {
  return {
    id: Number(r.id), taskId: Number(r.task_id), date: r.business_date, accountId: r.account_id, agentId: r.agent_id, priority: Number(r.priority),
    status: r.status as QueueItem['status'], reason: r.reason, partyId: r.party_id, partyKind: (r.party_kind ?? 'borrower') as PartyKind,
  };
}

interface CallTarget {
  request: AttemptRequest;
  /** the person called */
  name: string;
  borrowerName: string;
  /** the borrower's time zone (the attempt's business date) */
  timezone: string;
  /** an employer that forbids calls at work */
  workplaceForbidden: boolean;
}

/**
 * The call an item asks for: the borrower's first number, or — for an item queued for a party — that
 * party's first number in use (its zones: its own time zone, else the borrower's, and its numbers'
 * area codes; a `work` number is a workplace number), with the purpose the packs allow for its kind.
 */
async function callTarget(db: Db, item: Pick<QueueItem, 'accountId' | 'partyId' | 'partyKind'>, at: string, packs: readonly RulePack[]): Promise<CallTarget> {
  const row = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', item.accountId).executeTakeFirst();
  if (!row) throw new ValidationError('account', `unknown account "${item.accountId}"`);
  const b = rowToBorrower(row);
  if (item.partyId === null || item.partyKind === 'borrower') {
    const zones = await zonesOf([b.timezone], b.phones);
    const request = attemptRequest({ id: b.id, kind: 'borrower', zones, flags: {}, phones: b.phones, emails: b.emails, addresses: b.addresses }, { accountId: item.accountId, channel: 'call', at });
    return { request, name: b.name, borrowerName: b.name, timezone: b.timezone, workplaceForbidden: false };
  }
  const p = await getParty(db, item.partyId);
  if (!p || p.accountId !== item.accountId) throw new ValidationError('item', `party ${item.partyId} is not on account ${item.accountId}`);
  const phones = activePhones(p);
  if (phones.length === 0) throw new ValidationError('item', `party ${p.id} has no number in use (retired after a wrong number?); skip the item`);
  const zones = await zonesOf([p.timezone ?? b.timezone], phones);
  const first = p.phones.find((x) => x.retiredAt === null);
  const request = attemptRequest({ id: p.id, kind: p.kind, zones, flags: {}, phones, emails: p.emails, addresses: p.addresses }, {
    accountId: item.accountId, channel: 'call', at, purpose: callPurpose(p.kind, packs), workplace: first?.type === 'work',
  });
  return { request, name: p.name, borrowerName: b.name, timezone: b.timezone, workplaceForbidden: p.kind === 'employer' && p.forbidsCalls };
}

/** The pure gate's answer with the recorded history and acts — nothing is recorded. */
async function ask(db: Db, req: AttemptRequest, base: Pick<GateContext, 'packs' | 'holidays'>, workplaceForbidden: boolean): Promise<Decision> {
  const facts = await loadGateFacts(db, req.debtId, req.party.id, req.at);
  return decide(req, {
    ...base, history: await loadGateHistory(db, req), holds: facts.holds, optOuts: facts.optOuts,
    workplaceForbidden: workplaceForbidden || facts.workplaceForbidden, refusedContact: facts.refusedContact,
  });
}

export interface SkippedItem {
  item: QueueItem;
  rule: string | null;
  reason: string;
  nextAllowedAt: string | null;
}

export interface NextAccount {
  /** the item to work now; null: nothing callable now */
  item: QueueItem | null;
  request: AttemptRequest | null;
  /** the borrower of the item's account */
  borrowerName: string | null;
  /** the person to call: the borrower, or the party the item is for */
  partyName: string | null;
  /** open items the gate blocks now, in priority order */
  skipped: SkippedItem[];
  /** nothing callable: the earliest instant a skipped item frees up (null: none known) */
  nextAt: string | null;
}

/**
 * The agent's highest-priority open item whose contactee (the borrower, or the item's party) may be
 * called at `now`; blocked items are skipped with their nextAllowedAt.
 */
export async function nextAccount(store: Store, agentId: string, now: string, packsFor: PacksFor): Promise<NextAccount> {
  if (Number.isNaN(Date.parse(now))) throw new ValidationError('at', `must be an ISO 8601 instant, got ${JSON.stringify(now)}`);
  const at = new Date(Date.parse(now)).toISOString();
  const agent = await store.db.selectFrom('users').select(['role']).where('id', '=', agentId).executeTakeFirst();
  if (!agent) throw new ValidationError('agent', `unknown user ${agentId} (add one with \`arrears user add\`)`);
  if (!(CALLING_ROLES as readonly string[]).includes(agent.role)) throw new ValidationError('agent', `${agentId} is a ${agent.role}: only ${CALLING_ROLES.join(' and ')} users take calls from the queue`);
  const rows = await store.db.selectFrom('queue_items').selectAll().where('agent_id', '=', agentId).where('status', '=', 'open')
    .orderBy('priority', 'desc').orderBy('id').execute();
  const skipped: SkippedItem[] = [];
  for (const r of rows) {
    const item = rowToItem(r);
    const base = await packsFor(item.accountId, at);
    let t: CallTarget;
    try {
      t = await callTarget(store.db, item, at, base.packs);
    } catch (e) {
      // e.g. the party's last number was retired since the queue was built: nothing to call, nothing frees it
      if (!(e instanceof ValidationError)) throw e;
      skipped.push({ item, rule: null, reason: e.rule, nextAllowedAt: null });
      continue;
    }
    const d = await ask(store.db, t.request, base, t.workplaceForbidden);
    if (d.allowed) return { item, request: t.request, borrowerName: t.borrowerName, partyName: t.name, skipped, nextAt: null };
    skipped.push({ item, rule: d.rule, reason: d.reason, nextAllowedAt: d.nextAllowedAt });
  }
  const times = skipped.map((s) => s.nextAllowedAt).filter((t): t is string => t !== null).sort();
  return { item: null, request: null, borrowerName: null, partyName: null, skipped, nextAt: times[0] ?? null };
}

export interface WrapUp {
  item: QueueItem;
  decision: RecordedDecision;
  /** the recorded contact result; null when the gate blocked the call */
  result: RecordedResult | null;
}

export interface WrapUpOptions {
  at: string;
  packsFor: PacksFor;
  /** required with outcome promise */
  promise?: { amount: Minor; due: BusinessDate } | null;
  note?: string | null;
  /** who records it (audit); default: the item's agent */
  actor?: string;
  /** the caller number (caller ID) shown; the gate blocks one not registered to the agent's agency (or the lender) */
  callerNumber?: string | null;
}

async function decisionOf(db: Db, id: number): Promise<RecordedDecision> {
  const d = await db.selectFrom('gate_decisions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { id: Number(d.id), allowed: d.allowed === 1, rule: d.rule, reason: d.reason, nextAllowedAt: d.next_allowed_at, checked: JSON.parse(d.checked) as string[] };
}

/**
 * The attempt on an open item at `at`: decided and recorded (decideAndRecord, by the item's agent
 * and their agency); when allowed, its result is recorded (recordContactResult: gate outcome, contact
 * attempt, promise, implied act) and the item and its task are done — in one transaction. When the
 * gate blocks, the blocked decision is recorded and the item stays open. Idempotent: wrapping up a
 * done item again with the same result returns it (`result.duplicate`); another result is refused.
 */
export async function wrapUp(store: Store, itemId: number, outcome: string, opts: WrapUpOptions): Promise<WrapUp> {
  const fields = checkContactResult({ decisionId: 1, outcome: outcome as Outcome, channel: 'call', promise: opts.promise ?? null, note: opts.note ?? null });
  const ms = Date.parse(opts.at);
  if (Number.isNaN(ms)) throw new ValidationError('at', `must be an ISO 8601 instant, got ${JSON.stringify(opts.at)}`);
  const row = await store.db.selectFrom('queue_items').selectAll().where('id', '=', itemId).executeTakeFirst();
  if (!row) throw new ValidationError('item', `no queue item ${itemId}`);
  const item = rowToItem(row);
  if (item.status === 'done' && row.decision_id !== null) {
    // a retry: the same result again is a duplicate (recordContactResult compares), another one is refused
    const decisionId = Number(row.decision_id);
    try {
      const result = await recordContactResult(store, { ...fields, decisionId }, opts.actor !== undefined ? { actor: opts.actor } : {});
      return { item, decision: await decisionOf(store.db, decisionId), result };
    } catch (e) {
      if (e instanceof ValidationError && e.field === 'decisionId') throw new ValidationError('item', `queue item ${itemId} was wrapped up already (decision ${decisionId}): ${e.rule}`);
      throw e;
    }
  }
  if (item.status !== 'open') throw new ValidationError('item', `queue item ${itemId} is ${item.status}, not open`);
  if (item.agentId === null) throw new ValidationError('item', `queue item ${itemId} is unassigned (${item.reason ?? ''})`);
  const at = new Date(ms).toISOString();
  const base = await opts.packsFor(item.accountId, at);
  const t = await callTarget(store.db, item, at, base.packs);
  if (fields.promise) {
    // refused before the call is decided: a bad promise must not leave a pending attempt behind
    const problem = promiseProblem(fields.promise, await loadPromiseLimits(store.db, item.accountId, localTime(ms, t.timezone).date));
    if (problem) throw problem;
  }
  // an agency agent's attempts count for their agency too (complaint rates)
  const agent = await store.db.selectFrom('users').select('agency_id').where('id', '=', item.agentId).executeTakeFirst();
  const decision = await decideAndRecord(store, t.request, { ...base, holds: [], optOuts: [], workplaceForbidden: t.workplaceForbidden, refusedContact: false },
    { agentId: item.agentId, agencyId: agent?.agency_id ?? null, callerNumber: opts.callerNumber ?? null });
  if (!decision.allowed) return { item, decision, result: null };
  const now = new Date().toISOString();
  const result = await withLocks(store, [`debt:${t.request.debtId}`, `party:${t.request.party.id}`], async (db, dialect) => {
    const r = await recordContactResultIn(db, dialect, { ...fields, decisionId: decision.id }, { actor: opts.actor ?? item.agentId ?? 'system', now });
    const done = await db.updateTable('queue_items').set({ status: 'done', decision_id: decision.id, outcome, updated_at: now })
      .where('id', '=', itemId).where('status', '=', 'open').executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new DomainError('queue.item', `queue item ${itemId} was wrapped up concurrently`);
    await db.updateTable('tasks').set({ status: 'done' }).where('id', '=', item.taskId).execute();
    return r;
  });
  return { item: { ...item, status: 'done' }, decision, result };
}

/** Takes an open item off the agent's queue without an attempt (wrong queue, account settled meanwhile); the reason is kept. */
export async function skipItem(store: Store, itemId: number, reason: string, now = new Date().toISOString()): Promise<QueueItem> {
  if (reason.trim() === '') throw new ValidationError('reason', 'must say why the item is skipped');
  const r = await store.db.updateTable('queue_items').set({ status: 'skipped', reason: reason.trim(), updated_at: now })
    .where('id', '=', itemId).where('status', '=', 'open').executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new ValidationError('item', `no open queue item ${itemId}`);
  const row = await store.db.selectFrom('queue_items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow();
  return rowToItem(row);
}

/** The languages of an account's borrower ([] when unknown). */
async function borrowerLanguages(db: Db, accountId: string): Promise<string[]> {
  const row = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', accountId).executeTakeFirst();
  return row ? rowToBorrower(row).languages : [];
}

/**
 * A supervisor hands an open item to another calling agent (absence, end of day, load). The actor
 * must be a supervisor; the target must take calls (agent, agency_agent) and their skills must cover
 * the item (bucket, the borrower's packs, the contactee's languages). Capacity is not enforced: the
 * supervisor decides. Audited.
 */
export async function assignItem(store: Store, itemId: number, agentId: string, by: string, opts: ChangeOptions = {}): Promise<QueueItem> {
  const { now } = changeOptions(opts);
  return store.db.transaction().execute(async (tx) => {
    const users = new Map((await listUsers(tx)).map((u) => [u.id, u]));
    const sup = users.get(by);
    if (!sup) throw new ValidationError('by', `unknown user ${by}`);
    if (sup.role !== 'supervisor') throw new ValidationError('by', `${by} is a${sup.role === 'agent' || sup.role === 'agency_agent' ? 'n' : ''} ${sup.role}: only a supervisor re-assigns queue items`);
    const row = await tx.selectFrom('queue_items').innerJoin('account_state', 'account_state.account_id', 'queue_items.account_id')
      .selectAll('queue_items').select('account_state.bucket').where('queue_items.id', '=', itemId).executeTakeFirst();
    if (!row) throw new ValidationError('item', `no queue item ${itemId}`);
    const item = rowToItem(row);
    if (item.status !== 'open') throw new ValidationError('item', `queue item ${itemId} is ${item.status}: only open items are re-assigned`);
    const target = users.get(agentId);
    if (!target) throw new ValidationError('agent', `unknown user ${agentId}`);
    if (!CALLING_ROLES.includes(target.role)) throw new ValidationError('agent', `${agentId} is a ${target.role}: only ${CALLING_ROLES.join(' and ')} users take calls from the queue`);
    if (item.agentId === agentId) throw new ValidationError('agent', `queue item ${itemId} is already ${agentId}'s`);
    const party = item.partyId === null ? null : await getParty(tx, item.partyId);
    const languages = party ? party.languages : await borrowerLanguages(tx, item.accountId);
    const agencyId = (await placedWith(tx, [item.accountId], item.date)).get(item.accountId) ?? null;
    const mismatch = skillMismatch(target, { bucket: row.bucket, jurisdiction: await accountJurisdiction(tx, item.accountId), languages, agencyId });
    if (mismatch !== null) throw new ValidationError('agent', `${agentId} lacks the skills for queue item ${itemId}: ${mismatch}`);
    await tx.updateTable('queue_items').set({ agent_id: agentId, reason: null, updated_at: now }).where('id', '=', itemId).where('status', '=', 'open').execute();
    await audit(tx, 'queue.assign', `queue_item:${itemId}`, { item: itemId, account: item.accountId, from: item.agentId, to: agentId }, by, now);
    return { ...item, agentId, reason: null };
  });
}

export interface AgentStatus {
  agentId: string | null;
  assigned: number;
  done: number;
  skipped: number;
  open: number;
  /** wrapped-up items whose outcome was a promise to pay */
  promises: number;
  /** wrapped-up items that were right-party contacts (conversation outcomes) */
  rightPartyContacts: number;
}

/** Per agent (null: unassigned) for a business date, or all dates. */
export async function queueStatus(db: Db, date?: BusinessDate): Promise<AgentStatus[]> {
  let q = db.selectFrom('queue_items').select(['agent_id', 'status', 'outcome']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['agent_id', 'status', 'outcome']);
  if (date !== undefined) q = q.where('business_date', '=', date);
  const rows = await q.execute();
  const by = new Map<string | null, AgentStatus>();
  for (const r of rows) {
    const s = by.get(r.agent_id) ?? { agentId: r.agent_id, assigned: 0, done: 0, skipped: 0, open: 0, promises: 0, rightPartyContacts: 0 };
    const n = Number(r.n);
    s.assigned += n;
    if (r.status === 'done') {
      s.done += n;
      if (r.outcome === 'promise') s.promises += n;
      if (r.outcome !== null && isRightPartyContact(r.outcome as Outcome)) s.rightPartyContacts += n;
    } else if (r.status === 'skipped') s.skipped += n;
    else s.open += n;
    by.set(r.agent_id, s);
  }
  return [...by.values()].sort((a, b) => (a.agentId ?? '\uffff').localeCompare(b.agentId ?? '\uffff'));
}
