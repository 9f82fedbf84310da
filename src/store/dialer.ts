/**
 * The voice dialer at the store (docs/dialer.md).
 *
 * Export: a business date's planned call tasks become one row per number to call (each active
 * number of the borrower or of the task's parties) with the windows of that date in which the gate
 * would allow a call — the pure `decide` asked at 15-minute steps with the recorded history and acts,
 * as decideAndRecord would, recording nothing.
 *
 * Import: each call the dialer reports goes through decideAndRecord at its instant, with its caller
 * number and agent / agency, and — when allowed — its contact result (src/store/outcomes.ts), all in
 * one transaction with the `dialer_calls` row that makes it idempotent by the dialer's call id.
 */
import { ValidationError, type BusinessDate } from '../core/index.js';
import {
  attemptRequest, decide, gateFactsFromActs, localTime, type AttemptRequest, type ComplianceAct, type Decision, type GateContext, type GateFacts,
  type GateOutcome, type PastAttempt, type Purpose,
} from '../compliance/index.js';
import { parseParty, promiseProblem, type Borrower, type Channel, type Party, type PartyKind } from '../contact/index.js';
import {
  compareRows, exportRowId, exportWindow, LENDER, localDay, normalisePhone, parseExportRowId, resultHash, scanDay,
  type DialerExport, type DialerResult, type ExportRow, type NoNumberTask, type NoWindowRow, type ParsedResults, type RowIssue,
} from '../channels/dialer.js';
import { phoneZones, zonesOf } from '../channels/phone-zones.js';
import { loadActs } from './acts.js';
import { rowToBorrower } from './codec.js';
import type { Store } from './db.js';
import { decideAndRecord, GATE_HISTORY_DAYS, type PacksFor, type RecordedDecision } from './gate.js';
import { listCallerNumbers } from './caller-numbers.js';
import { checkContactResult, loadPromiseLimits, recordContactResultIn } from './outcomes.js';
import { chunks, type Db } from './repo.js';
import { callPurpose } from '../queues/index.js';

/** The rule packs and holidays for an account's contacts at an instant (the CLI: `arrears gate jurisdiction`). */
export type { PacksFor } from './gate.js';

// ---------------------------------------------------------------------------------------------
// Who is called, at which numbers

interface Phone {
  number: string;
  workplace: boolean;
  retired: boolean;
}

interface Person {
  accountId: string;
  id: string;
  kind: PartyKind;
  name: string;
  /** the person's own zone (a party without one: the borrower's) */
  zone: string;
  phones: Phone[];
  emails: string[];
  addresses: Borrower['addresses'];
}

interface AccountPeople {
  borrower: Person;
  /** the borrower record's time zone (attempts are dated in it) */
  borrowerZone: string;
  parties: Person[];
  /** an employer on file forbids contact at work */
  employerForbids: boolean;
}

function partyPerson(p: Party, borrowerZone: string): Person {
  return {
    accountId: p.accountId, id: p.id, kind: p.kind, name: p.name, zone: p.timezone ?? borrowerZone, emails: p.emails, addresses: p.addresses,
    phones: p.phones.map((x) => ({ number: x.number, workplace: x.type === 'work' || p.kind === 'employer', retired: x.retiredAt !== null })),
  };
}

