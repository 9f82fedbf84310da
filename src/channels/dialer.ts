/**
 * The voice dialer's edge, pure parts (docs/dialer.md): caller numbers (normalising, checking one
 * against the registrations), the export (row ids, a business day's call windows found by asking a
 * gate function at 15-minute steps, CSV / JSON) and the results a dialer sends back (parsing and
 * validating CSV / JSON rows, field by field). No database, no clock: the store (src/store/dialer.ts)
 * does the I/O.
 */
import { createHash } from 'node:crypto';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { addDays, isRecord, parseDate, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import { instantAt, localTime, parseInstant, PURPOSES, type Decision, type Purpose } from '../compliance/index.js';
import { CALL_OUTCOMES, checkOutcomeForChannel, type Outcome, type PartyKind } from '../contact/index.js';

// ---------------------------------------------------------------------------------------------
// Caller numbers

/** The gate's rule id for an attempt showing a caller number that may not be used. */
export const CALLER_NUMBER_RULE = 'registered-caller-number';

/** Who may show a caller number: the lender's own agents, or one agency's. */
export const LENDER = 'lender';

/** A number in E.164 form (libphonenumber-js); null when it is not a valid international number. */
export function normalisePhone(raw: string): string | null {
  if (typeof raw !== 'string' || !/^\s*(\+|00)/.test(raw)) return null;
  const p = parsePhoneNumberFromString(raw.trim().replace(/^00/, '+'));
  return p?.isValid() ? p.number : null;
}

/**
 * A number as the records keep it (E.164: `+`, country code, number), from what a dialer sends: spaces,
 * dashes, dots and brackets dropped, a leading `00` read as `+`. Null when it is not of that form. Unlike
 * normalisePhone it does not ask libphonenumber whether the number is *valid* (its metadata refuses
 * numbers that are on file, e.g. the UK's fictional 07700 900xxx range): a dialer result is matched
 * against the numbers on file as stored, and only a number not on file is refused (src/store/dialer.ts).
 */
export function phoneAsFiled(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  const t = raw.trim().replace(/^00/, '+').replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(t) ? t : null;
}

function calledNumber(raw: string, field: string): string {
  const n = phoneAsFiled(raw);
  if (n === null) throw new ValidationError(field, `must be a phone number in international form (+, country code, number) such as +447700900625, got ${JSON.stringify(raw)}`);
  return n;
}

/** normalisePhone, or a ValidationError naming `field`. */
export function e164(raw: string, field: string): string {
  const n = normalisePhone(raw);
  if (n === null) throw new ValidationError(field, `must be a valid international phone number such as +12125550100, got ${JSON.stringify(raw)}`);
  return n;
}

export interface CallerNumberRegistration {
  number: string;
  /** `lender` or an agency id */
  owner: string;
  label: string | null;
  /** ISO instants; in use from registeredAt until retiredAt (exclusive; null: still in use) */
  registeredAt: string;
  retiredAt: string | null;
}

function ownerText(owner: string): string {
  return owner === LENDER ? 'the lender' : `agency ${owner}`;
}

/**
 * Why an attempt at `atMs` by `agencyId` (null: the lender's own agent) may not show `number`
 * (as given), or null when it may. `registrations` are the number's rows (any order).
 * A number is usable by its owner from its registration until it is retired.
 */
export function callerNumberProblem(number: string, registrations: readonly CallerNumberRegistration[], agencyId: string | null, atMs: number): string | null {
  const n = normalisePhone(number);
  if (n === null) return `The caller number ${JSON.stringify(number)} is not a valid international phone number, so it cannot be a registered one.`;
  const mine = registrations.filter((r) => r.number === n);
  const live = mine.find((r) => Date.parse(r.registeredAt) <= atMs && (r.retiredAt === null || Date.parse(r.retiredAt) > atMs));
  if (!live) {
    const retired = mine.filter((r) => r.retiredAt !== null && Date.parse(r.retiredAt) <= atMs).sort((a, b) => (a.retiredAt ?? '').localeCompare(b.retiredAt ?? '')).pop();
    if (retired) return `The caller number ${n} was retired at ${retired.retiredAt ?? ''}; calls may show only registered numbers in use.`;
    const later = mine.filter((r) => Date.parse(r.registeredAt) > atMs).sort((a, b) => a.registeredAt.localeCompare(b.registeredAt))[0];
    if (later) return `The caller number ${n} was registered only at ${later.registeredAt}, after this call; calls may show only registered numbers.`;
    return `The caller number ${n} is not registered; calls may show only registered numbers (\`arrears caller-number add\`).`;
  }
  const caller = agencyId === null ? LENDER : agencyId;
  if (live.owner !== caller) {
    return `The caller number ${n} is registered to ${ownerText(live.owner)}; ${agencyId === null ? 'the lender\'s own agents' : `agency ${agencyId}`} may not use it.`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The export

/** The stable id of an export row: `DATE/TASK/NUMBER`, e.g. `2026-03-02/17/+12125550100`. */
export function exportRowId(date: BusinessDate, taskId: number, number: string): string {
  return `${date}/${taskId}/${number}`;
}

export function parseExportRowId(s: string, field = 'exportRowId'): { date: BusinessDate; taskId: number; number: string } {
  const m = /^(\d{4}-\d{2}-\d{2})\/(\d+)\/(\+\d{7,15})$/.exec(s.trim());
  if (!m) throw new ValidationError(field, `must be an export row id DATE/TASK/NUMBER such as 2026-03-02/17/+12125550100, got ${JSON.stringify(s)}`);
  return { date: parseDate(m[1], field), taskId: Number(m[2]), number: m[3] as string };
}

/** A time span [from, to) in epoch ms. */
export interface Span {
  from: number;
  to: number;
}

export interface DayScan {
  /** the instants at which a call would be allowed, merged */
  windows: Span[];
  /** when there is no window: the blocked answer that frees the attempt last (null nextAllowedAt = latest) */
  blocked: Decision | null;
  /** how many times `ask` was called */
  asked: number;
}

export const STEP_MINUTES = 15;

/**
 * The windows of [start, end) in which `ask(t)` allows a call: asked at `stepMinutes` steps from
 * `start`, each answer standing for its step; the edges between an allowed and a blocked step are
 * then refined to the minute by bisection. A block shorter than a step that falls between two
 * allowed steps is not seen (the gate still decides every call the dialer reports).
 */
export function scanDay(ask: (ms: number) => Decision, start: number, end: number, stepMinutes = STEP_MINUTES): DayScan {
  const step = stepMinutes * 60_000;
  let asked = 0;
  const at = (ms: number): Decision => {
    asked++;
    return ask(ms);
  };
  const times: number[] = [];
  for (let t = start; t < end; t += step) times.push(t);
  const answers = times.map(at);
  // the first minute in (lo, hi] whose answer is `want`, given lo's answer is not and hi's is
  const edge = (lo: number, hi: number, want: boolean): number => {
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (at(mid).allowed === want) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const windows: Span[] = [];
  for (let i = 0; i < times.length; i++) {
    if (!answers[i]?.allowed) continue;
    let j = i;
    while (j + 1 < times.length && answers[j + 1]?.allowed) j++;
    const from = i === 0 ? start : edge(times[i - 1] as number, times[i] as number, true);
    const to = j === times.length - 1 ? end : edge(times[j] as number, times[j + 1] as number, false);
    windows.push({ from, to: Math.min(to, end) });
    i = j;
  }
  let blocked: Decision | null = null;
  if (windows.length === 0) {
    for (const d of answers) {
      if (blocked === null) blocked = d;
      else if (blocked.nextAllowedAt === null) break;
      else if (d.nextAllowedAt === null || d.nextAllowedAt > blocked.nextAllowedAt) blocked = d;
    }
  }
  return { windows, blocked, asked };
}

/** The local day `date` in `zone` as [start, end) instants (23 or 25 hours on a clock change). */
export function localDay(date: BusinessDate, zone: string): Span {
  return { from: instantAt(date, 0, zone), to: instantAt(addDays(date, 1), 0, zone) };
}

function clock(ms: number, zone: string, date: BusinessDate): string {
  const l = localTime(ms, zone);
  const minute = l.date > date ? 1440 : l.minute;
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export interface ExportWindow {
  /** `HH:MM-HH:MM` in the row's zone on the date (`24:00` = the end of the day) */
  local: string;
  /** ISO instants, `to` exclusive */
  from: string;
  to: string;
}

export function exportWindow(s: Span, zone: string, date: BusinessDate): ExportWindow {
  return { local: `${clock(s.from, zone, date)}-${clock(s.to, zone, date)}`, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString() };
}

/** One number of one person to call for one planned call task. */
export interface ExportRow {
  exportRowId: string;
  date: BusinessDate;
  taskId: number;
  /** the task's priority: 1 most urgent … 9 */
  priority: number;
  accountId: string;
  partyId: string;
  partyKind: PartyKind;
  name: string;
  number: string;
  /** the zone the local times are in: the number's (area code), else the person's */
  zone: string;
  /** the purpose the gate was asked about: collect (borrower, co-borrower, guarantor); for others what the packs allow (callPurpose) */
  purpose: Purpose;
  /** the strategy's own local window for the task (`HH:MM-HH:MM`), passed through; null: none */
  taskWindow: string | null;
  /** the agency the account is placed with on the date; null: none */
  placedWith: string | null;
  windows: ExportWindow[];
}

/** A number the gate allows at no time of the date. */
export interface NoWindowRow extends Omit<ExportRow, 'windows'> {
  rule: string | null;
  reason: string;
  nextAllowedAt: string | null;
}

/** A planned call to a kind of party of which the account has no one with a number in use. */
export interface NoNumberTask {
  taskId: number;
  accountId: string;
  partyKind: PartyKind;
  reason: string;
}

export interface DialerExport {
  date: BusinessDate;
  /** the agency the export is for (its placed accounts only); null: every planned call */
  agency: string | null;
  /** the caller numbers registered to the export's owner (lender or agency), in use at the start of the date */
  callerNumbers: string[];
  rows: ExportRow[];
  noWindow: NoWindowRow[];
  noNumber: NoNumberTask[];
}

/** Export order: priority (1 = most urgent first), account, party, number, task. */
export function compareRows(a: Omit<ExportRow, 'windows'>, b: Omit<ExportRow, 'windows'>): number {
  return a.priority - b.priority || cmp(a.accountId, b.accountId) || cmp(a.partyId, b.partyId) || cmp(a.number, b.number) || a.taskId - b.taskId;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function formatExportJson(e: DialerExport): string {
  return `${JSON.stringify(e, null, 2)}\n`;
}

export const EXPORT_CSV_COLUMNS = [
  'export_row_id', 'date', 'task_id', 'priority', 'account', 'party', 'party_kind', 'name', 'number', 'zone', 'purpose', 'task_window', 'placed_with', 'windows', 'windows_utc',
] as const;

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One line per number with a window: `windows` local (`08:00-12:00 13:00-21:00`), `windows_utc` ISO intervals (`from/to`, space-separated). */
export function formatExportCsv(e: DialerExport): string {
  const lines = [EXPORT_CSV_COLUMNS.join(',')];
  for (const r of e.rows) {
    lines.push([
      r.exportRowId, r.date, String(r.taskId), String(r.priority), r.accountId, r.partyId, r.partyKind, r.name, r.number, r.zone, r.purpose,
      r.taskWindow ?? '', r.placedWith ?? '', r.windows.map((w) => w.local).join(' '), r.windows.map((w) => `${w.from}/${w.to}`).join(' '),
    ].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Results from the dialer

/** One call the dialer reports. */
export interface DialerResult {
  /** 1-based row of the file (CSV: data rows after the header; JSON: the list's items) */
  row: number;
  callId: string;
  exportRowId: string | null;
  /** with exportRowId null: the account, the party (its id, the borrower's id or `borrower`) and the number */
  accountId: string | null;
  party: string | null;
  number: string | null;
  callerNumber: string;
  agent: string | null;
  agency: string | null;
  /** ISO instant, normalised to UTC */
  at: string;
  outcome: Outcome;
  promise: { amount: Minor; due: BusinessDate } | null;
  purpose: Purpose | null;
}

export interface RowIssue {
  row: number;
  /** the row's call id when it has one */
  callId: string | null;
  field: string;
  rule: string;
}

export const RESULT_FIELDS = ['callId', 'exportRowId', 'account', 'party', 'number', 'callerNumber', 'agent', 'agency', 'at', 'outcome', 'promiseAmount', 'promiseDue', 'purpose'] as const;
type ResultField = (typeof RESULT_FIELDS)[number];

/** Outcomes a call can have (src/contact/outcomes.ts `outcomesFor('call')`: not the messages' sent / failed, not `pending`). */
export { CALL_OUTCOMES };

/** `call_id`, `CallId`, `callid` → `callId`; null for an unknown column. */
function fieldOf(key: string): ResultField | null {
  const k = key.replace(/[_\s-]/g, '').toLowerCase();
  return RESULT_FIELDS.find((f) => f.toLowerCase() === k) ?? null;
}

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Validates one raw row (keys as in RESULT_FIELDS, any case, `_` allowed); throws ValidationError naming the field. */
export function parseResultRow(raw: unknown, row: number): DialerResult {
  if (!isRecord(raw)) throw new ValidationError('row', 'must be a mapping { callId, exportRowId | account+party+number, callerNumber, at, outcome, … }');
  const v: Partial<Record<ResultField, unknown>> = {};
  for (const [k, x] of Object.entries(raw)) {
    const f = fieldOf(k);
    if (f === null) throw new ValidationError(k, `is not a known field (known: ${RESULT_FIELDS.join(', ')})`);
    v[f] = x;
  }
  if (v.callId !== undefined && v.callId !== null && typeof v.callId !== 'string' && typeof v.callId !== 'number') throw new ValidationError('callId', 'must be a string');
  const callId = text(v.callId);
  if (callId === null) throw new ValidationError('callId', 'is required: the dialer\'s unique id of the call');
  if (callId.length > 200) throw new ValidationError('callId', 'must be at most 200 characters');
  const exportRow = text(v.exportRowId);
  const accountId = text(v.account);
  const party = text(v.party);
  let number = text(v.number);
  if (exportRow !== null) {
    const id = parseExportRowId(exportRow);
    if (number !== null && calledNumber(number, 'number') !== id.number) throw new ValidationError('number', `is ${number} but the export row ${exportRow} is for ${id.number}`);
    number = id.number;
  } else {
    if (accountId === null) throw new ValidationError('account', 'is required without exportRowId (or give the exportRowId of the export)');
    if (party === null) throw new ValidationError('party', 'is required without exportRowId: the party id, the borrower\'s id or `borrower`');
    if (number === null) throw new ValidationError('number', 'is required without exportRowId: the number called');
    number = calledNumber(number, 'number');
  }
  const callerRaw = text(v.callerNumber);
  if (callerRaw === null) throw new ValidationError('callerNumber', 'is required: the caller number (caller ID) the call showed');
  const atRaw = text(v.at);
  if (atRaw === null || Number.isNaN(parseInstant(atRaw))) {
    throw new ValidationError('at', `must be an ISO instant with Z or an offset, e.g. 2026-03-02T14:30:00-05:00, got ${JSON.stringify(v.at ?? null)}`);
  }
  const outcome = text(v.outcome);
  if (outcome === null) throw new ValidationError('outcome', `is required: one of ${CALL_OUTCOMES.join(', ')}`);
  checkOutcomeForChannel(outcome, 'call');
  const amountRaw = text(v.promiseAmount);
  const dueRaw = text(v.promiseDue);
  let promise: DialerResult['promise'] = null;
  if (outcome === 'promise') {
    if (amountRaw === null) {
      throw new ValidationError('promiseAmount', 'is required with outcome promise: a whole number of minor units > 0 (e.g. 25000 for 250.00)');
    }
    if (!/^\d+$/.test(amountRaw) || !Number.isSafeInteger(Number(amountRaw)) || Number(amountRaw) <= 0) {
      throw new ValidationError('promiseAmount', `must be a whole number of minor units > 0 (e.g. 25000 for 250.00), got ${JSON.stringify(v.promiseAmount)}`);
    }
    if (dueRaw === null) throw new ValidationError('promiseDue', 'is required with outcome promise: the date promised, YYYY-MM-DD');
    promise = { amount: Number(amountRaw), due: parseDate(dueRaw, 'promiseDue') };
  } else {
    if (amountRaw !== null) throw new ValidationError('promiseAmount', `is only for outcome promise (outcome is ${outcome})`);
    if (dueRaw !== null) throw new ValidationError('promiseDue', `is only for outcome promise (outcome is ${outcome})`);
  }
  const purposeRaw = text(v.purpose);
  if (purposeRaw !== null && !(PURPOSES as readonly string[]).includes(purposeRaw)) throw new ValidationError('purpose', `must be one of ${PURPOSES.join(', ')}, got ${JSON.stringify(purposeRaw)}`);
  return {
    row, callId, exportRowId: exportRow, accountId, party, number, callerNumber: callerRaw, agent: text(v.agent), agency: text(v.agency),
    at: new Date(Date.parse(atRaw)).toISOString(), outcome: outcome as Outcome, promise, purpose: purposeRaw as Purpose | null,
  };
}

export interface ParsedResults {
  rows: DialerResult[];
  issues: RowIssue[];
}

function parseRows(raws: readonly unknown[]): ParsedResults {
  const rows: DialerResult[] = [];
  const issues: RowIssue[] = [];
  raws.forEach((raw, i) => {
    try {
      rows.push(parseResultRow(raw, i + 1));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const id = isRecord(raw) ? Object.entries(raw).find(([k]) => fieldOf(k) === 'callId')?.[1] : undefined;
      issues.push({ row: i + 1, callId: typeof id === 'string' && id.trim() !== '' ? id.trim() : null, field: e.field, rule: e.rule });
    }
  });
  return { rows, issues };
}

/** A results file: CSV with a header row (columns as RESULT_FIELDS, `snake_case` too) or JSON (a list, or `{ rows: [...] }`). */
export function parseResults(body: string, format: 'csv' | 'json'): ParsedResults {
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (e) {
      throw new ValidationError('file', `is not JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.rows) ? data.rows : null;
    if (list === null) throw new ValidationError('file', 'must hold a JSON list of rows, or { "rows": [...] }');
    return parseRows(list);
  }
  let records: Record<string, string>[];
  try {
    records = parseCsv(body, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    if (e instanceof CsvError) throw new ValidationError('file', `is not valid CSV: ${e.message}`);
    throw e;
  }
  return parseRows(records);
}

/** The normalised content of a call, hashed: the same call reported twice (CSV or JSON, any field order) hashes the same. */
export function resultHash(r: { callId: string; accountId: string; partyId: string; number: string; callerNumber: string; agent: string | null; agency: string | null; at: string; outcome: string; promise: { amount: number; due: string } | null; purpose: string }): string {
  const canonical = JSON.stringify([r.callId, r.accountId, r.partyId, r.number, r.callerNumber, r.agent, r.agency, r.at, r.outcome, r.promise?.amount ?? null, r.promise?.due ?? null, r.purpose]);
  return createHash('sha256').update(canonical).digest('hex');
}
