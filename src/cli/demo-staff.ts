/**
 * The demo's staff at work (edge: store I/O around the pure simulation in src/sim/work.ts): agents,
 * a supervisor, field agents and agencies are added once; then, for each simulated business date
 * after the cycle closed it, accounts are placed with agencies, the date's call queue is built and
 * every agent works it at simulated times through the compliance gate, and the field agents'
 * visits are planned, made (through the gate) and reported. docs/operations.md#the-demo.
 */
import type { Logger } from 'pino';
import { addDays, type BusinessDate } from '../core/index.js';
import { attemptRequest, instantAt, type AttemptRequest, type GateContext, type LoadedPack } from '../compliance/index.js';
import { parseVisitReport, planDay, visitRules, type FieldAgent, type VisitTask } from '../field/index.js';
import type { Product } from '../ledger/index.js';
import {
  DEMO_AGENCIES, DEMO_CALLER_NUMBERS, DEMO_FIELD_AGENTS, DEMO_PLACEMENT_RULES, DEMO_USERS, addressLocation, demoCallerNumber, demoReference, drawCallOutcome, drawThirdPartyOutcome, drawVisitOutcome, paymentsFor, workRng,
  type BorrowerOutlook, type CallDraw, type DemoUser, type SimLoan,
} from '../sim/index.js';
import { parsePlacementRules } from '../agency/index.js';
import { rowToBorrower } from '../store/codec.js';
import type { Store } from '../store/db.js';
import { addAgency, placeAccounts, recallDue } from '../store/agencies.js';
import { checkInVisit, reportVisit, saveDayPlan, visitTasksFor } from '../store/field.js';
import { recordContactResult } from '../store/outcomes.js';
import { accountJurisdiction, borrowerCountry, decideAndRecord } from '../store/gate.js';
import { enqueue, outboxEntry, type OutboxMessage } from '../store/outbox.js';
import { dispatch } from '../channels/dispatcher.js';
import { zonesOf } from '../channels/phone-zones.js';
import { directoryChannel } from './dispatch.js';
import { addUser, buildQueueForDate, nextAccount, skipItem, wrapUp, type PacksFor, type QueueItem } from '../store/queues.js';
import { chunks } from '../store/repo.js';
import { addParties } from '../store/parties.js';
import { addCallerNumber } from '../store/caller-numbers.js';
import { findPackFile, loadPackFile, packHolidays } from './packs.js';

const ACTOR = 'demo';
const DAY_START = 9 * 60;
const DAY_END = 17 * 60;
const MINUTE = 60_000;