async function loadPeople(db: Db, accountIds: readonly string[]): Promise<Map<string, AccountPeople>> {
  const out = new Map<string, AccountPeople>();
  for (const ids of chunks([...new Set(accountIds)])) {
    const rows = await db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
      .select(['accounts.id as account_id', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', 'in', ids).execute();
    for (const r of rows) {
      const b = rowToBorrower(r);
      out.set(r.account_id, {
        borrowerZone: b.timezone, parties: [], employerForbids: false,
        borrower: {
          accountId: r.account_id, id: b.id, kind: 'borrower', name: b.name, zone: b.timezone, emails: b.emails, addresses: b.addresses,
          phones: b.phones.map((n) => ({ number: n, workplace: false, retired: false })),
        },
      });
    }
    const parties = await db.selectFrom('parties').selectAll().where('account_id', 'in', ids).orderBy('id').execute();
    for (const r of parties) {
      const a = out.get(r.account_id);
      if (!a) continue;
      const p = parseParty({ id: r.id, accountId: r.account_id, kind: r.kind, name: r.name, ...(JSON.parse(r.data) as object) }, `parties[${r.id}]`);
      a.parties.push(partyPerson(p, a.borrowerZone));
      if (p.kind === 'employer' && p.forbidsCalls) a.employerForbids = true;
    }
  }
  return out;
}

/**
 * Numbers found wrong for a person (`party|number`): the latest recorded call outcome at that number
 * for that person is `wrong_number` (the borrower record's numbers are not retired otherwise).
 */
async function wrongNumbers(db: Db, personIds: readonly string[]): Promise<Set<string>> {
  const latest = new Map<string, string>();
  for (const ids of chunks([...new Set(personIds)])) {
    const rows = await db.selectFrom('gate_decisions').select(['party_id', 'contact_point', 'outcome'])
      .where('party_id', 'in', ids).where('channel', 'in', ['call', 'sms']).where('allowed', '=', 1).where('outcome', 'is not', null)
      .where('outcome', 'not in', ['pending', 'no_answer', 'busy', 'not_in_service', 'abandoned'])
      .orderBy('at').orderBy('id').execute();
    for (const r of rows) latest.set(`${r.party_id}|${r.contact_point}`, r.outcome ?? '');
  }
  return new Set([...latest].filter(([, o]) => o === 'wrong_number').map(([k]) => k));
}


function callRequest(p: Person, phone: Phone, zones: readonly string[], at: string, purpose: Purpose): AttemptRequest {
  const active = p.phones.filter((x) => !x.retired).map((x) => x.number);
  return attemptRequest({ id: p.id, kind: p.kind, zones, flags: {}, phones: active, emails: p.emails, addresses: p.addresses }, {
    accountId: p.accountId, channel: 'call', at, to: phone.number, purpose, workplace: phone.workplace,
  });
}

/** Every zone the person's data points to: their zone, their numbers' area codes and the number called (as `arrears gate decide`). */
async function personZones(p: Person, number: string): Promise<string[]> {
  const active = p.phones.filter((x) => !x.retired).map((x) => x.number);
  return zonesOf([p.zone], active.includes(number) ? active : [...active, number]);
}

// ---------------------------------------------------------------------------------------------
// Export

function rowToPast(r: { at: string; debt_id: string; party_id: string; contact_point: string; channel: string; outcome: string | null; purpose: string; personal: number | null }): PastAttempt {
  return {
    at: r.at, debtId: r.debt_id, partyId: r.party_id, contactPointId: r.contact_point, channel: r.channel as Channel,
    outcome: (r.outcome ?? 'pending') as GateOutcome, purpose: r.purpose as Purpose, ...(r.personal === 0 ? { personal: false } : {}),
  };
}

/** The allowed decisions since `since` of these debts or people (what loadGateHistory reads, for many at once). */
async function loadHistories(db: Db, debtIds: readonly string[], personIds: readonly string[], since: string): Promise<PastAttempt[]> {
  const out = new Map<number, PastAttempt>();
  for (const [col, ids] of [['debt_id', debtIds], ['party_id', personIds]] as const) {
    for (const c of chunks([...new Set(ids)])) {
      const rows = await db.selectFrom('gate_decisions').selectAll().where('allowed', '=', 1).where('at', '>=', since).where(col, 'in', c).execute();
      for (const r of rows) out.set(Number(r.id), rowToPast(r));
    }
  }
  return [...out.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export interface ExportOptions {
  date: BusinessDate;
  /** only the accounts placed with this agency on the date; omitted: every planned call */
  agencyId?: string | null;
  packsFor: PacksFor;
}

/** Which agency each account is placed with on `date` (the placement's window is [placed_on, recalled_on ?? ends_on)). */
async function placedOn(db: Db, accountIds: readonly string[], date: BusinessDate): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ids of chunks([...new Set(accountIds)])) {
    const rows = await db.selectFrom('placements').select(['account_id', 'agency_id', 'placed_on', 'ends_on', 'recalled_on'])
      .where('account_id', 'in', ids).where('placed_on', '<=', date).orderBy('id').execute();
    for (const r of rows) if ((r.recalled_on ?? r.ends_on) > date) out.set(r.account_id, r.agency_id);
  }
  return out;
}

/** The facts of the recorded acts at each instant, recomputed only when another act has taken effect. */
function factsAt(acts: readonly ComplianceAct[], partyId: string): (ms: number) => GateFacts {
  const times = acts.map((a) => Date.parse(a.at));
  let seen = -1;
  let facts: GateFacts | null = null;
  return (ms) => {
    let n = 0;
    while (n < times.length && (times[n] as number) <= ms) n++;
    if (facts === null || n !== seen) {
      facts = gateFactsFromActs(acts, partyId, new Date(ms).toISOString());
      seen = n;
    }
    return facts;
  };
}

/**
 * The dialer export of a business date: every planned call task (tasks of type call, status
 * planned), each active number of the person(s) to call, with the windows of the date (local day in
 * the number's zone) in which the gate would allow a call. Nothing is recorded.
 */
export async function dialerExport(store: Store, o: ExportOptions): Promise<DialerExport & { asked: number }> {
  const db = store.db;
  const agency = o.agencyId ?? null;
  if (agency !== null && !(await db.selectFrom('agencies').select('id').where('id', '=', agency).executeTakeFirst())) {
    throw new ValidationError('agency', `unknown agency "${agency}"`);
  }
  // a task already dealt to an agent's queue (an open item with an agent) is that agent's call, not the dialer's
  const tasks = await db.selectFrom('tasks').select(['id', 'account_id', 'party', 'priority', 'window'])
    .where('business_date', '=', o.date).where('type', '=', 'call').where('status', '=', 'planned')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('queue_items as q').select('q.id')
      .whereRef('q.task_id', '=', 'tasks.id').where('q.status', '=', 'open').where('q.agent_id', 'is not', null))))
    .orderBy('id').execute();
  const placements = await placedOn(db, tasks.map((t) => t.account_id), o.date);
  const mine = agency === null ? tasks : tasks.filter((t) => placements.get(t.account_id) === agency);
  const people = await loadPeople(db, mine.map((t) => t.account_id));
  const everyone = [...people.values()].flatMap((a) => [a.borrower, ...a.parties]);
  const wrong = await wrongNumbers(db, everyone.map((p) => p.id));
  // the history reaches GATE_HISTORY_DAYS before the earliest local start of the date (UTC+14) and covers everything after
  const since = new Date(Date.parse(`${o.date}T00:00:00Z`) - (GATE_HISTORY_DAYS + 1) * 86_400_000).toISOString();
  const history = await loadHistories(db, [...people.keys()], everyone.map((p) => p.id), since);
  const dayEnd = new Date(Date.parse(`${o.date}T00:00:00Z`) + 2 * 86_400_000).toISOString();
  const acts = new Map<string, ComplianceAct[]>();
  for (const id of people.keys()) acts.set(id, await loadActs(db, id, dayEnd));

  const rows: ExportRow[] = [];
  const noWindow: NoWindowRow[] = [];
  const noNumber: NoNumberTask[] = [];
  let asked = 0;
  for (const t of mine) {
    const a = people.get(t.account_id);
    if (!a) continue;
    const kind = (t.party ?? 'borrower') as PartyKind;
    const persons = kind === 'borrower' ? [a.borrower] : a.parties.filter((p) => p.kind === kind);
    const seen = new Set<string>();
    for (const p of persons) {
      const ownHistory = history.filter((h) => h.partyId === p.id || h.debtId === p.accountId);
      const facts = factsAt(acts.get(p.accountId) ?? [], p.id);
      for (const phone of p.phones) {
        if (phone.retired || wrong.has(`${p.id}|${phone.number}`) || seen.has(phone.number)) continue;
        seen.add(phone.number);
        // the number's area-code zone: the person's own when it is one of them (a UK number is London and Guernsey, …), else the first
        const numberZones = await phoneZones(phone.number);
        const zone = numberZones.includes(p.zone) ? p.zone : numberZones[0] ?? p.zone;
        const day = localDay(o.date, zone);
        const dayStart = new Date(day.from).toISOString();
        const packs = await o.packsFor(p.accountId, dayStart);
        // the queue's rule: collect for the debtors; for a reference or the employer what the packs allow (us-regf: location; cn: message)
        const purpose = callPurpose(p.kind, packs.packs);
        const template = callRequest(p, phone, await personZones(p, phone.number), dayStart, purpose);
        const ask = (ms: number): Decision => {
          const f = facts(ms);
          const ctx: GateContext = {
            packs: packs.packs, holidays: packs.holidays, history: ownHistory, holds: f.holds, optOuts: f.optOuts,
            workplaceForbidden: a.employerForbids || f.workplaceForbidden, refusedContact: f.refusedContact,
          };
          return decide({ ...template, at: new Date(ms).toISOString() }, ctx);
        };
        const scan = scanDay(ask, day.from, day.to);
        asked += scan.asked;
        const head = {
          exportRowId: exportRowId(o.date, Number(t.id), phone.number), date: o.date, taskId: Number(t.id), priority: Number(t.priority),
          accountId: p.accountId, partyId: p.id, partyKind: p.kind, name: p.name, number: phone.number, zone, purpose,
          taskWindow: t.window, placedWith: placements.get(p.accountId) ?? null,
        };
        if (scan.windows.length > 0) rows.push({ ...head, windows: scan.windows.map((w) => exportWindow(w, zone, o.date)) });
        else noWindow.push({ ...head, rule: scan.blocked?.rule ?? null, reason: scan.blocked?.reason ?? 'no instant of the day was asked', nextAllowedAt: scan.blocked?.nextAllowedAt ?? null });
      }
    }
    if (seen.size === 0) {
      noNumber.push({
        taskId: Number(t.id), accountId: t.account_id, partyKind: kind,
        reason: persons.length === 0 ? `no ${kind.replace('_', '-')} on file for the account` : `no number in use for the account's ${kind.replace('_', '-')}${persons.length > 1 ? 's' : ''} (retired or found wrong)`,
      });
    }
  }
  rows.sort(compareRows);
  noWindow.sort(compareRows);
  noNumber.sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : x.taskId - y.taskId));
  const callerNumbers = (await listCallerNumbers(db, { inUse: true, owner: agency ?? LENDER })).map((c) => c.number);
  return { date: o.date, agency, callerNumbers, rows, noWindow, noNumber, asked };
}

