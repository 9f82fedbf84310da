/**
 * Field visits at the store: the visit tasks of a date (from `tasks`), saved day plans (newest
 * wins for a date) and visit reports. Each save appends an audit entry in the same transaction.
 * See docs/field-visits.md.
 */
import { ValidationError, type BusinessDate } from '../core/index.js';
import type { DayPlan, VisitReport } from '../field/index.js';
import { atomically, audit, changeOptions, type ChangeOptions } from './audit.js';
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

/** Records a visit report for an existing account; returns its id. */
export async function recordVisitReport(db: Db, accountId: string, report: VisitReport, o: ChangeOptions = {}): Promise<number> {
  const { actor, now } = changeOptions(o);
  return atomically(db, async (tx) => {
    const acc = await tx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!acc) throw new ValidationError('account', `unknown account "${accountId}"`);
    const row = await tx.insertInto('visit_reports').values({
      account_id: accountId, visit_date: report.date, met: report.met, outcome: report.outcome, data: JSON.stringify(report), actor, recorded_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    await audit(tx, 'field.visit_reported', `account:${accountId}`, {
      id, date: report.date, met: report.met, outcome: report.outcome, promise: report.promise,
      evidence: report.evidence.map((e) => e.name), collectors: report.collectors,
    }, actor, now);
    return id;
  });
}

export interface StoredVisitReport extends VisitReport {
  id: number;
  accountId: string;
  actor: string;
  recordedAt: string;
}

/** An account's visit reports, oldest first. */
export async function visitReports(db: Db, accountId: string): Promise<StoredVisitReport[]> {
  const rows = await db.selectFrom('visit_reports').selectAll().where('account_id', '=', accountId).orderBy('visit_date').orderBy('id').execute();
  return rows.map((r) => ({ ...(JSON.parse(r.data) as VisitReport), id: Number(r.id), accountId: r.account_id, actor: r.actor, recordedAt: r.recorded_at }));
}
