/**
 * Visit reports: what a field agent brings back from a visit. `parseVisitReport` checks the whole
 * report and lists every problem, each naming the field and the rule it broke.
 */
import { isDate, isRecord, ValidationError, type BusinessDate } from '../core/index.js';
import { parseInstant } from '../compliance/index.js';
import { isGeoPoint, type GeoPoint } from './plan.js';

export const MET = ['borrower', 'relative', 'nobody', 'other'] as const;
export type Met = (typeof MET)[number];

export const VISIT_OUTCOMES = [
  'promise', 'paid', 'refused_to_pay', 'dispute', 'hardship', 'message_left', 'not_home', 'moved', 'wrong_address', 'other',
] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];
/** outcomes that need someone to have been met */
const NEEDS_PERSON: readonly VisitOutcome[] = ['promise', 'paid', 'refused_to_pay', 'dispute', 'hardship', 'message_left'];

/** the address visited (the strategy's visit tasks: residential first, then the ID-card address) */
export const VISIT_ADDRESSES = ['residential', 'id_card'] as const;
export type VisitAddress = (typeof VISIT_ADDRESSES)[number];

export const EVIDENCE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'audio/mpeg', 'audio/mp4', 'video/mp4'] as const;
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

export const DEFAULT_MAX_EVIDENCE_BYTES = 25 * 1024 * 1024;

export interface Evidence {
  name: string;
  mediaType: EvidenceMediaType;
  /** bytes */
  size: number;
}

export interface VisitReport {
  /** the visit date */
  date: BusinessDate;
  /** the address visited (default residential) */
  address: VisitAddress;
  met: Met;
  outcome: VisitOutcome;
  promise: { amount: number; date: BusinessDate } | null;
  notes: string | null;
  evidence: Evidence[];
  /** where (and, optionally, when: an ISO instant) the collectors checked in */
  checkIn: GeoPoint & { at?: string };
  /** the collectors who made the visit */
  collectors: string[];
}

export interface ReportOptions {
  /** largest evidence file in bytes (default 25 MB) */
  maxEvidenceBytes?: number;
  /** collectors the visit needs (a pack's field-visit minCollectors; default 1) */
  minCollectors?: number;
  /** the pack asks for a recording: at least one audio or video file (default false) */
  recordingRequired?: boolean;
}

export interface ReportIssue {
  field: string;
  rule: string;
}

/** A report with problems: `issues` lists them all; `field` and `rule` are the first. */
export class VisitReportError extends ValidationError {
  readonly issues: ReportIssue[];
  constructor(issues: ReportIssue[]) {
    const first = issues[0] as ReportIssue;
    super(first.field, issues.length === 1 ? first.rule : `${first.rule}; ${issues.slice(1).map((i) => `${i.field}: ${i.rule}`).join('; ')}`);
    this.issues = issues;
  }
}

const KEYS = ['date', 'address', 'met', 'outcome', 'promise', 'notes', 'evidence', 'checkIn', 'collectors'];
const MAX_NOTES = 4000;