// ---------------------------------------------------------------------------------------------
// Import

export interface ImportOptions {
  packsFor: PacksFor;
  /** nothing is imported when any row is invalid (every row is validated before anything is written) */
  strict?: boolean;
  /** the agency whose dialer reports the calls, for rows that name none (their agent's agency otherwise); null: the lender */
  agencyId?: string | null;
  actor?: string;
}

export type RowStatus = 'imported' | 'duplicate' | 'blocked' | 'rejected';

export interface RowReport {
  row: number;
  callId: string | null;
  status: RowStatus;
  decisionId: number | null;
  /** blocked: the rule and the reason; rejected: the field and the rule it broke */
  rule: string | null;
  reason: string | null;
  field: string | null;
}

export interface ImportReport {
  rows: RowReport[];
  imported: number;
  duplicates: number;
  blocked: number;
  rejected: number;
  /** strict and some row invalid: nothing was written */
  aborted: boolean;
}

interface Resolved {
  r: DialerResult;
  person: Person;
  phone: Phone;
  employerForbids: boolean;
  purpose: Purpose;
  agencyId: string | null;
  callerNumber: string;
  hash: string;
  /** the planned call task the call was made on (the export row's; else the date's call task for that account and party kind), marked done when the gate allows the call */
  taskId: number | null;
  /** a call already imported with the same content: its decision */
  duplicateOf: { decisionId: number; allowed: boolean } | null;
}

