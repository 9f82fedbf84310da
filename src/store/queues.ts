/**
 * Work queues at the store (docs/work-queues.md): users, building a business date's queue from its
 * planned call tasks (the ranking and dealing are pure, src/queues/), the next callable account for
 * an agent (asking the pure gate — asking is not an attempt) and wrapping up an item (the attempt:
 * decided and recorded through decideAndRecord, its outcome recorded).
 */
import { DomainError, ValidationError, type BusinessDate } from '../core/index.js';
import { attemptRequest, decide, GATE_OUTCOMES, localTime, type AttemptRequest, type Decision, type GateContext, type GateOutcome } from '../compliance/index.js';
import { OUTCOMES, type Outcome } from '../contact/index.js';
import { buildQueue, parseUser, type Assignment, type PriorityFn, type QueueTask, type User } from '../queues/index.js';
import { zonesOf } from '../channels/phone-zones.js';
import { loadGateFacts } from './acts.js';
import { audit } from './audit.js';
import { rowToBorrower } from './codec.js';
import type { Store } from './db.js';
import { borrowerCountry, decideAndRecord, jurisdictionFor, loadGateHistory, loadJurisdictions, recordGateOutcome, type RecordedDecision } from './gate.js';
import { recordAttempts, type Db } from './repo.js';

