/**
 * Complaints: categories, the lifecycle (open → investigating → responded → closed), the response
 * deadline and the complaint rate. Pure: the store persists what these functions return.
 *
 * - Statuses only move forward; `investigating` may be skipped (a complaint answered at once), but
 *   a complaint is closed only after it was responded to, and closing needs a root cause and a
 *   resolution. A closed complaint stays closed (a new complaint is opened if the consumer comes back).
 * - Deadline: received date + the jurisdiction's response days (calendar days). A complaint is
 *   overdue on a date after its deadline while it has not been responded to.
 */
import { addDays, parseDate, ValidationError, type BusinessDate } from '../core/index.js';

export const COMPLAINT_CATEGORIES = [
  'harassment', 'third_party_disclosure', 'wrong_amount', 'threats', 'excessive_calls', 'time_of_day', 'workplace_contact',
  'contact_after_cease', 'ignored_dispute', 'wrong_person', 'misleading', 'fees_charges', 'privacy', 'other',
] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

export const COMPLAINT_STATUSES = ['open', 'investigating', 'responded', 'closed'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/** The statuses each status may move to. */
export const COMPLAINT_TRANSITIONS: Readonly<Record<ComplaintStatus, readonly ComplaintStatus[]>> = {
  open: ['investigating', 'responded'],
  investigating: ['responded'],
  responded: ['closed'],
  closed: [],
};

/** When no pack in force says (US: the CFPB's 15 calendar days). */
export const DEFAULT_RESPONSE_DAYS = 15;

/** A pack's optional `complaints:` key (structurally: any object may carry it). */
export interface HasComplaintsPolicy {
  id?: string;
  complaints?: { responseDays: number; source: string };
}

/**
 * The response time of a jurisdiction (a list of packs): the shortest any pack sets (packs only add
 * restrictions), DEFAULT_RESPONSE_DAYS when none says.
 */
export function responseDays(packs: readonly HasComplaintsPolicy[]): { days: number; source: string } {
  let best: { days: number; source: string } | null = null;
  for (const p of packs) {
    const c = p.complaints;
    if (c && (best === null || c.responseDays < best.days)) best = { days: c.responseDays, source: `${p.id ?? 'pack'}: ${c.source}` };
  }
  return best ?? { days: DEFAULT_RESPONSE_DAYS, source: `default ${DEFAULT_RESPONSE_DAYS} days (no pack sets complaints.responseDays)` };
}

export function complaintDeadline(receivedOn: BusinessDate, days: number): BusinessDate {
  return addDays(parseDate(receivedOn, 'receivedOn'), days);
}

export interface ComplaintState {
  status: ComplaintStatus;
  dueOn: BusinessDate;
  rootCause: string | null;
  resolution: string | null;
}

export interface StatusChange {
  status: ComplaintStatus;
  rootCause?: string | null;
  resolution?: string | null;
}

/**
 * Applies a status change; throws a ValidationError naming the field when the move is not allowed
 * or closing lacks a root cause or resolution. Root cause and resolution given without a status
 * change are kept (`status` equal to the current one is then allowed only for those updates).
 */
export function changeStatus(c: ComplaintState, change: StatusChange): ComplaintState {
  if (!(COMPLAINT_STATUSES as readonly string[]).includes(change.status)) {
    throw new ValidationError('status', `must be one of ${COMPLAINT_STATUSES.join(', ')}; got ${JSON.stringify(change.status)}`);
  }
  const rootCause = blankToNull(change.rootCause) ?? c.rootCause;
  const resolution = blankToNull(change.resolution) ?? c.resolution;
  if (change.status === c.status) {
    if (c.status === 'closed') throw new ValidationError('status', 'the complaint is closed; open a new complaint');
    if (rootCause === c.rootCause && resolution === c.resolution) throw new ValidationError('status', `is already ${c.status}; nothing to change`);
    return { ...c, rootCause, resolution };
  }
  const allowed = COMPLAINT_TRANSITIONS[c.status];
  if (!allowed.includes(change.status)) {
    throw new ValidationError('status', `cannot move from ${c.status} to ${change.status} (allowed: ${allowed.length ? allowed.join(', ') : 'none, the complaint is closed'})`);
  }
  if (change.status === 'closed') {
    if (rootCause === null) throw new ValidationError('rootCause', 'is required to close a complaint');
    if (resolution === null) throw new ValidationError('resolution', 'is required to close a complaint');
  }
  return { ...c, status: change.status, rootCause, resolution };
}

function blankToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v.trim() === '' ? null : v.trim();
}

/** Overdue on `asOf`: past the deadline and not responded to (responded and closed complaints never are). */
export function isOverdue(c: Pick<ComplaintState, 'status' | 'dueOn'>, asOf: BusinessDate): boolean {
  return (c.status === 'open' || c.status === 'investigating') && asOf > c.dueOn;
}

export interface Rate {
  complaints: number;
  attempts: number;
  /**
   * complaints per 1,000 attempts, rounded half-up to 2 decimals, as a plain decimal string
   * ("1.25"); null when there were no attempts (a rate over nothing is undefined, not 0 or ∞)
   */
  perThousand: string | null;
}

/** Complaints per 1,000 attempts, computed on integers and rounded half-up once to hundredths. */
export function complaintRate(complaints: number, attempts: number): Rate {
  for (const [k, v] of [['complaints', complaints], ['attempts', attempts]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ValidationError(k, `must be a whole number ≥ 0, got ${v}`);
  }
  if (attempts === 0) return { complaints, attempts, perThousand: null };
  // hundredths of a per-mille: complaints × 1000 × 100 / attempts, half-up: ⌊(2n + d) / 2d⌋
  const n = BigInt(complaints) * 100_000n;
  const d = BigInt(attempts);
  const h = (2n * n + d) / (2n * d);
  const whole = h / 100n;
  const frac = (h % 100n).toString().padStart(2, '0');
  return { complaints, attempts, perThousand: `${whole}.${frac}` };
}