class RowError extends Error {
  constructor(readonly field: string, readonly rule: string) {
    super(`${field}: ${rule}`);
  }
}

function fail(field: string, rule: string): never {
  throw new RowError(field, rule);
}

/** Resolves a parsed row against the database (read-only): the person and number called, the agency, the hash, a duplicate. */
async function resolveRow(db: Db, r: DialerResult, o: ImportOptions, inFile: Map<string, { hash: string; row: number }>): Promise<Resolved> {
  let accountId = r.accountId;
  let kind: PartyKind | null = null;
  let taskId: number | null = null;
  if (r.exportRowId !== null) {
    const id = parseExportRowId(r.exportRowId);
    const task = await db.selectFrom('tasks').select(['id', 'account_id', 'party', 'business_date', 'type']).where('id', '=', id.taskId).executeTakeFirst();
    if (!task || task.type !== 'call' || task.business_date !== id.date) fail('exportRowId', `names no planned call task ${id.taskId} on ${id.date}`);
    if (accountId !== null && accountId !== task.account_id) fail('account', `is ${accountId} but export row ${r.exportRowId} is for account ${task.account_id}`);
    accountId = task.account_id;
    kind = (task.party ?? 'borrower') as PartyKind;
    taskId = Number(task.id);
  }
  if (accountId === null) fail('account', 'is required without exportRowId');
  const a = (await loadPeople(db, [accountId])).get(accountId);
  if (!a) fail(r.exportRowId !== null ? 'exportRowId' : 'account', `unknown account ${accountId}`);
  const number = r.number ?? fail('number', 'is required');
  const candidates = [a.borrower, ...a.parties];
  let person: Person | undefined;
  if (r.party !== null) {
    person = r.party === 'borrower' ? a.borrower : candidates.find((p) => p.id === r.party);
    if (!person) fail('party', `no party ${JSON.stringify(r.party)} on account ${accountId} (a party id, the borrower's id or borrower)`);
    if (kind !== null && person.kind !== kind) fail('party', `${person.id} is a ${person.kind}, but export row ${r.exportRowId ?? ''} is a call to a ${kind}`);
  } else {
    person = candidates.find((p) => (kind === null || p.kind === kind) && p.phones.some((x) => x.number === number));
    if (!person) fail('number', `${number} is not the number of a ${kind ?? 'party'} on account ${accountId}`);
  }
  // matched as stored (E.164): a number on file is accepted whatever libphonenumber thinks of its range
  const phone = person.phones.find((x) => x.number === number);
  if (!phone) fail('number', `${number} is not a number on file for ${person.id} on account ${accountId}`);
  // the call's business date: its local date in the borrower's zone
  const callDate = localTime(Date.parse(r.at), a.borrowerZone).date;

  // who called: the row's agency, else the agent's, else the import's
  let agencyId = r.agency ?? null;
  let agencyField = 'agency';
  if (r.agent !== null) {
    const u = await db.selectFrom('users').select(['agency_id']).where('id', '=', r.agent).executeTakeFirst();
    if (!u) fail('agent', `unknown agent "${r.agent}": the agent must be a user (\`arrears user add\`)`);
    if (u.agency_id !== null && agencyId !== null && u.agency_id !== agencyId) fail('agency', `is ${agencyId} but agent ${r.agent} works for agency ${u.agency_id}`);
    if (u.agency_id !== null) {
      agencyId = u.agency_id;
      agencyField = 'agent';
    }
  }
  agencyId = agencyId ?? o.agencyId ?? null;
  if (agencyId !== null && !(await db.selectFrom('agencies').select('id').where('id', '=', agencyId).executeTakeFirst())) fail('agency', `unknown agency "${agencyId}"`);
  // an agency calls only the accounts placed with it on the call's date (as the API and \`queue assign\`: agency.scope)
  if (agencyId !== null && (await placedOn(db, [accountId], callDate)).get(accountId) !== agencyId) {
    fail(agencyField, `agency.scope: account ${accountId} is not placed with agency ${agencyId} on ${callDate}${agencyField === 'agent' ? ` (agent ${r.agent ?? ''} works for it)` : ''}; an agency calls only the accounts placed with it`);
  }
  if (taskId === null) {
    // no export row: the date's planned call task of that account and party kind, if any (the lowest id)
    const t = await db.selectFrom('tasks').select('id').where('account_id', '=', accountId).where('business_date', '=', callDate).where('type', '=', 'call')
      .where('status', '=', 'planned').where('party', '=', person.kind).orderBy('id').executeTakeFirst();
    taskId = t ? Number(t.id) : null;
  }

  try {
    checkContactResult({ decisionId: 1, outcome: r.outcome, channel: 'call', promise: r.promise });
  } catch (e) {
    if (e instanceof ValidationError) fail(e.field === 'outcome' ? 'outcome' : e.field.startsWith('promise') ? 'promiseAmount' : e.field, e.rule);
    throw e;
  }
  if (r.promise) {
    // the rule every door applies (recordContactResultIn), checked here before the gate is asked
    const problem = promiseProblem(r.promise, await loadPromiseLimits(db, accountId, callDate));
    if (problem) fail(problem.field === 'promise.amount' ? 'promiseAmount' : 'promiseDue', problem.rule);
  }
  const purpose = r.purpose ?? callPurpose(person.kind, (await o.packsFor(accountId, r.at)).packs);
  const callerNumber = normalisePhone(r.callerNumber) ?? r.callerNumber;
  const hash = resultHash({
    callId: r.callId, accountId, partyId: person.id, number, callerNumber, agent: r.agent, agency: agencyId, at: r.at, outcome: r.outcome, promise: r.promise, purpose,
  });
  let duplicateOf: Resolved['duplicateOf'] = null;
  const had = await db.selectFrom('dialer_calls').select(['row_hash', 'decision_id', 'allowed']).where('call_id', '=', r.callId).executeTakeFirst();
  if (had) {
    if (had.row_hash !== hash) fail('callId', `call ${r.callId} was imported already with other content (decision ${Number(had.decision_id)}); a call id names one call`);
    duplicateOf = { decisionId: Number(had.decision_id), allowed: had.allowed === 1 };
  }
  const earlier = inFile.get(r.callId);
  if (earlier && earlier.hash !== hash) fail('callId', `call ${r.callId} is in row ${earlier.row} already with other content`);
  if (!earlier) inFile.set(r.callId, { hash, row: r.row });
  return { r, person, phone, employerForbids: a.employerForbids, purpose, agencyId, callerNumber, hash, taskId, duplicateOf };
}