/** The rule packs and holidays for an account's contacts at an instant (the CLI loads them from `gate jurisdiction`). */
export type PacksFor = (accountId: string, at: string) => Promise<Pick<GateContext, 'packs' | 'holidays'>>;

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
  promises?: { broken?: unknown };
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
  // facts as of each account's latest stage move (propensity, broken promises)
  const facts = new Map<string, MoveFacts>();
  const moves = await db.selectFrom('stage_moves').select(['account_id', 'facts']).where('account_id', 'in', ids).where('business_date', '<=', date).orderBy('id').execute();
  for (const m of moves) facts.set(m.account_id, JSON.parse(m.facts) as MoveFacts);
  const borrowers = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['accounts.id as account_id', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', 'in', ids).execute();
  const j = await loadJurisdictions(db);
  const jur = new Map(borrowers.map((b) => [b.account_id, jurisdictionFor(j, borrowerCountry(rowToBorrower(b)))]));
  return tasks.map((t) => {
    const f = facts.get(t.account_id);
    const party = t.party ?? 'borrower';
    return {
      taskId: Number(t.id), accountId: t.account_id, overdue: Number(t.overdue), bucket: t.bucket,
      propensity: typeof f?.propensity === 'number' ? f.propensity : null,
      brokenPromise: typeof f?.promises?.broken === 'number' && f.promises.broken > 0,
      jurisdiction: jur.get(t.account_id) ?? null, languages: [],
      unqueueable: party === 'borrower' ? null : `calls to a ${party} are not queued yet (borrower calls only)`,
    };
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
    const out = buildQueue(tasks, await listUsers(tx), { alreadyAssigned, ...(priority ? { priority } : {}) });
    const queued = new Set((await tx.selectFrom('queue_items').select('task_id').where('business_date', '=', date).where('agent_id', 'is', null).where('status', '=', 'open').execute()).map((r) => Number(r.task_id)));
    for (const a of out.filter((x) => queued.has(x.taskId))) {
      await tx.updateTable('queue_items').set({ agent_id: a.agentId, priority: a.priority, reason: a.reason, updated_at: now }).where('task_id', '=', a.taskId).execute();
    }
    const fresh = out.filter((x) => !queued.has(x.taskId));
    if (fresh.length > 0) {
      await tx.insertInto('queue_items').values(fresh.map((a) => ({
        task_id: a.taskId, business_date: date, account_id: a.accountId, agent_id: a.agentId, priority: a.priority,
        status: 'open', reason: a.reason, decision_id: null, outcome: null, updated_at: now,
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
}

async function callRequest(db: Db, accountId: string, at: string): Promise<{ request: AttemptRequest; borrowerName: string; timezone: string }> {
  const row = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', accountId).executeTakeFirst();
  if (!row) throw new ValidationError('account', `unknown account "${accountId}"`);
  const b = rowToBorrower(row);
  const zones = await zonesOf([b.timezone], b.phones);
  const request = attemptRequest({ id: b.id, kind: 'borrower', zones, flags: {}, phones: b.phones, emails: b.emails, addresses: b.addresses }, { accountId, channel: 'call', at });
  return { request, borrowerName: b.name, timezone: b.timezone };
}

/** The pure gate's answer with the recorded history and acts — nothing is recorded. */
async function ask(db: Db, req: AttemptRequest, base: Pick<GateContext, 'packs' | 'holidays'>): Promise<Decision> {
  const facts = await loadGateFacts(db, req.debtId, req.party.id, req.at);
  return decide(req, { ...base, history: await loadGateHistory(db, req), holds: facts.holds, optOuts: facts.optOuts, workplaceForbidden: facts.workplaceForbidden, refusedContact: facts.refusedContact });
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
  borrowerName: string | null;
  /** open items the gate blocks now, in priority order */
  skipped: SkippedItem[];
  /** nothing callable: the earliest instant a skipped item frees up (null: none known) */
  nextAt: string | null;
}

function rowToItem(r: { id: number; task_id: number; business_date: string; account_id: string; agent_id: string | null; priority: number; status: string; reason: string | null }): QueueItem {
  return { id: Number(r.id), taskId: Number(r.task_id), date: r.business_date, accountId: r.account_id, agentId: r.agent_id, priority: Number(r.priority), status: r.status as QueueItem['status'], reason: r.reason };
}

/** The agent's highest-priority open item whose borrower may be called at `now`; blocked items are skipped with their nextAllowedAt. */
export async function nextAccount(store: Store, agentId: string, now: string, packsFor: PacksFor): Promise<NextAccount> {
  if (Number.isNaN(Date.parse(now))) throw new ValidationError('at', `must be an ISO 8601 instant, got ${JSON.stringify(now)}`);
  const at = new Date(Date.parse(now)).toISOString();
  const rows = await store.db.selectFrom('queue_items').selectAll().where('agent_id', '=', agentId).where('status', '=', 'open')
    .orderBy('priority', 'desc').orderBy('id').execute();
  const skipped: SkippedItem[] = [];
  for (const r of rows) {
    const item = rowToItem(r);
    const { request, borrowerName } = await callRequest(store.db, item.accountId, at);
    const d = await ask(store.db, request, await packsFor(item.accountId, at));
    if (d.allowed) return { item, request, borrowerName, skipped, nextAt: null };
    skipped.push({ item, rule: d.rule, reason: d.reason, nextAllowedAt: d.nextAllowedAt });
  }
  const times = skipped.map((s) => s.nextAllowedAt).filter((t): t is string => t !== null).sort();
  return { item: null, request: null, borrowerName: null, skipped, nextAt: times[0] ?? null };
}

export interface WrapUp {
  item: QueueItem;
  decision: RecordedDecision;
}

/**
 * The attempt on an open item at `at`: decided and recorded (decideAndRecord, by the item's agent and their agency);
 * when allowed, its outcome is recorded (gate outcome and contact attempt) and the item is done.
 * When the gate blocks, the blocked decision is recorded and the item stays open.
 */
export async function wrapUp(store: Store, itemId: number, outcome: string, opts: { at: string; packsFor: PacksFor }): Promise<WrapUp> {
  if (!(OUTCOMES as readonly string[]).includes(outcome) || !(GATE_OUTCOMES as readonly string[]).includes(outcome)) {
    throw new ValidationError('outcome', `must be one of ${OUTCOMES.join(', ')}, got ${JSON.stringify(outcome)}`);
  }
  const ms = Date.parse(opts.at);
  if (Number.isNaN(ms)) throw new ValidationError('at', `must be an ISO 8601 instant, got ${JSON.stringify(opts.at)}`);
  const row = await store.db.selectFrom('queue_items').selectAll().where('id', '=', itemId).executeTakeFirst();
  if (!row) throw new ValidationError('item', `no queue item ${itemId}`);
  const item = rowToItem(row);
  if (item.status !== 'open') throw new ValidationError('item', `queue item ${itemId} is ${item.status}, not open`);
  if (item.agentId === null) throw new ValidationError('item', `queue item ${itemId} is unassigned (${item.reason ?? ''})`);
  const at = new Date(ms).toISOString();
  const { request, timezone } = await callRequest(store.db, item.accountId, at);
  const base = await opts.packsFor(item.accountId, at);
  // an agency agent's attempts count for their agency too (complaint rates)
  const agent = await store.db.selectFrom('users').select('agency_id').where('id', '=', item.agentId).executeTakeFirst();
  const decision = await decideAndRecord(store, request, { ...base, holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false },
    { agentId: item.agentId, agencyId: agent?.agency_id ?? null });
  if (!decision.allowed) return { item, decision };
  await recordGateOutcome(store, decision.id, outcome as GateOutcome);
  const l = localTime(ms, timezone);
  const time = `${String(Math.floor(l.minute / 60)).padStart(2, '0')}:${String(l.minute % 60).padStart(2, '0')}`;
  await recordAttempts(store.db, [{ accountId: item.accountId, date: l.date, time, party: 'borrower', channel: 'call', outcome: outcome as Outcome, promise: null }]);
  const done = await store.db.updateTable('queue_items').set({ status: 'done', decision_id: decision.id, outcome, updated_at: new Date().toISOString() })
    .where('id', '=', itemId).where('status', '=', 'open').executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw new DomainError('queue.item', `queue item ${itemId} was wrapped up concurrently`);
  return { item: { ...item, status: 'done' }, decision };
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

export interface AgentStatus {
  agentId: string | null;
  assigned: number;
  done: number;
  skipped: number;
  open: number;
}

/** Per agent (null: unassigned) for a business date, or all dates. */
export async function queueStatus(db: Db, date?: BusinessDate): Promise<AgentStatus[]> {
  let q = db.selectFrom('queue_items').select(['agent_id', 'status']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['agent_id', 'status']);
  if (date !== undefined) q = q.where('business_date', '=', date);
  const rows = await q.execute();
  const by = new Map<string | null, AgentStatus>();
  for (const r of rows) {
    const s = by.get(r.agent_id) ?? { agentId: r.agent_id, assigned: 0, done: 0, skipped: 0, open: 0 };
    const n = Number(r.n);
    s.assigned += n;
    if (r.status === 'done') s.done += n;
    else if (r.status === 'skipped') s.skipped += n;
    else s.open += n;
    by.set(r.agent_id, s);
  }
  return [...by.values()].sort((a, b) => (a.agentId ?? '\uffff').localeCompare(b.agentId ?? '\uffff'));
}
