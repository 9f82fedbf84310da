/**
 * Compliance acts: the recorded facts (a dispute received, a cease request, an attorney's letter,
 * Breathing Space, an opt-out…) from which the gate's holds, opt-outs and flags are derived. A hold
 * is in force from the act that places it until the act that lifts it — nothing else lifts it.
 *
 * Semantics (docs/decisions/0003-compliance-acts.md):
 * - Scope: an act with `partyId` null concerns the consumer / the whole debt and applies to every
 *   party of the debt; an act with a party id applies to that party only. A lifting act lifts only
 *   what was placed with the same scope (the same party id, or null).
 * - Order: acts are folded by `at`; at the same instant placing acts come before lifting acts, then
 *   ACT_KINDS order — so the result does not depend on the order of the input.
 * - Acts after `asOf` are not yet facts and are ignored.
 * - `deceased` and `refused_contact` are never lifted (no act lifts them).
 * - A `dispute` places a hold whenever it is received — within the validation period or not, in
 *   writing or not — until `verification_sent` or `dispute_withdrawn`.
 * - Breathing Space: the hold has no `until`, so the pack's length applies (standard 60 days; mental
 *   health crisis: treatment end + 30 days). A `breathing_space` act with `treatmentEndedAt` while a
 *   crisis moratorium of the same scope is in force records the end of treatment.
 * - The fold is total: a lifting act with nothing to lift is ignored here; `liftProblem` tells the
 *   store to refuse recording it.
 */
import { isRecord, ValidationError } from '../core/index.js';
import { CHANNELS, type Channel } from '../contact/index.js';
import type { Hold, HoldKind, OptOut } from './types.js';
import { parseInstant } from './zone.js';

export const ACT_KINDS = [
  'cease', 'cease_withdrawn', 'dispute', 'verification_sent', 'dispute_withdrawn', 'attorney', 'attorney_withdrawn', 'breathing_space',
  'breathing_space_ended', 'deceased', 'bankruptcy', 'bankruptcy_ended', 'opt_out', 'opt_in', 'workplace_forbidden', 'workplace_allowed',
  'refused_contact',
] as const;
export type ActKind = (typeof ACT_KINDS)[number];

export const ACT_SOURCES = ['letter', 'call', 'email', 'sms', 'portal', 'court', 'agent', 'import', 'timeline'] as const;
export type ActSource = (typeof ACT_SOURCES)[number];

export interface ComplianceAct {
  kind: ActKind;
  debtId: string;
  /** the party the act concerns; null = the consumer / the whole debt */
  partyId: string | null;
  /** ISO instant the act was received / took effect */
  at: string;
  source: ActSource;
  /** opt_out / opt_in: the channel and the number or address */
  channel?: Channel;
  contactPoint?: string;
  /** breathing_space */
  variant?: 'standard' | 'mental_health_crisis';
  treatmentEndedAt?: string | null;
  note?: string;
}

export interface GateFacts {
  holds: Hold[];
  optOuts: OptOut[];
  workplaceForbidden: boolean;
  refusedContact: boolean;
}

/** The hold each placing act places. */
export const PLACES: Readonly<Partial<Record<ActKind, HoldKind>>> = {
  cease: 'cease', dispute: 'dispute', attorney: 'attorney', breathing_space: 'breathing_space', deceased: 'deceased', bankruptcy: 'bankruptcy',
};
/** The hold each lifting act lifts. */
export const LIFTS: Readonly<Partial<Record<ActKind, HoldKind>>> = {
  cease_withdrawn: 'cease', verification_sent: 'dispute', dispute_withdrawn: 'dispute', attorney_withdrawn: 'attorney',
  breathing_space_ended: 'breathing_space', bankruptcy_ended: 'bankruptcy',
};
const LIFTING_KINDS: ReadonlySet<ActKind> = new Set<ActKind>([...(Object.keys(LIFTS) as ActKind[]), 'opt_in', 'workplace_allowed']);

/** Does this act lift something (a hold, an opt-out, the workplace prohibition)? */
export function isLiftingAct(kind: ActKind): boolean {
  return LIFTING_KINDS.has(kind);
}

const norm = (s: string): string => s.trim().toLowerCase();
const scopeKey = (partyId: string | null): string => (partyId === null ? '' : `p:${partyId}`);

function ordered(acts: readonly ComplianceAct[]): ComplianceAct[] {
  const rank = (k: ActKind): number => (isLiftingAct(k) ? 1000 : 0) + ACT_KINDS.indexOf(k);
  return acts
    .map((a) => ({ a, ms: parseInstant(a.at) }))
    .sort((x, y) => x.ms - y.ms || rank(x.a.kind) - rank(y.a.kind))
    .map((x) => x.a);
}

