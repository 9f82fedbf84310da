/**
 * Complaints at the store: open (with the jurisdiction's response deadline), link the attempts,
 * agents and agencies a complaint names, move its status, list open and overdue ones, and the
 * complaint rate per agent or agency. Every change is a `complaint_events` row and an audit entry,
 * in the change's own transaction.
 */
import { type Selectable } from 'kysely';
import { addDays, parseDate, ValidationError, type BusinessDate } from '../core/index.js';
import {
  changeStatus, complaintDeadline, complaintRate, COMPLAINT_CATEGORIES, isOverdue, responseDays,
  type ComplaintCategory, type ComplaintStatus, type HasComplaintsPolicy, type Rate,
} from '../complaints/index.js';
import { atomically, audit } from './audit.js';
import type { Store } from './db.js';
import { existingAccountIds, type Db } from './repo.js';
import type { ComplaintsTable } from './schema.js';

export const LINK_KINDS = ['attempt', 'agent', 'agency'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export interface Links {
  /** gate decision ids (the attempts complained about); their agent and agency are linked too */
  attempts?: readonly number[];
  agents?: readonly string[];
  agencies?: readonly string[];
}

export interface Complaint {
  id: number;
  accountId: string;
  partyId: string | null;
  category: ComplaintCategory;
  status: ComplaintStatus;
  receivedOn: BusinessDate;
  dueOn: BusinessDate;
  responseDays: number;
  deadlineSource: string;
  summary: string | null;
  rootCause: string | null;
  resolution: string | null;
  openedAt: string;
  updatedAt: string;
  links: { attempts: number[]; agents: string[]; agencies: string[] };
}

export interface ComplaintEvent {
  at: string;
  actor: string;
  kind: string;
  from: ComplaintStatus | null;
  to: ComplaintStatus | null;
  data: Record<string, unknown>;
}

export interface ChangeOptions {
  actor?: string;
  /** ISO instant of the change (default: now) */
  now?: string;
}

export interface NewComplaint extends Links {
  accountId: string;
  partyId?: string | null;
  category: string;
  receivedOn: string;
  summary?: string | null;
  /** the packs in force for the account: the shortest `complaints.responseDays` applies (default 15) */
  packs?: readonly HasComplaintsPolicy[];
}

function rowToComplaint(r: Selectable<ComplaintsTable>, links: Complaint['links']): Complaint {
  return {
    id: Number(r.id), accountId: r.account_id, partyId: r.party_id, category: r.category as ComplaintCategory, status: r.status as ComplaintStatus,
    receivedOn: r.received_on, dueOn: r.due_on, responseDays: Number(r.response_days), deadlineSource: r.deadline_source, summary: r.summary,
    rootCause: r.root_cause, resolution: r.resolution, openedAt: r.opened_at, updatedAt: r.updated_at, links,
  };
}

async function loadLinks(db: Db, ids: readonly number[]): Promise<Map<number, Complaint['links']>> {
  const out = new Map<number, Complaint['links']>(ids.map((id) => [id, { attempts: [], agents: [], agencies: [] }]));
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('complaint_links').selectAll().where('complaint_id', 'in', [...ids]).orderBy('kind').orderBy('ref').execute();
  for (const r of rows) {
    const l = out.get(Number(r.complaint_id));
    if (!l) continue;
    if (r.kind === 'attempt') l.attempts.push(Number(r.ref));
    else if (r.kind === 'agent') l.agents.push(r.ref);
    else l.agencies.push(r.ref);
  }
  for (const l of out.values()) l.attempts.sort((a, b) => a - b);
  return out;
}

async function event(db: Db, id: number, kind: string, from: ComplaintStatus | null, to: ComplaintStatus | null, data: Record<string, unknown>, o: Required<ChangeOptions>): Promise<void> {
  await db.insertInto('complaint_events').values({ complaint_id: id, at: o.now, actor: o.actor, kind, from_status: from, to_status: to, data: JSON.stringify(data) }).execute();
  await audit(db, `complaint.${kind}`, `complaint:${id}`, { ...(from !== null || to !== null ? { from, to } : {}), ...data }, o.actor, o.now);
}

function options(o: ChangeOptions): Required<ChangeOptions> {
  const now = o.now ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) throw new ValidationError('now', `must be an ISO 8601 instant, got ${JSON.stringify(now)}`);
  return { actor: o.actor ?? 'system', now: new Date(Date.parse(now)).toISOString() };
}

