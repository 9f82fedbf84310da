/**
 * Field visits at the store: the visit tasks of a date (from `tasks`), saved day plans (newest
 * wins for a date) and visit reports. Each save appends an audit entry in the same transaction.
 * See docs/field-visits.md.
 */
import { ValidationError, type BusinessDate } from '../core/index.js';
import { attemptRequest, checkInstant, decide, localTime, type AttemptRequest } from '../compliance/index.js';
import type { Borrower } from '../contact/index.js';
import { contactOutcomeOf, visitReached, type DayPlan, type VisitAddress, type VisitReport } from '../field/index.js';
import type { VisitRecord } from '../strategy/index.js';
import { zonesOf } from '../channels/phone-zones.js';
import { loadGateFacts } from './acts.js';
import { appendAudit, atomically, audit, changeOptions, type ChangeOptions } from './audit.js';
import { rowToBorrower } from './codec.js';
import type { Store } from './db.js';
import { decideAndRecord, loadGateHistory, type PacksFor, type RecordedDecision } from './gate.js';
import { withLocks } from './locks.js';
import { checkContactResult, MAX_NOTE_LENGTH, recordContactResultIn } from './outcomes.js';
import type { Db } from './repo.js';

export type { ChangeOptions } from './audit.js';

export interface StoredVisitTask {
  /** tasks.id as text */
  id: string;
  accountId: string;
  /** residential (default) or id_card */
  address: string;
  priority: number;
}

/** The visit tasks the cycle planned for a date, by account and id. */
export async function visitTasksFor(db: Db, date: BusinessDate): Promise<StoredVisitTask[]> {
  const rows = await db.selectFrom('tasks').select(['id', 'account_id', 'address', 'priority'])
    .where('business_date', '=', date).where('type', '=', 'visit').orderBy('account_id').orderBy('id').execute();
  return rows.map((r) => ({ id: String(r.id), accountId: r.account_id, address: r.address ?? 'residential', priority: Number(r.priority) }));
}