/** The state of one debt's acts after folding, for every scope. */
interface Folded {
  /** per scope key: holds in force */
  holds: Map<string, Hold[]>;
  /** per scope key: `channel|contact point` → opt-out */
  optOuts: Map<string, Map<string, OptOut>>;
  workplace: Set<string>;
  refused: Set<string>;
}

function fold(acts: readonly ComplianceAct[], asOfMs: number, applies: (partyId: string | null) => boolean): Folded {
  const out: Folded = { holds: new Map(), optOuts: new Map(), workplace: new Set(), refused: new Set() };
  for (const a of ordered(acts)) {
    if (!applies(a.partyId)) continue;
    if (parseInstant(a.at) > asOfMs) break;
    const scope = scopeKey(a.partyId);
    const placed = PLACES[a.kind];
    const lifted = LIFTS[a.kind];
    if (placed !== undefined) {
      const list = out.holds.get(scope) ?? [];
      out.holds.set(scope, list);
      const open = list.filter((h) => h.kind === placed);
      if (placed === 'breathing_space') {
        const variant = a.variant ?? 'standard';
        const inTreatment = open.filter((h) => h.variant === 'mental_health_crisis' && (h.treatmentEndedAt ?? null) === null);
        if (variant === 'mental_health_crisis' && typeof a.treatmentEndedAt === 'string' && inTreatment.length > 0) {
          for (const h of inTreatment) h.treatmentEndedAt = a.treatmentEndedAt;
        } else {
          // every moratorium is its own hold: its length is the pack's, counted from its own start
          list.push({
            kind: placed, from: a.at, variant, ...(a.partyId !== null ? { partyId: a.partyId } : {}),
            ...(variant === 'mental_health_crisis' ? { treatmentEndedAt: a.treatmentEndedAt ?? null } : {}),
          });
        }
      } else if (open.length === 0) {
        list.push({ kind: placed, from: a.at, until: null, ...(a.partyId !== null ? { partyId: a.partyId } : {}) });
      }
    } else if (lifted !== undefined) {
      const list = out.holds.get(scope);
      if (list) out.holds.set(scope, list.filter((h) => h.kind !== lifted));
    } else if (a.kind === 'opt_out' || a.kind === 'opt_in') {
      if (a.channel === undefined || a.contactPoint === undefined) continue;
      const m = out.optOuts.get(scope) ?? new Map<string, OptOut>();
      out.optOuts.set(scope, m);
      const key = `${a.channel}|${norm(a.contactPoint)}`;
      if (a.kind === 'opt_out') {
        if (!m.has(key)) m.set(key, { channel: a.channel, contactPoint: a.contactPoint, at: a.at });
      } else m.delete(key);
    } else if (a.kind === 'workplace_forbidden') out.workplace.add(scope);
    else if (a.kind === 'workplace_allowed') out.workplace.delete(scope);
    else if (a.kind === 'refused_contact') out.refused.add(scope);
  }
  return out;
}

/**
 * Folds acts (any order) into what the gate needs for `partyId` as of `asOf` (ISO instant): holds
 * in force (lifted ones excluded, lifting only by the matching act), opt-outs, workplaceForbidden,
 * refusedContact. Acts about the whole debt (partyId null) and about `partyId` apply.
 */
export function gateFactsFromActs(acts: readonly ComplianceAct[], partyId: string, asOf: string): GateFacts {
  const asOfMs = parseInstant(asOf);
  if (Number.isNaN(asOfMs)) throw new ValidationError('asOf', `must be an ISO 8601 instant, got ${JSON.stringify(asOf)}`);
  const f = fold(acts, asOfMs, (p) => p === null || p === partyId);
  return {
    holds: [...f.holds.values()].flat(),
    optOuts: [...f.optOuts.values()].flatMap((m) => [...m.values()]),
    workplaceForbidden: f.workplace.size > 0,
    refusedContact: f.refused.size > 0,
  };
}

/**
 * Why `act` may not be recorded after `existing` (the same debt's acts), or null when it may: a
 * lifting act needs something of its scope in force at its instant to lift.
 */