export function parseVisitReport(raw: unknown, opts: ReportOptions = {}): VisitReport {
  const maxBytes = opts.maxEvidenceBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
  const issues: ReportIssue[] = [];
  const bad = (field: string, rule: string): void => {
    issues.push({ field, rule });
  };
  if (!isRecord(raw)) throw new VisitReportError([{ field: 'report', rule: 'must be a mapping { date, met, outcome, checkIn, … }' }]);
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) bad(k, `is not a known field (known: ${KEYS.join(', ')})`);

  if (!isDate(raw.date)) bad('date', `is required, a date YYYY-MM-DD, got ${JSON.stringify(raw.date)}`);
  const address = raw.address === undefined || raw.address === null ? 'residential'
    : (VISIT_ADDRESSES as readonly unknown[]).includes(raw.address) ? (raw.address as VisitAddress) : null;
  if (address === null) bad('address', `must be one of ${VISIT_ADDRESSES.join(', ')}, got ${JSON.stringify(raw.address)}`);
  const met = (MET as readonly unknown[]).includes(raw.met) ? (raw.met as Met) : null;
  if (met === null) bad('met', `must be one of ${MET.join(', ')}, got ${JSON.stringify(raw.met)}`);
  const outcome = (VISIT_OUTCOMES as readonly unknown[]).includes(raw.outcome) ? (raw.outcome as VisitOutcome) : null;
  if (outcome === null) bad('outcome', `must be one of ${VISIT_OUTCOMES.join(', ')}, got ${JSON.stringify(raw.outcome)}`);
  if (met === 'nobody' && outcome !== null && NEEDS_PERSON.includes(outcome)) bad('outcome', `"${outcome}" needs someone to have been met, but met is nobody`);

  let promise: VisitReport['promise'] = null;
  if (raw.promise !== undefined && raw.promise !== null) {
    const p = raw.promise;
    if (!isRecord(p)) bad('promise', 'must be a mapping { amount, date }');
    else {
      const okAmount = typeof p.amount === 'number' && Number.isSafeInteger(p.amount) && p.amount > 0;
      if (!okAmount) bad('promise.amount', `must be a whole number of minor units above 0, got ${JSON.stringify(p.amount)}`);
      const okDate = isDate(p.date);
      if (!okDate) bad('promise.date', `must be a date YYYY-MM-DD, got ${JSON.stringify(p.date)}`);
      else if (isDate(raw.date) && (p.date as string) < raw.date) bad('promise.date', `must not be before the visit date ${raw.date}`);
      if (okAmount && okDate) promise = { amount: p.amount as number, date: p.date as BusinessDate };
    }
    if (outcome !== null && outcome !== 'promise') bad('promise', `is only for outcome promise, the outcome is ${outcome}`);
  } else if (outcome === 'promise') bad('promise', 'is required when the outcome is promise');

  let notes: string | null = null;
  if (raw.notes !== undefined && raw.notes !== null) {
    if (typeof raw.notes !== 'string') bad('notes', 'must be text');
    else if (raw.notes.length > MAX_NOTES) bad('notes', `must be at most ${MAX_NOTES} characters, got ${raw.notes.length}`);
    else notes = raw.notes;
  }

  const evidence: Evidence[] = [];
  if (raw.evidence !== undefined && raw.evidence !== null && !Array.isArray(raw.evidence)) bad('evidence', 'must be a list of { name, mediaType, size }');
  else if (Array.isArray(raw.evidence)) {
    raw.evidence.forEach((e: unknown, i) => {
      const f = `evidence[${i}]`;
      if (!isRecord(e)) {
        bad(f, 'must be a mapping { name, mediaType, size }');
        return;
      }
      const okName = typeof e.name === 'string' && e.name.trim() !== '' && !/[\\/]/.test(e.name);
      if (!okName) bad(`${f}.name`, 'is required, a file name without a path');
      const okType = (EVIDENCE_MEDIA_TYPES as readonly unknown[]).includes(e.mediaType);
      if (!okType) bad(`${f}.mediaType`, `must be one of ${EVIDENCE_MEDIA_TYPES.join(', ')}, got ${JSON.stringify(e.mediaType)}`);
      const okSize = typeof e.size === 'number' && Number.isSafeInteger(e.size) && e.size > 0 && e.size <= maxBytes;
      if (!okSize) bad(`${f}.size`, `must be a whole number of bytes from 1 to ${maxBytes}, got ${JSON.stringify(e.size)}`);
      if (okName && okType && okSize) evidence.push({ name: e.name as string, mediaType: e.mediaType as EvidenceMediaType, size: e.size as number });
    });
  }
  if (opts.recordingRequired && !evidence.some((e) => e.mediaType.startsWith('audio/') || e.mediaType.startsWith('video/'))) {
    bad('evidence', 'must include a recording (audio/mpeg, audio/mp4 or video/mp4): the rule pack requires one');
  }

  let checkIn: VisitReport['checkIn'] | null = isGeoPoint(raw.checkIn) ? { lat: raw.checkIn.lat, lon: raw.checkIn.lon } : null;
  if (checkIn === null) bad('checkIn', `is required, { lat: -90…90, lon: -180…180, at? }, got ${JSON.stringify(raw.checkIn)}`);
  else if (isRecord(raw.checkIn) && raw.checkIn.at !== undefined && raw.checkIn.at !== null) {
    const at = raw.checkIn.at;
    if (typeof at !== 'string' || Number.isNaN(parseInstant(at))) {
      bad('checkIn.at', `must be an ISO instant with Z or an offset, e.g. 2026-03-02T10:30:00+08:00, got ${JSON.stringify(at)}`);
    } else checkIn = { ...checkIn, at };
  }

  const collectors: string[] = [];
  if (raw.collectors !== undefined && raw.collectors !== null) {
    if (!Array.isArray(raw.collectors) || !raw.collectors.every((c) => typeof c === 'string' && c.trim() !== '')) bad('collectors', 'must be a list of agent ids');
    else collectors.push(...new Set(raw.collectors as string[]));
  }
  const minCollectors = opts.minCollectors ?? 1;
  if (collectors.length < minCollectors && !issues.some((i) => i.field === 'collectors')) {
    bad('collectors', `must name at least ${minCollectors} collector(s), got ${collectors.length}`);
  }

  if (issues.length > 0 || address === null || met === null || outcome === null || checkIn === null) throw new VisitReportError(issues);
  return { date: raw.date as BusinessDate, address, met, outcome, promise, notes, evidence, checkIn, collectors };
}

/**
 * The contact outcome a visit report is recorded as (the attempt the strategy reads, the gate decision's outcome):
 * a conversation outcome only when the borrower was met (a promise is kept as a promise whoever made it, so that
 * it is tracked); someone else met is `reached_person`; nobody met is `no_answer`.
 */
export function contactOutcomeOf(r: Pick<VisitReport, 'met' | 'outcome'>): 'promise' | 'refused_to_pay' | 'dispute' | 'hardship' | 'conversation' | 'reached_person' | 'no_answer' {
  if (r.outcome === 'promise') return 'promise';
  if (r.met === 'nobody') return 'no_answer';
  if (r.met !== 'borrower') return 'reached_person';
  switch (r.outcome) {
    case 'refused_to_pay':
    case 'dispute':
    case 'hardship':
      return r.outcome;
    case 'paid':
    case 'message_left':
    case 'other':
      return 'conversation';
    default:
      // not_home, moved, wrong_address with the borrower met cannot happen in practice; count it as reached
      return 'conversation';
  }
}

/** A visit reached the borrower when the borrower was met; any other visit failed (the strategy's `visits.*` facts). */
export function visitReached(r: Pick<VisitReport, 'met'>): boolean {
  return r.met === 'borrower';
}