/** Adds links (idempotent: a link already there is skipped); returns the links actually added. */
async function addLinks(db: Db, id: number, links: Links): Promise<{ kind: LinkKind; ref: string }[]> {
  const wanted: { kind: LinkKind; ref: string }[] = [];
  const attempts = [...new Set(links.attempts ?? [])];
  attempts.forEach((a, i) => {
    if (!Number.isSafeInteger(a) || a < 1) throw new ValidationError(`attempts[${i}]`, `must be a gate decision id (a whole number ≥ 1), got ${a}`);
  });
  if (attempts.length > 0) {
    const rows = await db.selectFrom('gate_decisions').select(['id', 'allowed', 'agent_id', 'agency_id']).where('id', 'in', attempts).execute();
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    for (const a of attempts) {
      const r = byId.get(a);
      if (!r) throw new ValidationError('attempt', `no gate decision ${a}`);
      if (r.allowed !== 1) throw new ValidationError('attempt', `gate decision ${a} was blocked: no attempt was made`);
      wanted.push({ kind: 'attempt', ref: String(a) });
      if (r.agent_id !== null) wanted.push({ kind: 'agent', ref: r.agent_id });
      if (r.agency_id !== null) wanted.push({ kind: 'agency', ref: r.agency_id });
    }
  }
  for (const [kind, list] of [['agent', links.agents ?? []], ['agency', links.agencies ?? []]] as const) {
    list.forEach((ref, i) => {
      if (typeof ref !== 'string' || ref.trim() === '') throw new ValidationError(`${kind === 'agent' ? 'agents' : 'agencies'}[${i}]`, 'must be a non-empty id');
      wanted.push({ kind, ref: ref.trim() });
    });
  }
  if (wanted.length === 0) return [];
  const have = await db.selectFrom('complaint_links').select(['kind', 'ref']).where('complaint_id', '=', id).execute();
  const seen = new Set(have.map((h) => `${h.kind}|${h.ref}`));
  const fresh: { kind: LinkKind; ref: string }[] = [];
  for (const w of wanted) {
    const k = `${w.kind}|${w.ref}`;
    if (seen.has(k)) continue;
    seen.add(k);
    fresh.push(w);
  }
  if (fresh.length > 0) await db.insertInto('complaint_links').values(fresh.map((f) => ({ complaint_id: id, kind: f.kind, ref: f.ref }))).execute();
  return fresh;
}

function linkData(added: readonly { kind: LinkKind; ref: string }[]): Record<string, unknown> {
  return {
    attempts: added.filter((a) => a.kind === 'attempt').map((a) => Number(a.ref)),
    agents: added.filter((a) => a.kind === 'agent').map((a) => a.ref),
    agencies: added.filter((a) => a.kind === 'agency').map((a) => a.ref),
  };
}