/** Saves a day plan for a date; returns its id. */
export async function saveDayPlan(db: Db, date: BusinessDate, plan: DayPlan, o: ChangeOptions = {}): Promise<number> {
  const { actor, now } = changeOptions(o);
  const stops = plan.routes.reduce((n, r) => n + r.stops.length, 0);
  return atomically(db, async (tx) => {
    const row = await tx.insertInto('field_plans').values({
      business_date: date, data: JSON.stringify(plan), stops, left_over: plan.leftOver.length, actor, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    await audit(tx, 'field.plan_saved', `field-plan:${date}`, {
      id, date, routes: plan.routes.map((r) => ({ unit: r.unit, accounts: r.stops.map((s) => s.accountId) })), leftOver: plan.leftOver.length,
    }, actor, now);
    return id;
  });
}

/** The newest plan saved for a date. */
export async function latestDayPlan(db: Db, date: BusinessDate): Promise<{ id: number; plan: DayPlan; actor: string; createdAt: string } | null> {
  const r = await db.selectFrom('field_plans').selectAll().where('business_date', '=', date).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? { id: Number(r.id), plan: JSON.parse(r.data) as DayPlan, actor: r.actor, createdAt: r.created_at } : null;
}

/** The rule packs and holidays for an account's contacts at an instant (the CLI: `arrears gate jurisdiction`, else `--pack`). */
export type VisitGateFor = PacksFor;

/** The visiting team, as the gate's field-visit rules check it. */
export interface VisitTeam {
  /** the collectors' ids; the first is recorded as the decision's agent (their agency from `users`, if any) */
  collectors: readonly string[];
  /** the visit is recorded (audio or video) */
  recording: boolean;
  /** the customer was told of the visit and its purpose beforehand (uk-conc home-visit) */
  noticeGiven: boolean;
}

export interface CheckIn extends VisitTeam {
  accountId: string;
  /** ISO instant of the check-in at the address */
  at: string;
  /** default residential */
  address?: VisitAddress;
}

export interface CheckedIn {
  decision: RecordedDecision;
  /** the address line visited (the decision's contact point) */
  contactPoint: string;
  /** the visit's business date: the check-in's local date in the borrower's zone */
  localDate: BusinessDate;
}

async function borrowerOf(db: Db, accountId: string): Promise<Borrower> {
  const row = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', accountId).executeTakeFirst();
  if (!row) throw new ValidationError('account', `unknown account "${accountId}"`);
  return rowToBorrower(row);
}

/** The address line a visit to `address` goes to: the borrower's residential (else first) or ID-card address; `BORROWER/visit:ADDRESS` when none is on file. */
export function visitContactPoint(b: Pick<Borrower, 'id' | 'addresses'>, address: VisitAddress): string {
  const found = address === 'residential' ? b.addresses.find((a) => a.kind === 'residential') ?? b.addresses[0] : b.addresses.find((a) => a.kind === 'id-card');
  return found?.line ?? `${b.id}/visit:${address}`;
}

const visitInstant = (at: string, field: string): number => checkInstant(at, field, '2026-03-02T10:30:00+08:00');

function checkTeam(t: VisitTeam, field: string): void {
  if (t.collectors.length === 0 || t.collectors.some((c) => typeof c !== 'string' || c.trim() === '')) throw new ValidationError(field, 'must name the collectors (agent ids), at least one');
  if (new Set(t.collectors).size !== t.collectors.length) throw new ValidationError(field, `must not name a collector twice, got ${t.collectors.join(', ')}`);
}

/** The role of the lender's own field staff; an agency's field visits are made by its `agency_agent`s. */
export const FIELD_ROLE = 'field_agent';

const COLLECTOR_RULE = 'a collector must be a known user: one of the lender\'s field agents (role field_agent) or an agency agent (role agency_agent) of the agency the account is placed with on the visit\'s date';

/** The agency an account is placed with on `date` (the placement's window is [placed_on, recalled_on ?? ends_on)); null: in house. */
async function placedOnDate(db: Db, accountId: string, date: BusinessDate): Promise<string | null> {
  const rows = await db.selectFrom('placements').select(['agency_id', 'ends_on', 'recalled_on']).where('account_id', '=', accountId)
    .where('placed_on', '<=', date).orderBy('id').execute();
  let agency: string | null = null;
  for (const r of rows) if ((r.recalled_on ?? r.ends_on) > date) agency = r.agency_id;
  return agency;
}

/**
 * Who may visit `accountId` on `date` (the visit's local date): every collector a known user, either the
 * lender's field staff (role field_agent) or agency agents of the agency the account is placed with on
 * that date — not both in one team. Returns the team's agency (null: the lender's own staff); throws
 * ValidationError `collectors[i]` naming the rule otherwise. Read-only: asked before the gate.
 */
export async function checkCollectors(db: Db, accountId: string, collectors: readonly string[], date: BusinessDate, field = 'collectors'): Promise<string | null> {
  const users = collectors.length === 0 ? [] : await db.selectFrom('users').select(['id', 'role', 'agency_id']).where('id', 'in', [...collectors]).execute();
  const byId = new Map(users.map((u) => [u.id, u]));
  let placed: string | null | undefined;
  let team: { agency: string | null; who: string } | null = null;
  for (const [i, id] of collectors.entries()) {
    const f = `${field}[${i}]`;
    const u = byId.get(id);
    if (!u) throw new ValidationError(f, `unknown user "${id}": ${COLLECTOR_RULE}`);
    let agency: string | null;
    if (u.role === FIELD_ROLE) agency = null;
    else if (u.role === 'agency_agent' && u.agency_id !== null) {
      if (placed === undefined) placed = await placedOnDate(db, accountId, date);
      if (placed !== u.agency_id) {
        throw new ValidationError(f, `${id} is an agent of agency ${u.agency_id}, but account ${accountId} is ${placed === null ? 'not placed with an agency' : `placed with agency ${placed}`} on ${date} (agency.scope): ${COLLECTOR_RULE}`);
      }
      agency = u.agency_id;
    } else {
      throw new ValidationError(f, `${id} is a${u.role === 'agent' || u.role === 'agency_agent' ? 'n' : ''} ${u.role}: ${COLLECTOR_RULE}`);
    }
    if (team === null) team = { agency, who: id };
    else if (team.agency !== agency) {
      const side = (a: string | null): string => (a === null ? 'the lender\'s field staff' : `agency ${a}`);
      throw new ValidationError(f, `${id} is of ${side(agency)} but ${team.who} is of ${side(team.agency)}: a visiting team is all the lender's field agents or all agents of the agency the account is placed with, not mixed`);
    }
  }
  return team?.agency ?? null;
}

async function visitRequestFor(db: Db, accountId: string, at: string, team: VisitTeam, address: VisitAddress): Promise<{ request: AttemptRequest; borrower: Borrower }> {
  const b = await borrowerOf(db, accountId);
  const zones = await zonesOf([b.timezone], b.phones);
  const request = attemptRequest({ id: b.id, kind: 'borrower', zones, flags: {}, phones: b.phones, emails: b.emails, addresses: b.addresses }, {
    accountId, channel: 'visit', at, to: visitContactPoint(b, address),
    visit: { collectors: team.collectors.length, recording: team.recording, noticeGiven: team.noticeGiven },
  });
  return { request, borrower: b };
}

/**
 * The check-in: the visit asked of the gate at the address (channel visit, the team's size, recording and notice
 * as the packs' field-visit rules check them, the packs' visit hours in every zone of the borrower) and the
 * decision recorded (decideAndRecord; agent = the first collector). A blocked decision is recorded too: the
 * visit must not happen.
 */
export async function checkInVisit(store: Store, c: CheckIn, gateFor: VisitGateFor): Promise<CheckedIn> {
  const ms = visitInstant(c.at, 'at');
  checkTeam(c, 'collectors');
  const at = new Date(ms).toISOString();
  const { request, borrower } = await visitRequestFor(store.db, c.accountId, at, c, c.address ?? 'residential');
  // who may visit, before the gate is asked (nothing recorded for a team that may not go)
  const agencyId = await checkCollectors(store.db, c.accountId, c.collectors, localTime(ms, borrower.timezone).date);
  const base = await gateFor(c.accountId, at);
  const lead = c.collectors[0] as string;
  // the team is recorded with the decision, in its transaction: a report against it must name exactly this team
  const decision = await decideAndRecord(store, request, { ...base, holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false },
    { agentId: lead, agencyId }, async (tx, _dialect, d) => {
      await tx.insertInto('field_checkins').values({ decision_id: d.id, account_id: c.accountId, collectors: JSON.stringify(c.collectors) }).execute();
    });
  return { decision, contactPoint: request.contactPoint.id, localDate: localTime(ms, borrower.timezone).date };
}

/** The team checked in for a visit decision; null for decisions checked in before migration 018 (no team stored). */
export async function checkedInTeam(db: Db, decisionId: number): Promise<string[] | null> {
  const row = await db.selectFrom('field_checkins').select('collectors').where('decision_id', '=', decisionId).executeTakeFirst();
  return row ? (JSON.parse(row.collectors) as string[]) : null;
}

/**
 * A report against a check-in names exactly the team checked in (the same set, in any order): nobody who was not
 * there, nobody who was left out. ValidationError `collectors` naming the rule otherwise.
 */
export function checkSameTeam(team: readonly string[], collectors: readonly string[], decisionId: number): void {
  const list = `team: ${team.join(', ')}`;
  const extra = collectors.filter((c) => !team.includes(c));
  if (extra.length > 0) {
    throw new ValidationError('collectors', `the report names ${extra.join(', ')}, who ${extra.length === 1 ? 'was' : 'were'} not checked in for decision ${decisionId} (${list}): a visit report must name exactly the team that checked in`);
  }
  const missing = team.filter((c) => !collectors.includes(c));
  if (missing.length > 0) {
    throw new ValidationError('collectors', `the report leaves out ${missing.join(', ')}, who checked in for decision ${decisionId} (${list}): a visit report must name exactly the team that checked in`);
  }
}

/**
 * Asks the gate (nothing recorded: asking is not a visit) whether each account may be visited at `at` — for a
 * day plan, the start of the visit hours on the day. Returns the blocked accounts with the rule and the reason.
 */
export async function visitsBlocked(store: Store, accountIds: readonly string[], at: (timezone: string) => string, team: VisitTeam, gateFor: VisitGateFor): Promise<Map<string, { rule: string | null; reason: string }>> {
  const out = new Map<string, { rule: string | null; reason: string }>();
  for (const accountId of [...new Set(accountIds)].sort()) {
    const b = await borrowerOf(store.db, accountId);
    const when = at(b.timezone);
    const { request } = await visitRequestFor(store.db, accountId, when, team, 'residential');
    const facts = await loadGateFacts(store.db, request.debtId, request.party.id, request.at);
    const d = decide(request, {
      ...await gateFor(accountId, when), history: await loadGateHistory(store.db, request),
      holds: facts.holds, optOuts: facts.optOuts, workplaceForbidden: facts.workplaceForbidden, refusedContact: facts.refusedContact,
    });
    if (!d.allowed) out.set(accountId, { rule: d.rule, reason: d.reason });
  }
  return out;
}

export interface ReportOptions extends ChangeOptions {
  /** the allowed gate decision of the check-in (`arrears field check-in`); without it the report's `checkIn.at` is checked in now */
  decisionId?: number;
  /** needed without `decisionId`: the packs the check-in is decided against */
  gateFor?: VisitGateFor;
  /** without `decisionId`: notice of the visit was given (default true) */
  noticeGiven?: boolean;
}

export type ReportResult =
  | { recorded: true; id: number; decisionId: number; attemptId: number; duplicate: boolean }
  /** the gate blocked the visit: nothing but the blocked decision is recorded */
  | { recorded: false; decisionId: number; rule: string | null; reason: string; nextAllowedAt: string | null };

/**
 * Records a visit report against the allowed gate decision of its check-in, in one transaction under the
 * debt's and the borrower's locks: the report (with the decision and the address visited), the decision's
 * outcome and the contact attempt the strategy reads (recordContactResultIn: channel visit, the field agent of
 * the decision, a promise to pay when the report has one) and an audit entry. Idempotent per decision: the same
 * report again is a duplicate; another report for the same decision is refused.
 *
 * Without `decisionId` the report's `checkIn.at` is decided first (checkInVisit with the report's collectors; a
 * recording when its evidence has audio or video). A decision the gate blocked — given, or decided here —
 * refuses the report with the rule and the reason (`recorded: false`).
 */
export async function reportVisit(store: Store, accountId: string, report: VisitReport, o: ReportOptions = {}): Promise<ReportResult> {
  const { actor, now } = changeOptions(o);
  let decisionId = o.decisionId;
  if (decisionId === undefined) {
    if (report.checkIn.at === undefined) throw new ValidationError('checkIn.at', 'is required without a decision: the instant the collectors checked in, which the gate decides (or check in first with `arrears field check-in` and pass --decision)');
    if (!o.gateFor) throw new ValidationError('decision', 'is required: the gate decision of the check-in');
    // the same report again: its check-in was decided already
    const same = await store.db.selectFrom('visit_reports').select(['id', 'decision_id']).where('account_id', '=', accountId).where('data', '=', JSON.stringify(report))
      .where('decision_id', 'is not', null).orderBy('id').executeTakeFirst();
    if (same) {
      const attempt = await store.db.selectFrom('attempts').select('id').where('decision_id', '=', Number(same.decision_id)).executeTakeFirst();
      return { recorded: true, id: Number(same.id), decisionId: Number(same.decision_id), attemptId: Number(attempt?.id ?? 0), duplicate: true };
    }
    const b = await borrowerOf(store.db, accountId);
    const localDate = localTime(visitInstant(report.checkIn.at, 'checkIn.at'), b.timezone).date;
    if (localDate !== report.date) throw new ValidationError('date', `must be the check-in's date in the borrower's zone (${b.timezone}): ${localDate}, got ${report.date}`);
    const recording = report.evidence.some((e) => e.mediaType.startsWith('audio/') || e.mediaType.startsWith('video/'));
    const c = await checkInVisit(store, {
      accountId, at: report.checkIn.at, address: report.address, collectors: report.collectors, recording, noticeGiven: o.noticeGiven ?? true,
    }, o.gateFor);
    if (!c.decision.allowed) return { recorded: false, decisionId: c.decision.id, rule: c.decision.rule, reason: c.decision.reason, nextAllowedAt: c.decision.nextAllowedAt };
    decisionId = c.decision.id;
  }
  if (!Number.isSafeInteger(decisionId) || decisionId <= 0) throw new ValidationError('decision', `must be a gate decision id, got ${String(decisionId)}`);
  const id = decisionId;
  const d = await store.db.selectFrom('gate_decisions').select(['debt_id', 'party_id', 'channel', 'allowed', 'rule', 'reason', 'next_allowed_at', 'at', 'agent_id', 'agency_id', 'contact_point'])
    .where('id', '=', id).executeTakeFirst();
  if (!d) throw new ValidationError('decision', `unknown gate decision ${id}`);
  if (d.debt_id !== accountId) throw new ValidationError('decision', `decision ${id} is about ${d.debt_id}, not ${accountId}`);
  if (d.channel !== 'visit') throw new ValidationError('decision', `decision ${id} is a ${d.channel}, not a visit`);
  if (d.allowed !== 1) return { recorded: false, decisionId: id, rule: d.rule, reason: d.reason, nextAllowedAt: d.next_allowed_at };
  const b = await borrowerOf(store.db, accountId);
  const localDate = localTime(Date.parse(d.at), b.timezone).date;
  if (report.date !== localDate) throw new ValidationError('date', `must be the date of the check-in (decision ${id}) in the borrower's zone: ${localDate}, got ${report.date}`);
  const teamAgency = await checkCollectors(store.db, accountId, report.collectors, localDate);
  // exactly the team that checked in; a decision checked in before migration 018 has no team stored: the agent who
  // checked in among the collectors, and the team of the same side (below)
  const team = await checkedInTeam(store.db, id);
  if (team !== null) checkSameTeam(team, report.collectors, id);
  else if (d.agent_id !== null && !report.collectors.includes(d.agent_id)) {
    throw new ValidationError('collectors', `must include ${d.agent_id}, who checked in (decision ${id}), got ${report.collectors.join(', ') || 'none'}`);
  }
  if (teamAgency !== d.agency_id) {
    throw new ValidationError('collectors', `are ${teamAgency === null ? 'the lender\'s field staff' : `agents of agency ${teamAgency}`}, but the check-in (decision ${id}) was by ${d.agency_id === null ? 'the lender\'s field staff' : `agency ${d.agency_id}`}`);
  }
  const cp = visitContactPoint(b, report.address);
  if (cp !== d.contact_point) throw new ValidationError('address', `decision ${id} was for ${d.contact_point}, the ${report.address} address is ${cp}`);
  const result = checkContactResult({
    decisionId: id, outcome: contactOutcomeOf(report),
    promise: report.promise ? { amount: report.promise.amount, due: report.promise.date } : null,
    note: report.notes === null ? null : report.notes.slice(0, MAX_NOTE_LENGTH), // the report keeps all of them
  });
  const data = JSON.stringify(report);

  return withLocks(store, [`debt:${accountId}`, `party:${d.party_id}`], async (tx, dialect) => {
    const prior = await tx.selectFrom('visit_reports').select(['id', 'data']).where('decision_id', '=', id).executeTakeFirst();
    if (prior) {
      if (prior.data !== data) throw new ValidationError('decision', `decision ${id} already has visit report ${Number(prior.id)}; a different report cannot replace it`);
      const attempt = await tx.selectFrom('attempts').select('id').where('decision_id', '=', id).executeTakeFirst();
      return { recorded: true, id: Number(prior.id), decisionId: id, attemptId: Number(attempt?.id ?? 0), duplicate: true };
    }
    const contact = await recordContactResultIn(tx, dialect, result, { actor: d.agent_id ?? actor, now });
    const row = await tx.insertInto('visit_reports').values({
      account_id: accountId, visit_date: report.date, met: report.met, outcome: report.outcome, data, actor, recorded_at: now, decision_id: id, address: report.address,
    }).returning('id').executeTakeFirstOrThrow();
    const reportId = Number(row.id);
    await appendAudit(tx, dialect, [{
      at: now, actor, kind: 'field.visit_reported', entity: `account:${accountId}`,
      data: JSON.stringify({
        id: reportId, decision: id, attempt: contact.attemptId, date: report.date, address: report.address, met: report.met, outcome: report.outcome,
        promise: report.promise, evidence: report.evidence.map((e) => e.name), collectors: report.collectors,
      }),
    }]);
    return { recorded: true, id: reportId, decisionId: id, attemptId: contact.attemptId, duplicate: false };
  });
}

/**
 * Stores a visit report only — for callers that recorded the check-in's contact result themselves
 * (recordContactResult on the decision). The report is linked to `decisionId`, else to the account's allowed
 * visit decision at the report's `checkIn.at`, if there is one (the facts then count the visit once). Prefer
 * `reportVisit`, which does both in one transaction.
 */
export async function recordVisitReport(db: Db, accountId: string, report: VisitReport, o: ChangeOptions & { decisionId?: number } = {}): Promise<number> {
  const { actor, now } = changeOptions(o);
  return atomically(db, async (tx) => {
    const acc = await tx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!acc) throw new ValidationError('account', `unknown account "${accountId}"`);
    await checkCollectors(tx, accountId, report.collectors, report.date);
    let decisionId = o.decisionId ?? null;
    if (decisionId === null && report.checkIn.at !== undefined) {
      const d = await tx.selectFrom('gate_decisions').select('id').where('debt_id', '=', accountId).where('channel', '=', 'visit').where('allowed', '=', 1)
        .where('at', '=', new Date(Date.parse(report.checkIn.at)).toISOString()).orderBy('id', 'desc').executeTakeFirst();
      const taken = d && await tx.selectFrom('visit_reports').select('id').where('decision_id', '=', Number(d.id)).executeTakeFirst();
      if (d && !taken) decisionId = Number(d.id);
    }
    if (decisionId !== null) {
      const team = await checkedInTeam(tx, decisionId);
      if (team !== null) checkSameTeam(team, report.collectors, decisionId);
    }
    const row = await tx.insertInto('visit_reports').values({
      account_id: accountId, visit_date: report.date, met: report.met, outcome: report.outcome, data: JSON.stringify(report), actor, recorded_at: now,
      decision_id: decisionId, address: report.address,
    }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    await audit(tx, 'field.visit_reported', `account:${accountId}`, {
      id, decision: decisionId, date: report.date, address: report.address, met: report.met, outcome: report.outcome, promise: report.promise,
      evidence: report.evidence.map((e) => e.name), collectors: report.collectors,
    }, actor, now);
    return id;
  });
}

export interface StoredVisitReport extends VisitReport {
  id: number;
  /** the check-in's gate decision (null: recorded before visits went through the gate) */
  decisionId: number | null;
  accountId: string;
  actor: string;
  recordedAt: string;
}

/** An account's visit reports, oldest first. */
export async function visitReports(db: Db, accountId: string): Promise<StoredVisitReport[]> {
  const rows = await db.selectFrom('visit_reports').selectAll().where('account_id', '=', accountId).orderBy('visit_date').orderBy('id').execute();
  return rows.map((r) => ({
    ...(JSON.parse(r.data) as VisitReport), address: (r.address ?? 'residential') as VisitAddress, id: Number(r.id),
    decisionId: r.decision_id === null ? null : Number(r.decision_id), accountId: r.account_id, actor: r.actor, recordedAt: r.recorded_at,
  }));
}

/** A page's visits for the strategy's facts: the stored visit reports, and the contact attempts they were recorded as. */
export interface PageVisits {
  /** per account, the reported visits up to the date */
  visits: Map<string, VisitRecord[]>;
  /** per account, the attempts recorded from those reports (`date|outcome`, one entry per attempt), so the facts do not count them again */
  reportedAttempts: Map<string, string[]>;
}

/** One set-based query for a page of accounts (ids first..last): their visit reports dated up to `date`. */
export async function loadVisitsBetween(db: Db, first: string, last: string, date: BusinessDate): Promise<PageVisits> {
  const rows = await db.selectFrom('visit_reports').leftJoin('attempts', 'attempts.decision_id', 'visit_reports.decision_id')
    .select(['visit_reports.account_id', 'visit_reports.visit_date', 'visit_reports.met', 'visit_reports.address', 'attempts.business_date as attempt_date', 'attempts.outcome as attempt_outcome'])
    .where('visit_reports.account_id', '>=', first).where('visit_reports.account_id', '<=', last).where('visit_reports.visit_date', '<=', date)
    .orderBy('visit_reports.account_id').orderBy('visit_reports.visit_date').orderBy('visit_reports.id').execute();
  const visits = new Map<string, VisitRecord[]>();
  const reportedAttempts = new Map<string, string[]>();
  for (const r of rows) {
    const v: VisitRecord = { date: r.visit_date, address: r.address === 'id_card' ? 'id_card' : 'residential', result: visitReached({ met: r.met as VisitReport['met'] }) ? 'reached' : 'failed' };
    const list = visits.get(r.account_id);
    if (list) list.push(v);
    else visits.set(r.account_id, [v]);
    if (r.attempt_date !== null && r.attempt_outcome !== null) {
      const key = `${r.attempt_date}|${r.attempt_outcome}`;
      const keys = reportedAttempts.get(r.account_id);
      if (keys) keys.push(key);
      else reportedAttempts.set(r.account_id, [key]);
    }
  }
  return { visits, reportedAttempts };
}