/** Adds the demo's users, agencies and caller numbers that are not there yet, and references for some delinquent accounts (first time only); returns how many were added. */
export async function ensureStaff(store: Store, now: string): Promise<{ users: number; agencies: number; references: number; callerNumbers: number }> {
  const haveUsers = new Set((await store.db.selectFrom('users').select('id').execute()).map((r) => r.id));
  const haveAgencies = new Set((await store.db.selectFrom('agencies').select('id').execute()).map((r) => r.id));
  let agencies = 0;
  for (const a of DEMO_AGENCIES) {
    if (haveAgencies.has(a.id)) continue;
    await addAgency(store, a, { actor: ACTOR, now });
    agencies++;
  }
  let users = 0;
  for (const u of DEMO_USERS) {
    if (haveUsers.has(u.id)) continue;
    await addUser(store, { id: u.id, name: u.name, role: u.role, agencyId: u.agencyId ?? null, capacity: u.capacity, skills: u.skills }, ACTOR, now);
    users++;
  }
  // the caller numbers the lender and the agencies show (the simulated calls show them: demoCallerNumber)
  const live = new Set((await store.db.selectFrom('caller_numbers').select('number').where('retired_at', 'is', null).execute()).map((r) => r.number));
  let callerNumbers = 0;
  for (const n of DEMO_CALLER_NUMBERS) {
    if (live.has(n.number)) continue;
    await addCallerNumber(store.db, n, { actor: ACTOR, now });
    callerNumbers++;
  }
  let references = 0;
  if (users > 0 && !(await store.db.selectFrom('parties').select('id').where('kind', '=', 'reference').limit(1).executeTakeFirst())) {
    const rows = await store.db.selectFrom('account_state').innerJoin('accounts', 'accounts.id', 'account_state.account_id').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
      .select(['accounts.id as account_id', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data'])
      .where('account_state.status', '=', 'open').where('account_state.dpd', '>', 0).orderBy('accounts.id').execute();
    const refs = rows.map((r) => demoReference(r.account_id, rowToBorrower(r).phones[0])).filter((r) => r !== null);
    for (const c of chunks(refs, 500)) await addParties(store.db, c, ACTOR);
    references = refs.length;
  }
  return { users, agencies, references, callerNumbers };
}

/** Rule packs per account (from `gate jurisdiction`), loaded once per pack, with holidays per year. */
class Packs {
  private readonly byName = new Map<string, LoadedPack>();
  private readonly names = new Map<string, string[] | null>();
  private readonly holidays = new Map<string, string[]>();
  constructor(private readonly store: Store) {}

  pack(name: string): LoadedPack {
    let p = this.byName.get(name);
    if (p === undefined) {
      p = loadPackFile(findPackFile(name));
      this.byName.set(name, p);
    }
    return p;
  }

  async namesFor(accountId: string): Promise<string[] | null> {
    if (!this.names.has(accountId)) this.names.set(accountId, await accountJurisdiction(this.store.db, accountId));
    return this.names.get(accountId) ?? null;
  }

  readonly packsFor: PacksFor = async (accountId, at) => {
    const names = (await this.namesFor(accountId)) ?? [];
    const packs = names.map((n) => this.pack(n));
    const year = at.slice(0, 4);
    const key = `${names.join('+')}|${year}`;
    let h = this.holidays.get(key);
    if (h === undefined) {
      h = packHolidays(packs, `${year}-01-01`, `${Number(year) + 1}-12-31`);
      this.holidays.set(key, h);
    }
    return { packs, holidays: h };
  };

  async context(accountId: string, at: string): Promise<Omit<GateContext, 'history'>> {
    return { ...(await this.packsFor(accountId, at)), holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false };
  }
}

/** What one simulated date did. */
export interface StaffDay {
  date: BusinessDate;
  placed: number;
  recalled: number;
  queued: number;
  calls: number;
  blocked: number;
  promises: number;
  visitsPlanned: number;
  visitsReported: number;
  /** milliseconds per phase */
  /** promise reminders sent by SMS (through the gate, the outbox and the dispatcher) */
  sms: number;
  ms: { place: number; queue: number; calls: number; field: number; sms: number };
}

export interface StaffContext {
  seed: number;
  /** the simulated loans by account id, for the borrowers' behaviour */
  loans: ReadonlyMap<string, { loan: SimLoan; product: Product }>;
  log: Logger;
  /** where the demo's SMS go (a directory channel); undefined: no SMS */
  outboxDir?: string;
}

interface InCall {
  item: QueueItem;
  request: AttemptRequest;
  draw: CallDraw;
}

interface AgentDay {
  user: DemoUser;
  t: number;
  end: number;
  call: InCall | null;
  /** items the gate blocked at the call today: not picked again */
  blocked: Set<number>;
  n: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

async function outlooks(store: Store, ctx: StaffContext, accountIds: readonly string[], date: BusinessDate): Promise<Map<string, BorrowerOutlook>> {
  const out = new Map<string, BorrowerOutlook>();
  for (const c of chunks([...new Set(accountIds)], 5000)) {
    const rows = await store.db.selectFrom('account_state').select(['account_id', 'overdue', 'total']).where('account_id', 'in', c).execute();
    for (const r of rows) {
      const sim = ctx.loans.get(r.account_id);
      if (!sim) continue;
      const next = paymentsFor(sim.loan, sim.product, addDays(date, 1), addDays(date, 30))[0];
      out.set(r.account_id, {
        archetype: sim.loan.behaviour.archetype, overdue: Number(r.overdue), owed: Number(r.total),
        nextPayment: next ? { date: next.date, amount: next.amount } : null,
      });
    }
  }
  return out;
}

/** Places, queues, calls and visits for one closed business date. */
export async function simulateStaffDay(store: Store, date: BusinessDate, ctx: StaffContext): Promise<StaffDay> {
  const day: StaffDay = { date, placed: 0, recalled: 0, queued: 0, calls: 0, blocked: 0, promises: 0, visitsPlanned: 0, visitsReported: 0, sms: 0, ms: { place: 0, queue: 0, calls: 0, field: 0, sms: 0 } };
  let t = performance.now();
  const lap = (k: keyof StaffDay['ms']): void => {
    const now = performance.now();
    day.ms[k] += Math.round(now - t);
    t = now;
  };
  const packs = new Packs(store);
  const morning = iso(instantAt(date, 8 * 60, 'UTC'));

  // agencies: recalls due, then this date's placements by the rules
  day.recalled = (await recallDue(store, { asOf: date, actor: ACTOR, now: morning })).length;
  const placed = await placeAccounts(store, { rules: parsePlacementRules(DEMO_PLACEMENT_RULES, 'demo rules'), asOf: date, seed: ctx.seed, actor: ACTOR, now: morning });
  day.placed = placed.placements.length;
  lap('place');

  // the date's queue: the queue deals an account placed with an agency to that agency's agents only
  const built = await buildQueueForDate(store, date, undefined, morning);
  day.queued = built.filter((a) => a.agentId !== null).length;
  lap('queue');
  await workQueues(store, date, ctx, packs, day);
  lap('calls');
  await fieldDay(store, date, ctx, packs, day);
  lap('field');
  if (ctx.outboxDir !== undefined) await promiseReminders(store, date, ctx.outboxDir, packs, day);
  lap('sms');
  return day;
}

async function workQueues(store: Store, date: BusinessDate, ctx: StaffContext, packs: Packs, day: StaffDay): Promise<void> {
  const items = await store.db.selectFrom('queue_items').select(['account_id']).where('business_date', '=', date).where('status', '=', 'open').where('agent_id', 'is not', null).execute();
  const outlook = await outlooks(store, ctx, items.map((i) => i.account_id), date);
  const calling = DEMO_USERS.filter((u) => u.role === 'agent' || u.role === 'agency_agent');
  const agents: AgentDay[] = calling.map((user) => ({
    user, t: instantAt(date, DAY_START, user.zone), end: instantAt(date, DAY_END, user.zone), call: null, blocked: new Set(), n: 0,
  }));
  const by = (a: AgentDay): { agentId: string; agencyId: string | null; callerNumber: string | null } => ({ agentId: a.user.id, agencyId: a.user.agencyId ?? null, callerNumber: demoCallerNumber(a.user) });

  for (;;) {
    // the agent whose next step comes first (ties: the order of DEMO_USERS): agents interleave in simulated time
    let a: AgentDay | null = null;
    for (const x of agents) if ((x.t < x.end || x.call !== null) && (a === null || x.t < a.t)) a = x;
    if (a === null) break;
    if (a.call !== null) {
      // the call: one gate decision, recorded whatever it says
      const { item, draw, request } = a.call;
      a.call = null;
      const r = await wrapUp(store, item.id, draw.outcome, { at: iso(a.t), packsFor: packs.packsFor, promise: draw.promise, actor: a.user.id, callerNumber: demoCallerNumber(a.user) });
      if (!r.decision.allowed) {
        day.blocked++;
        a.blocked.add(item.id);
        a.t += MINUTE;
        continue;
      }
      day.calls++;
      if (draw.outcome === 'promise') day.promises++;
      a.t += MINUTE;
      if (draw.outcome === 'busy') {
        // a busy line: the agent redials straight away, outside the queue; the gate decides again
        const at = a.t;
        const redial = { ...request, at: iso(at) };
        const d = await decideAndRecord(store, redial, await packs.context(item.accountId, redial.at), by(a));
        if (d.allowed) {
          day.calls++;
          await recordContactResult(store, { decisionId: d.id, outcome: 'no_answer' }, { actor: a.user.id, now: iso(at + MINUTE) });
        } else day.blocked++;
        a.t += 2 * MINUTE;
      }
      continue;
    }
    const next = await nextAccount(store, a.user.id, iso(a.t), packs.packsFor);
    if (next.item !== null && next.request !== null) {
      if (a.blocked.has(next.item.id)) {
        await skipItem(store, next.item.id, 'the gate blocked the call; not retried today', iso(a.t));
        continue;
      }
      const o = outlook.get(next.item.accountId) ?? { archetype: 'defaulter', nextPayment: null, overdue: 0 };
      const rng = workRng(ctx.seed, 'call', date, next.item.id, a.n++);
      const draw = next.item.partyKind === 'borrower' ? drawCallOutcome(rng, o, date) : drawThirdPartyOutcome(rng);
      a.call = { item: next.item, request: next.request, draw };
      // dialling and talking: the attempt is recorded when the agent wraps up
      a.t += draw.minutes * MINUTE;
      continue;
    }
    const at = next.nextAt === null ? Infinity : Date.parse(next.nextAt);
    a.t = at < a.end ? Math.max(at, a.t + MINUTE) : a.end;
  }
  // what nobody reached today is not carried over
  const left = await store.db.selectFrom('queue_items').select('id').where('business_date', '=', date).where('status', '=', 'open').where('agent_id', 'is not', null).execute();
  for (const r of left) await skipItem(store, Number(r.id), 'end of day: not reached', iso(instantAt(date, 23 * 60, 'UTC')));
}

async function fieldDay(store: Store, date: BusinessDate, ctx: StaffContext, packs: Packs, day: StaffDay): Promise<void> {
  const tasks = await visitTasksFor(store.db, date);
  if (tasks.length === 0) return;
  const ids = [...new Set(tasks.map((t) => t.accountId))];
  const borrowers = new Map<string, ReturnType<typeof rowToBorrower>>();
  for (const c of chunks(ids, 5000)) {
    const rows = await store.db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
      .select(['accounts.id as account_id', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', 'in', c).execute();
    for (const r of rows) borrowers.set(r.account_id, rowToBorrower(r));
  }
  const outlook = await outlooks(store, ctx, ids, date);
  // one plan per rule pack: its visit hours (within the working day) and collectors
  const groups = new Map<string, VisitTask[]>();
  for (const t of tasks) {
    const names = await packs.namesFor(t.accountId);
    const b = borrowers.get(t.accountId);
    if (names === null || names.length !== 1 || !b) continue;
    const line = (b.addresses.find((x) => x.kind === 'residential') ?? b.addresses[0])?.line ?? '';
    const loc = addressLocation(t.accountId, line);
    const v: VisitTask = { id: t.id, accountId: t.accountId, address: t.address, priority: t.priority, ...(loc ? { district: loc.district, location: { lat: loc.lat, lon: loc.lon } } : {}) };
    const key = names[0] as string;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  for (const [packName, visits] of [...groups].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const team = DEMO_FIELD_AGENTS.filter((f) => f.pack === packName);
    if (team.length === 0) continue;
    const rules = visitRules(packs.pack(packName).rules);
    const from = rules.window && rules.window.from > '09:00' ? rules.window.from : '09:00';
    const to = rules.window && rules.window.to < '18:00' ? rules.window.to : '18:00';
    const agents: FieldAgent[] = team.map((f) => {
      const base = addressLocation(f.id, `x, ${f.base}`);
      return { id: f.id, districts: f.districts, ...(base ? { start: { lat: base.lat, lon: base.lon } } : {}) };
    });
    const plan = planDay(visits, agents, { window: { from, to }, collectors: rules.collectors, groupBy: 'coordinates' });
    await saveDayPlan(store.db, date, plan, { actor: ACTOR, now: iso(instantAt(date, 7 * 60, 'UTC')) });
    for (const route of plan.routes) {
      for (const stop of route.stops) {
        day.visitsPlanned++;
        const b = borrowers.get(stop.accountId);
        const loc = visits.find((v) => v.id === stop.visitId)?.location;
        if (!b || !loc) continue;
        const [hh, mm] = stop.arrival.split(':').map(Number) as [number, number];
        const at = instantAt(date, hh * 60 + mm, b.timezone);
        // the check-in at the door is the attempt: one gate decision (the first collector's)
        const c = await checkInVisit(store, { accountId: stop.accountId, at: iso(at), collectors: route.agents, recording: true, noticeGiven: true, address: stop.address === 'id_card' ? 'id_card' : 'residential' }, packs.packsFor);
        if (!c.decision.allowed) {
          day.blocked++;
          continue;
        }
        const o = outlook.get(stop.accountId) ?? { archetype: 'defaulter', nextPayment: null, overdue: 0 };
        const v = drawVisitOutcome(workRng(ctx.seed, 'visit', date, stop.visitId), o, date);
        const report = parseVisitReport({
          date: c.localDate, address: stop.address === 'id_card' ? 'id_card' : 'residential', met: v.met, outcome: v.outcome, ...(v.promise ? { promise: v.promise } : {}),
          notes: `simulated visit (${route.unit})`,
          evidence: [{ name: `visit-${stop.accountId}-${date}.m4a`, mediaType: 'audio/mp4', size: 350_000 + (stop.seq * 7919) % 90_000 }],
          checkIn: { lat: loc.lat, lon: loc.lon, at: iso(at) }, collectors: route.agents,
        }, { minCollectors: rules.collectors, recordingRequired: rules.recording });
        const r = await reportVisit(store, stop.accountId, report, { decisionId: c.decision.id, actor: route.agents[0] ?? ACTOR, now: iso(at + 40 * MINUTE) });
        if (r.recorded) day.visitsReported++;
        if (v.outcome === 'promise') day.promises++;
      }
    }
  }
}

const REMINDER: Readonly<Record<string, string>> = {
  CN: '温馨提示：您承诺的还款即将到期。如有疑问，请致电我们。',
  default: 'Reminder: the payment you promised is due soon. Questions? Call us. Reply STOP to opt out.',
};

/**
 * The date's promise reminders (the `promised` stage's SMS tasks): each asked of the gate at 10:00
 * the borrower's time, the allowed ones written to the outbox (key `task-ID:sms`) and sent by the
 * dispatcher through a directory channel; each sent message is the `sent` result of its decision.
 */
async function promiseReminders(store: Store, date: BusinessDate, dir: string, packs: Packs, day: StaffDay): Promise<void> {
  const tasks = await store.db.selectFrom('tasks').innerJoin('accounts', 'accounts.id', 'tasks.account_id').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .select(['tasks.id as task_id', 'tasks.account_id', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data'])
    .where('tasks.business_date', '=', date).where('tasks.type', '=', 'sms').where('tasks.template', '=', 'promise_reminder').orderBy('tasks.id').execute();
  if (tasks.length === 0) return;
  const messages: OutboxMessage[] = [];
  const decisions = new Map<string, number>();
  for (const t of tasks) {
    const b = rowToBorrower(t);
    const phone = b.phones[0];
    if (phone === undefined) continue;
    const at = iso(instantAt(date, 10 * 60, b.timezone));
    const req = attemptRequest({ id: b.id, kind: 'borrower', zones: await zonesOf([b.timezone], b.phones), flags: {}, phones: b.phones, emails: b.emails, addresses: b.addresses },
      { accountId: t.account_id, channel: 'sms', at });
    const d = await decideAndRecord(store, req, await packs.context(t.account_id, at));
    if (!d.allowed) continue;
    const key = `task-${Number(t.task_id)}:sms`;
    decisions.set(key, d.id);
    messages.push({ idempotencyKey: key, channel: 'sms', to: phone, body: REMINDER[borrowerCountry(b) ?? ''] ?? (REMINDER.default as string), accountId: t.account_id, taskId: Number(t.task_id) });
  }
  await enqueue(store.db, messages, { now: new Date(instantAt(date, 10 * 60, 'UTC')) });
  const channels = { sms: directoryChannel(dir, 'sms'), email: directoryChannel(dir, 'email') };
  for (;;) {
    const c = await dispatch(store, channels, { limit: 200, actor: ACTOR });
    if (c.claimed < 200) break;
  }
  for (const [key, decisionId] of decisions) {
    const e = await outboxEntry(store.db, key);
    if (e?.status !== 'sent') continue;
    await recordContactResult(store, { decisionId, outcome: 'sent' }, { actor: ACTOR });
    day.sms++;
  }
}