/** Opens a complaint; the deadline is the received date + the response days of the packs given. */
export async function openComplaint(store: Store, c: NewComplaint, opts: ChangeOptions = {}): Promise<Complaint> {
  const o = options(opts);
  if (typeof c.accountId !== 'string' || c.accountId === '') throw new ValidationError('accountId', 'is required');
  if (!(COMPLAINT_CATEGORIES as readonly string[]).includes(c.category)) {
    throw new ValidationError('category', `must be one of ${COMPLAINT_CATEGORIES.join(', ')}; got ${JSON.stringify(c.category)}`);
  }
  const receivedOn = parseDate(c.receivedOn, 'receivedOn');
  if (receivedOn > o.now.slice(0, 10)) throw new ValidationError('receivedOn', `must not be after today (${o.now.slice(0, 10)}), got ${receivedOn}`);
  const { days, source } = responseDays(c.packs ?? []);
  const dueOn = complaintDeadline(receivedOn, days);
  const id = await atomically(store.db, async (tx) => {
    if ((await existingAccountIds(tx, [c.accountId])).size === 0) throw new ValidationError('accountId', `unknown account ${c.accountId}`);
    const row = await tx.insertInto('complaints').values({
      account_id: c.accountId, party_id: c.partyId ?? null, category: c.category, status: 'open', received_on: receivedOn, due_on: dueOn,
      response_days: days, deadline_source: source, summary: c.summary ?? null, root_cause: null, resolution: null, opened_at: o.now, updated_at: o.now,
    }).returning('id').executeTakeFirstOrThrow();
    const newId = Number(row.id);
    await event(tx, newId, 'opened', null, 'open', { account: c.accountId, party: c.partyId ?? null, category: c.category, receivedOn, dueOn, responseDays: days, deadlineSource: source }, o);
    const added = await addLinks(tx, newId, c);
    if (added.length > 0) await event(tx, newId, 'linked', null, null, linkData(added), o);
    return newId;
  });
  return getComplaint(store.db, id);
}

/** Links attempts, agents and agencies to a complaint (already-linked ones are skipped). */
export async function linkComplaint(store: Store, id: number, links: Links, opts: ChangeOptions = {}): Promise<Complaint> {
  const o = options(opts);
  await atomically(store.db, async (tx) => {
    await getComplaint(tx, id);
    const added = await addLinks(tx, id, links);
    if (added.length > 0) await event(tx, id, 'linked', null, null, linkData(added), o);
  });
  return getComplaint(store.db, id);
}

export interface ComplaintUpdate extends Links {
  status?: ComplaintStatus;
  rootCause?: string | null;
  resolution?: string | null;
  note?: string | null;
}

/**
 * Moves a complaint's status (open → investigating → responded → closed; closing needs a root
 * cause and a resolution), records root cause / resolution, adds links. Refused when another
 * change to the same complaint committed in between.
 */
export async function updateComplaint(store: Store, id: number, u: ComplaintUpdate, opts: ChangeOptions = {}): Promise<Complaint> {
  const o = options(opts);
  await atomically(store.db, async (tx) => {
    const cur = await getComplaint(tx, id);
    const added = await addLinks(tx, id, u);
    if (added.length > 0) await event(tx, id, 'linked', null, null, linkData(added), o);
    const wantsChange = u.status !== undefined || u.rootCause !== undefined || u.resolution !== undefined;
    if (!wantsChange) {
      if (added.length === 0 && !u.note) throw new ValidationError('update', 'nothing to change: give a status, root cause, resolution, note or links');
      if (u.note) await event(tx, id, 'noted', null, null, { note: u.note }, o);
      return;
    }
    const next = changeStatus(cur, { status: u.status ?? cur.status, rootCause: u.rootCause ?? null, resolution: u.resolution ?? null });
    const r = await tx.updateTable('complaints')
      .set({ status: next.status, root_cause: next.rootCause, resolution: next.resolution, updated_at: o.now })
      .where('id', '=', id).where('status', '=', cur.status).where('updated_at', '=', cur.updatedAt)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new ValidationError('complaint', `complaint ${id} changed meanwhile; read it again and retry`);
    await event(tx, id, next.status === cur.status ? 'updated' : `status_${next.status}`, cur.status, next.status, {
      ...(next.rootCause !== cur.rootCause ? { rootCause: next.rootCause } : {}),
      ...(next.resolution !== cur.resolution ? { resolution: next.resolution } : {}),
      ...(u.note ? { note: u.note } : {}),
    }, o);
  });
  return getComplaint(store.db, id);
}

export async function getComplaint(db: Db, id: number): Promise<Complaint> {
  if (!Number.isSafeInteger(id) || id < 1) throw new ValidationError('id', `must be a complaint id (a whole number ≥ 1), got ${id}`);
  const row = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ValidationError('id', `no complaint ${id}`);
  const links = await loadLinks(db, [id]);
  return rowToComplaint(row, links.get(id) ?? { attempts: [], agents: [], agencies: [] });
}