const report = (row: number, callId: string | null, status: RowStatus, extra: Partial<RowReport> = {}): RowReport => ({
  row, callId, status, decisionId: null, rule: null, reason: null, field: null, ...extra,
});

function isUniqueViolation(e: unknown): boolean {
  const m = e instanceof Error ? `${(e as { code?: unknown }).code ?? ''} ${e.message}` : '';
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT|23505|duplicate key/i.test(m);
}

/**
 * Imports the calls a dialer reports. Each row: validated and resolved; then, in one transaction,
 * the gate decision at the call's instant (decideAndRecord with the caller number, agent and agency),
 * the `dialer_calls` row and — when the gate allowed the call — its contact result. A call id seen
 * before with the same content is a duplicate (nothing changes); with other content, rejected. A
 * call the gate blocks is a compliance exception: its blocked decision is recorded and reported.
 */
export async function importDialerResults(store: Store, parsed: ParsedResults, o: ImportOptions): Promise<ImportReport> {
  const reports: RowReport[] = parsed.issues.map((i: RowIssue) => report(i.row, i.callId, 'rejected', { field: i.field, reason: i.rule }));
  const resolved: Resolved[] = [];
  const inFile = new Map<string, { hash: string; row: number }>();
  for (const r of parsed.rows) {
    try {
      resolved.push(await resolveRow(store.db, r, o, inFile));
    } catch (e) {
      if (e instanceof RowError || e instanceof ValidationError) reports.push(report(r.row, r.callId, 'rejected', { field: e.field, reason: e.rule }));
      else throw e;
    }
  }
  const done = (aborted: boolean): ImportReport => {
    reports.sort((x, y) => x.row - y.row);
    const n = (s: RowStatus): number => reports.filter((x) => x.status === s).length;
    return { rows: reports, imported: n('imported'), duplicates: n('duplicate'), blocked: n('blocked'), rejected: n('rejected'), aborted };
  };
  if (o.strict === true && reports.length > 0) return done(true);

  const seenNow = new Set<string>();
  for (const x of resolved) {
    const { r } = x;
    if (x.duplicateOf !== null || seenNow.has(r.callId)) {
      const d = x.duplicateOf ?? (await store.db.selectFrom('dialer_calls').select(['decision_id', 'allowed']).where('call_id', '=', r.callId).executeTakeFirst().then((h) => (h ? { decisionId: Number(h.decision_id), allowed: h.allowed === 1 } : null)));
      if (d !== null && !d.allowed) {
        // a call the gate blocked stays a compliance exception however often it is imported: reported as blocked again, with its recorded rule
        const g = await store.db.selectFrom('gate_decisions').select(['rule', 'reason']).where('id', '=', d.decisionId).executeTakeFirst();
        reports.push(report(r.row, r.callId, 'blocked', { decisionId: d.decisionId, rule: g?.rule ?? null, reason: `${g?.reason ?? ''} (imported already, decision ${d.decisionId}; nothing new recorded)` }));
        continue;
      }
      reports.push(report(r.row, r.callId, 'duplicate', { decisionId: d?.decisionId ?? null, reason: d ? `call ${r.callId} was imported already (decision ${d.decisionId}, allowed)` : null }));
      continue;
    }
    seenNow.add(r.callId);
    const zones = await personZones(x.person, x.phone.number);
    const req = callRequest(x.person, x.phone, zones, r.at, x.purpose);
    const packs = await o.packsFor(x.person.accountId, r.at);
    const checked = checkContactResult({ decisionId: 1, outcome: r.outcome, channel: 'call', promise: r.promise });
    let decision: RecordedDecision;
    try {
      decision = await decideAndRecord(store, req, { ...packs, holds: [], optOuts: [], workplaceForbidden: x.employerForbids, refusedContact: false }, {
        agentId: r.agent, agencyId: x.agencyId, callerNumber: r.callerNumber,
      }, async (db, dialect, d) => {
        await db.insertInto('dialer_calls').values({
          call_id: r.callId, decision_id: d.id, row_hash: x.hash, account_id: x.person.accountId, party_id: x.person.id, number: x.phone.number,
          export_row_id: r.exportRowId, allowed: d.allowed ? 1 : 0, imported_at: new Date().toISOString(),
        }).execute();
        if (d.allowed) {
          await recordContactResultIn(db, dialect, { ...checked, decisionId: d.id }, { actor: o.actor ?? r.agent ?? 'dialer' });
          // the call was made: its task is done (as queue wrap-up), so the next export leaves it out; a blocked call leaves it planned
          if (x.taskId !== null) await db.updateTable('tasks').set({ status: 'done' }).where('id', '=', x.taskId).where('status', '=', 'planned').execute();
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        // another import recorded this call id meanwhile: nothing of this row was written
        reports.push(report(r.row, r.callId, 'duplicate', { reason: `call ${r.callId} was imported concurrently` }));
        continue;
      }
      if (e instanceof ValidationError) {
        reports.push(report(r.row, r.callId, 'rejected', { field: e.field, reason: e.rule }));
        continue;
      }
      throw e;
    }
    if (decision.allowed) reports.push(report(r.row, r.callId, 'imported', { decisionId: decision.id }));
    else reports.push(report(r.row, r.callId, 'blocked', { decisionId: decision.id, rule: decision.rule, reason: decision.reason }));
  }
  return done(false);
}