export function liftProblem(existing: readonly ComplianceAct[], act: ComplianceAct): string | null {
  if (!isLiftingAct(act.kind)) return null;
  const atMs = parseInstant(act.at);
  const scope = scopeKey(act.partyId);
  const f = fold(existing.filter((e) => e.debtId === act.debtId), atMs, (p) => p === act.partyId);
  const who = act.partyId === null ? 'the debt' : `party ${act.partyId}`;
  const lifted = LIFTS[act.kind];
  if (lifted !== undefined) {
    if ((f.holds.get(scope) ?? []).some((h) => h.kind === lifted)) return null;
    return `nothing to lift: no ${lifted.replace('_', ' ')} hold in force for ${who} at ${act.at}`;
  }
  if (act.kind === 'opt_in') {
    if (f.optOuts.get(scope)?.has(`${act.channel ?? ''}|${norm(act.contactPoint ?? '')}`)) return null;
    return `nothing to lift: ${act.contactPoint ?? '?'} has not opted out of ${act.channel ?? '?'} for ${who} at ${act.at}`;
  }
  if (f.workplace.has(scope)) return null;
  return `nothing to lift: workplace contact is not forbidden for ${who} at ${act.at}`;
}

const ACT_KEYS = ['kind', 'debtId', 'partyId', 'at', 'source', 'channel', 'contactPoint', 'variant', 'treatmentEndedAt', 'note'] as const;

function instant(v: unknown, field: string): string {
  const ms = typeof v === 'string' ? parseInstant(v) : Number.NaN;
  if (Number.isNaN(ms)) throw new ValidationError(field, `must be an ISO 8601 instant with Z or an offset (e.g. 2026-03-02T14:30:00Z), got ${JSON.stringify(v)}`);
  return new Date(ms).toISOString();
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(field, `is required: a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new ValidationError(field, `must be one of ${values.join(', ')}; got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/**
 * Validates a raw act (from a file, the CLI, an API body). `at` and `treatmentEndedAt` are
 * normalised to UTC ISO instants. Throws a ValidationError naming the field and the rule.
 */
export function parseAct(raw: unknown, field = 'act'): ComplianceAct {
  const f = (k: string): string => `${field}.${k}`;
  if (!isRecord(raw)) throw new ValidationError(field, 'must be a mapping { kind, debtId, partyId, at, source }');
  for (const k of Object.keys(raw)) {
    if (!(ACT_KEYS as readonly string[]).includes(k)) throw new ValidationError(f(k), `is not a known field (known: ${ACT_KEYS.join(', ')})`);
  }
  const kind = oneOf(raw.kind, ACT_KINDS, f('kind'));
  const act: ComplianceAct = {
    kind,
    debtId: text(raw.debtId, f('debtId')),
    partyId: raw.partyId === undefined || raw.partyId === null ? null : text(raw.partyId, f('partyId')),
    at: instant(raw.at, f('at')),
    source: oneOf(raw.source, ACT_SOURCES, f('source')),
  };
  const optOut = kind === 'opt_out' || kind === 'opt_in';
  if (optOut) {
    act.channel = oneOf(raw.channel, CHANNELS, f('channel'));
    act.contactPoint = text(raw.contactPoint, f('contactPoint')).trim();
  } else {
    for (const k of ['channel', 'contactPoint'] as const) {
      if (raw[k] !== undefined) throw new ValidationError(f(k), 'is only for opt_out and opt_in');
    }
  }
  if (kind === 'breathing_space') {
    act.variant = raw.variant === undefined ? 'standard' : oneOf(raw.variant, ['standard', 'mental_health_crisis'] as const, f('variant'));
    if (raw.treatmentEndedAt !== undefined && raw.treatmentEndedAt !== null) {
      if (act.variant !== 'mental_health_crisis') throw new ValidationError(f('treatmentEndedAt'), 'is only for variant mental_health_crisis');
      act.treatmentEndedAt = instant(raw.treatmentEndedAt, f('treatmentEndedAt'));
    } else if (act.variant === 'mental_health_crisis') act.treatmentEndedAt = null;
  } else {
    for (const k of ['variant', 'treatmentEndedAt'] as const) {
      if (raw[k] !== undefined) throw new ValidationError(f(k), 'is only for breathing_space');
    }
  }
  if (kind === 'refused_contact' && act.partyId === null) {
    throw new ValidationError(f('partyId'), 'is required for refused_contact: the third party who refused (a consumer who refuses contact is a cease)');
  }
  if (raw.note !== undefined && raw.note !== null) {
    if (typeof raw.note !== 'string') throw new ValidationError(f('note'), `must be a string, got ${JSON.stringify(raw.note)}`);
    act.note = raw.note;
  }
  return act;
}