/** The complaint's history, oldest first. */
export async function complaintHistory(db: Db, id: number): Promise<ComplaintEvent[]> {
  const rows = await db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', id).orderBy('id').execute();
  return rows.map((r) => ({
    at: r.at, actor: r.actor, kind: r.kind, from: r.from_status as ComplaintStatus | null, to: r.to_status as ComplaintStatus | null,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }));
}

export interface ComplaintFilter {
  status?: ComplaintStatus;
  accountId?: string;
  /** only complaints overdue on this date (past due and not responded to) */
  overdueOn?: BusinessDate;
}

/** Complaints by due date, then id. */
export async function listComplaints(db: Db, f: ComplaintFilter = {}): Promise<Complaint[]> {
  let q = db.selectFrom('complaints').selectAll();
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.accountId !== undefined) q = q.where('account_id', '=', f.accountId);
  if (f.overdueOn !== undefined) q = q.where('status', 'in', ['open', 'investigating']).where('due_on', '<', parseDate(f.overdueOn, 'overdueOn'));
  const rows = await q.orderBy('due_on').orderBy('id').execute();
  const links = await loadLinks(db, rows.map((r) => Number(r.id)));
  const out = rows.map((r) => rowToComplaint(r, links.get(Number(r.id)) ?? { attempts: [], agents: [], agencies: [] }));
  return f.overdueOn === undefined ? out : out.filter((c) => isOverdue(c, f.overdueOn as BusinessDate));
}

/** Complaints overdue on `asOf`: past their deadline and not responded to. */
export function listOverdue(db: Db, asOf: BusinessDate): Promise<Complaint[]> {
  return listComplaints(db, { overdueOn: asOf });
}

export interface RateRow extends Rate {
  /** the agent or agency id */
  id: string;
}

/**
 * Complaint rate per agent or agency: complaints naming them (received in [from, to]) per 1,000
 * attempts they made (allowed gate decisions whose instant falls on a UTC date in [from, to]),
 * rounded half-up to 2 decimals. Sorted by rate, highest first (undefined rates last), then id.
 */
export async function complaintRates(db: Db, by: 'agent' | 'agency', period: { from?: BusinessDate; to?: BusinessDate } = {}): Promise<RateRow[]> {
  const from = period.from === undefined ? undefined : parseDate(period.from, 'from');
  const to = period.to === undefined ? undefined : parseDate(period.to, 'to');
  if (from !== undefined && to !== undefined && to < from) throw new ValidationError('to', `must not be before from (${from})`);
  let cq = db.selectFrom('complaint_links as l').innerJoin('complaints as c', 'c.id', 'l.complaint_id')
    .select((eb) => ['l.ref as id', eb.fn.count<number>('l.complaint_id').distinct().as('n')])
    .where('l.kind', '=', by);
  if (from !== undefined) cq = cq.where('c.received_on', '>=', from);
  if (to !== undefined) cq = cq.where('c.received_on', '<=', to);
  const col = by === 'agent' ? 'agent_id' : 'agency_id';
  let aq = db.selectFrom('gate_decisions').select((eb) => [`${col} as id`, eb.fn.countAll<number>().as('n')])
    .where('allowed', '=', 1).where(col, 'is not', null);
  if (from !== undefined) aq = aq.where('at', '>=', `${from}T00:00:00.000Z`);
  if (to !== undefined) aq = aq.where('at', '<', `${addDays(to, 1)}T00:00:00.000Z`);
  const [complaints, attempts] = await Promise.all([cq.groupBy('l.ref').execute(), aq.groupBy(col).execute()]);
  const ids = new Map<string, { c: number; a: number }>();
  for (const r of complaints) ids.set(r.id, { c: Number(r.n), a: 0 });
  for (const r of attempts) {
    if (r.id === null) continue;
    const e = ids.get(r.id) ?? { c: 0, a: 0 };
    e.a = Number(r.n);
    ids.set(r.id, e);
  }
  const key = (r: RateRow): number => (r.perThousand === null ? -1 : Number(r.perThousand));
  return [...ids.entries()].map(([id, e]) => ({ id, ...complaintRate(e.c, e.a) }))
    .sort((a, b) => key(b) - key(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
