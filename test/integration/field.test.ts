/**
 * Field visits at the store, on SQLite and PostgreSQL: the visit tasks of a date read from
 * `tasks`, a day plan saved and read back (newest wins), visit reports recorded for an existing
 * account only, each with an audit entry, and the chain intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseProduct } from '../../src/ledger/index.js';
import { parseVisitReport, planDay, type VisitTask } from '../../src/field/index.js';
import type { Store } from '../../src/store/db.js';
import { verifyAudit } from '../../src/store/audit.js';
import { latestDayPlan, recordVisitReport, saveDayPlan, visitReports, visitTasksFor } from '../../src/store/field.js';
import { addUser } from '../../src/store/queues.js';
import { insertLoans } from '../../src/store/repo.js';
import { catchValidationAsync } from '../support/errors.js';
import { BACKENDS } from '../support/stores.js';

const product = parseProduct('p', { method: 'annuity', annualRate: 0.12, termMonths: 12 });
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'CNY', principal: 100000, disbursed: '2026-01-01' },
  product,
  borrower: { id: `B-${id}`, name: `Borrower ${id}`, timezone: 'Asia/Shanghai', phones: [], emails: [], addresses: [] },
});
const task = (accountId: string, type: string, address: string | null) => ({
  account_id: accountId, business_date: '2026-03-02', type, party: 'borrower', channel: type === 'visit' ? 'visit' : type, template: null,
  priority: 5, window: null, stage: 'field_visit', seq: 1, address, status: 'planned',
});

describe.each(BACKENDS)('field visits at the store on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('reads visit tasks, saves and reads back day plans and visit reports, with audit entries', async () => {
    store = await backend.open();
    const s = store;
    await insertLoans(s.db, [loan('L-1'), loan('L-2')]);
    await s.db.insertInto('tasks').values([task('L-2', 'visit', 'id_card'), task('L-1', 'visit', 'residential'), task('L-1', 'call', null)]).execute();
    await s.db.insertInto('tasks').values({ ...task('L-1', 'visit', null), business_date: '2026-03-03' }).execute();

    const tasks = await visitTasksFor(s.db, '2026-03-02');
    expect(tasks.map((t) => [t.accountId, t.address, t.priority])).toEqual([['L-1', 'residential', 5], ['L-2', 'id_card', 5]]);

    const where: Record<string, { lat: number; lon: number }> = { 'L-1': { lat: 0, lon: 0.02 }, 'L-2': { lat: 0, lon: 0.01 } };
    const visits: VisitTask[] = tasks.map((t) => ({ ...t, location: where[t.accountId] }));
    const plan = planDay(visits, [{ id: 'f1', start: { lat: 0, lon: 0 } }], { window: { from: '09:00', to: '18:00' } });
    expect(await latestDayPlan(s.db, '2026-03-02')).toBeNull();
    const first = await saveDayPlan(s.db, '2026-03-02', plan, { actor: 'planner', now: '2026-03-01T20:00:00Z' });
    const second = await saveDayPlan(s.db, '2026-03-02', { ...plan, routes: [] }, { actor: 'planner', now: '2026-03-01T21:00:00Z' });
    expect(second).toBeGreaterThan(first);
    const back = await latestDayPlan(s.db, '2026-03-02');
    expect(back).toMatchObject({ id: second, actor: 'planner', createdAt: '2026-03-01T21:00:00.000Z', plan: { routes: [] } });
    const row = await s.db.selectFrom('field_plans').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
    expect(JSON.parse(row.data)).toEqual(plan);
    expect(plan.routes[0]?.stops.map((x) => x.accountId)).toEqual(['L-2', 'L-1']);
    expect([Number(row.stops), Number(row.left_over)]).toEqual([2, 0]);

    const report = parseVisitReport({
      date: '2026-03-02', met: 'relative', outcome: 'promise', promise: { amount: 20000, date: '2026-03-09' },
      evidence: [{ name: 'rec.mp3', mediaType: 'audio/mpeg', size: 500 }], checkIn: { lat: 0, lon: 0.0101 }, collectors: ['f1', 'f2'],
    });
    // the collectors must be known field agents
    expect((await catchValidationAsync(() => recordVisitReport(s.db, 'L-2', report))).field).toBe('collectors[0]');
    for (const id of ['f1', 'f2']) await addUser(s, { id, name: id, role: 'field_agent' });
    const id = await recordVisitReport(s.db, 'L-2', report, { actor: 'f1', now: '2026-03-02T03:00:00Z' });
    // stored without a gate decision (recordVisitReport: the caller records the contact result; reportVisit does both)
    expect(await visitReports(s.db, 'L-2')).toEqual([{ ...report, id, decisionId: null, accountId: 'L-2', actor: 'f1', recordedAt: '2026-03-02T03:00:00.000Z' }]);
    expect(await visitReports(s.db, 'L-1')).toEqual([]);
    const unknown = await catchValidationAsync(() => recordVisitReport(s.db, 'L-9', report));
    expect(unknown.message).toBe('account: unknown account "L-9"');
    expect(await s.db.selectFrom('visit_reports').select('id').execute()).toHaveLength(1);

    const log = await s.db.selectFrom('audit_log').select(['kind', 'entity', 'actor']).where('kind', 'like', 'field.%').orderBy('seq').execute();
    expect(log).toEqual([
      { kind: 'field.plan_saved', entity: 'field-plan:2026-03-02', actor: 'planner' },
      { kind: 'field.plan_saved', entity: 'field-plan:2026-03-02', actor: 'planner' },
      { kind: 'field.visit_reported', entity: 'account:L-2', actor: 'f1' },
    ]);
    expect((await verifyAudit(s.db)).ok).toBe(true);
  });
});
