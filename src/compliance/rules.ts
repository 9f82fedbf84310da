/**
 * The rule kinds, each implemented once: how its `params` are read from a pack (with positions)
 * and a pure evaluation (request, context, params) → verdict. A verdict that blocks says when
 * this rule alone would next allow the same attempt (null: never, or only after a recorded act).
 *
 * Packs are data made of these kinds (rule-packs/*.yaml, docs/rule-packs.md). A new kind is one
 * entry in `RULE_KINDS` plus its case in `evaluateRule`.
 */
import { CHANNELS, CONVERSATION_OUTCOMES, PARTY_KINDS } from '../contact/index.js';
import type { Channel } from '../contact/index.js';
import { addDays } from '../core/index.js';
import type { Params } from './params.js';
import { checkTemplate, type MessageTemplate, type TemplateIssue } from './templates.js';
import {
  CONTACT_POINT_FILTERS, GATE_OUTCOMES, isTemplateRule, TEMPLATE_CHECKS, HOLD_KINDS, PURPOSES, SCOPES, counts, isPersonal,
  type AllowedHoursParams, type AttemptRequest, type CooldownParams, type ExcludedDaysParams, type FieldVisitParams,
  type GateContext, type GateOutcome, type Hold, type HoldParams, type InconvenientMediaParams, type InconvenientTimesParams,
  type OptOutParams, type OutcomeCooldownParams, type PartyKindEntry, type PartyKindParams,
  type PastAttempt, type Rule, type RuleKind, type Scope, type TimeBarredParams, type Verdict, type WindowCapParams, type WorkplaceParams,
  type TemplateParams,
} from './types.js';
import { describeInstant, hhmm, instantAt, localTime, parseInstant, startOfLocalDay, type LocalTime } from './zone.js';

export const DAY_MS = 86_400_000;

/** An earlier attempt with its instant parsed. */
export interface TimedAttempt {
  attempt: PastAttempt;
  ms: number;
}

/** A consumer-designated inconvenient time range, read once per decision (`GateContext.inconvenientTimes`). */
export interface DesignatedRange {
  /** minutes since local midnight, inclusive */
  from: number;
  /** minutes since local midnight, exclusive (1440 = midnight); ≤ from: overnight into the next day */
  to: number;
  channels: readonly Channel[] | null;
  /** ISO weekdays on which the range starts; null: every day */
  weekdays: readonly number[] | null;
  /** `22:00–10:00` */
  label: string;
}

/** What every rule sees: the request at instant `at` (ms), its context, and parsed history. */
export interface Env {
  request: AttemptRequest;
  context: GateContext;
  at: number;
  /** the party's zones, validated; `UTC` when the party has none (calendar-day rules only) */
  zones: readonly string[];
  /** whether the party had any zone at all */
  zonesKnown: boolean;
  history: readonly TimedAttempt[];
  holidays: ReadonlySet<string>;
  /** consumer consent to calls, ms (NaN: none) */
  consentUntil: number;
  /** `context.inconvenientTimes`, parsed (empty when none) */
  inconvenient: readonly DesignatedRange[];
  /** `context.timeBarredSince`, ms (NaN: not time-barred) */
  timeBarredSince: number;
  /**
   * build the readable parts of a verdict (`why`, local times); false while the gate only needs
   * whether and until when a rule blocks (it re-evaluates the reported rule with true)
   */
  explain: boolean;
}

const ALLOW: Verdict = { allowed: true, vars: {}, nextAllowedAt: null };

function block(nextAllowedAt: number | null, vars: Record<string, string | number>): Verdict {
  return { allowed: false, vars, nextAllowedAt };
}

const CONVERSATIONS: GateOutcome[] = GATE_OUTCOMES.filter((o) => (CONVERSATION_OUTCOMES as ReadonlySet<string>).has(o));

function appliesTo(channels: readonly Channel[] | null, channel: Channel): boolean {
  return channels === null || channels.includes(channel);
}

function inScope(a: PastAttempt, r: AttemptRequest, scope: Scope): boolean {
  switch (scope) {
    case 'party': return a.partyId === r.party.id;
    case 'debt': return a.debtId === r.debtId;
    case 'contact_point': return a.contactPointId === r.contactPoint.id;
    case 'party+debt': return a.partyId === r.party.id && a.debtId === r.debtId;
  }
}

/** Whether a past attempt was at a personal contact point (see `PastAttempt.personal`). */
function personalAttempt(a: PastAttempt, r: AttemptRequest): boolean {
  return a.personal ?? (a.contactPointId === r.contactPoint.id ? isPersonal(r.contactPoint) : true);
}

function consentActive(env: Env): boolean {
  return env.at < env.consentUntil;
}

function local(env: Env, ms: number): string {
  return env.explain ? describeInstant(ms, env.zones[0] ?? 'UTC') : '';
}

// ---------------------------------------------------------------------------------------------
// window-cap

function parseWindowCap(p: Params): WindowCapParams {
  return {
    max: p.int('max', 0, 1000),
    days: p.int('days', 1, 366),
    window: p.oneOf('window', ['rolling', 'calendar'] as const, 'rolling'),
    scope: p.oneOf('scope', SCOPES),
    channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null,
    outcomes: p.listOf('outcomes', GATE_OUTCOMES),
    consentExempts: p.bool('consentExempts', false),
    includeInbound: p.bool('includeInbound', false),
    contactPoints: p.oneOf('contactPoints', CONTACT_POINT_FILTERS, 'any'),
  };
}

/**
 * Attempts recorded after `env.at` (another worker reserved a later slot, or a request arrives
 * late) count too: a new attempt must not push any window that contains it over the cap, and
 * windows containing it reach up to one window length into the future. When such later attempts
 * are counted, `nextAllowedAt` is the conservative "one window after the last of them".
 */
export function windowCap(env: Env, p: WindowCapParams): Verdict {
  const r = env.request;
  if (!appliesTo(p.channels, r.channel)) return ALLOW;
  if (p.consentExempts && consentActive(env)) return ALLOW;
  const wantPersonal = p.contactPoints === 'personal';
  if (p.contactPoints !== 'any' && isPersonal(r.contactPoint) !== wantPersonal) return ALLOW;
  const counted: number[] = [];
  for (const h of env.history) {
    const a = h.attempt;
    if (!inScope(a, r, p.scope) || !appliesTo(p.channels, a.channel) || !counts(p.outcomes, a.outcome)) continue;
    if (a.consumerInitiated && !p.includeInbound) continue;
    if (a.withConsent && p.consentExempts) continue;
    if (p.contactPoints !== 'any' && personalAttempt(a, r) !== wantPersonal) continue;
    counted.push(h.ms);
  }
  const at = p.contactPoints === 'any' ? '' : ` at ${wantPersonal ? 'personal' : 'non-personal'} numbers`;
  if (p.window === 'rolling') {
    const start = env.at - p.days * DAY_MS;
    const end = env.at + p.days * DAY_MS;
    const inWindow = counted.filter((ms) => ms > start && ms < end).sort((x, y) => x - y);
    if (inWindow.length < p.max) return ALLOW;
    const later = inWindow.filter((ms) => ms > env.at);
    const leaving = inWindow[inWindow.length - p.max];
    const next = later.length > 0
      ? (inWindow[inWindow.length - 1] as number) + p.days * DAY_MS
      : leaving === undefined ? null : leaving + p.days * DAY_MS;
    return block(next, { count: inWindow.length, max: p.max, days: p.days, why: `${inWindow.length} counted attempts${at} since ${local(env, start)}` });
  }
  // calendar days, in every zone the party may be in
  let worst: Verdict = ALLOW;
  for (const zone of env.zones) {
    const today = localTime(env.at, zone).date;
    const first = addDays(today, -(p.days - 1));
    const last = addDays(today, p.days - 1);
    const dates = counted.map((ms) => localTime(ms, zone).date).filter((d) => d >= first && d <= last).sort();
    if (dates.length < p.max) continue;
    const laterDates = dates.filter((d) => d > today);
    const leavingDate = (laterDates.length > 0 ? dates[dates.length - 1] : dates[dates.length - p.max]) as string;
    const next = instantAt(addDays(leavingDate, p.days), 0, zone);
    if (worst.allowed || (worst.nextAllowedAt !== null && next > worst.nextAllowedAt)) {
      worst = block(next, {
        count: dates.length, max: p.max, days: p.days,
        why: `${dates.length} counted attempts${at} ${p.days === 1 ? `on ${today}` : `from ${first} to ${today}`} (${zone})`,
      });
    }
  }
  return worst;
}

// ---------------------------------------------------------------------------------------------
// conversation-cooldown

function parseCooldown(p: Params): CooldownParams {
  return {
    days: p.int('days', 1, 366),
    channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null,
    outcomes: p.listOf('outcomes', GATE_OUTCOMES, CONVERSATIONS),
    scope: p.oneOf('scope', SCOPES, 'party+debt'),
    consentExempts: p.bool('consentExempts', false),
  };
}

/** The conversation day is day 1: a conversation on D blocks D … D+days-1 in every zone of the party. */
export function conversationCooldown(env: Env, p: CooldownParams): Verdict {
  const r = env.request;
  if (!appliesTo(p.channels, r.channel)) return ALLOW;
  if (p.consentExempts && consentActive(env)) return ALLOW;
  let last = Number.NEGATIVE_INFINITY;
  for (const h of env.history) {
    const a = h.attempt;
    if (h.ms > env.at || h.ms <= last || !inScope(a, r, p.scope) || !appliesTo(p.channels, a.channel) || !p.outcomes.includes(a.outcome)) continue;
    if (a.withConsent && p.consentExempts) continue;
    last = h.ms;
  }
  if (last === Number.NEGATIVE_INFINITY) return ALLOW;
  let next: number | null = null;
  let day = '';
  for (const zone of env.zones) {
    const convDay = localTime(last, zone).date;
    const today = localTime(env.at, zone).date;
    if (today <= addDays(convDay, p.days - 1)) {
      const n = instantAt(addDays(convDay, p.days), 0, zone);
      if (next === null || n > next) {
        next = n;
        day = `${convDay} (${zone})`;
      }
    }
  }
  if (next === null) return ALLOW;
  return block(next, { days: p.days, conversation: day, why: `a conversation on ${day}` });
}

// ---------------------------------------------------------------------------------------------
// allowed-hours

function parseAllowedHours(p: Params): AllowedHoursParams {
  const from = p.time('from');
  const to = p.time('to');
  if (hhmm(from) >= hhmm(to)) p.src.report([...p.path, 'to'], `must be after from (${from}); a window runs within one local day`);
  return { from, to, channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null };
}

const SEARCH_LIMIT_MS = 8 * DAY_MS;

/** Every zone's local time is inside [from, to) — the intersection of the windows. */
export function allowedHours(env: Env, p: AllowedHoursParams): Verdict {
  if (!appliesTo(p.channels, env.request.channel)) return ALLOW;
  const vars = { from: p.from, to: p.to, zones: env.zones.join(', ') };
  if (!env.zonesKnown) return block(null, { ...vars, zones: 'unknown', why: 'the party has no known time zone' });
  const from = hhmm(p.from);
  const to = hhmm(p.to);
  const outside = (t: number): string | null => {
    for (const z of env.zones) {
      const m = localTime(t, z).minute;
      if (m < from || m >= to) return z;
    }
    return null;
  };
  const z0 = outside(env.at);
  if (z0 === null) return ALLOW;
  const why = env.explain ? `it is ${describeInstant(env.at, z0)}` : '';
  let t = env.at;
  while (t - env.at <= SEARCH_LIMIT_MS) {
    if (outside(t) === null) return block(t, { ...vars, why });
    let nt = t;
    for (const z of env.zones) {
      const lt = localTime(t, z);
      if (lt.minute >= from && lt.minute < to) continue;
      const cand = lt.minute < from ? instantAt(lt.date, from, z) : instantAt(addDays(lt.date, 1), from, z);
      if (cand > nt) nt = cand;
    }
    t = nt > t ? nt : t + 60_000;
  }
  return block(null, { ...vars, why: `${p.from}–${p.to} never falls at the same time in ${vars.zones}` });
}

// ---------------------------------------------------------------------------------------------
// excluded-days

function parseExcludedDays(p: Params): ExcludedDaysParams {
  const out = { sundays: p.bool('sundays', false), holidays: p.bool('holidays', false), channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null };
  if (!out.sundays && !out.holidays) p.src.report(p.path, 'excludes nothing: set sundays and/or holidays to true');
  return out;
}

export function excludedDays(env: Env, p: ExcludedDaysParams): Verdict {
  if (!appliesTo(p.channels, env.request.channel)) return ALLOW;
  const excludedIn = (t: number): { zone: string; what: string } | null => {
    for (const z of env.zones) {
      const lt = localTime(t, z);
      if (p.sundays && lt.weekday === 7) return { zone: z, what: `Sunday ${lt.date}` };
      if (p.holidays && env.holidays.has(lt.date)) return { zone: z, what: `holiday ${lt.date}` };
    }
    return null;
  };
  const first = excludedIn(env.at);
  if (first === null) return ALLOW;
  let t = env.at;
  for (let i = 0; i < 60; i++) {
    let nt = t;
    for (const z of env.zones) {
      const lt = localTime(t, z);
      if ((p.sundays && lt.weekday === 7) || (p.holidays && env.holidays.has(lt.date))) nt = Math.max(nt, startOfLocalDay(t, z, 1));
    }
    if (nt === t) return block(t, { day: first.what, why: `it is ${first.what} in ${first.zone}` });
    t = nt;
  }
  return block(null, { day: first.what, why: `it is ${first.what} in ${first.zone}` });
}

// ---------------------------------------------------------------------------------------------
// party-kind

function parsePartyKind(p: Params): PartyKindParams {
  const allow = p.records('allow', (e): PartyKindEntry => ({
    kinds: e.listOf('kinds', PARTY_KINDS),
    purposes: e.has('purposes') ? e.listOf('purposes', PURPOSES) : null,
    maxPerPerson: e.has('maxPerPerson') ? e.int('maxPerPerson', 0, 1000) : null,
    countOutcomes: e.listOf('countOutcomes', GATE_OUTCOMES, CONVERSATIONS),
    onlyWhenDebtorUnreachable: e.bool('onlyWhenDebtorUnreachable', false),
    notAfterRefusal: e.bool('notAfterRefusal', false),
  }));
  return { allow, attorneys: p.bool('attorneys', true) };
}

export function partyKind(env: Env, p: PartyKindParams): Verdict {
  const r = env.request;
  const vars = { kind: r.party.kind, purpose: r.purpose };
  if (r.party.flags.attorney && p.attorneys) return ALLOW;
  const e = p.allow.find((x) => x.kinds.includes(r.party.kind));
  if (!e) return block(null, { ...vars, why: `a ${r.party.kind} may not be contacted under this pack` });
  if (e.purposes && !e.purposes.includes(r.purpose)) {
    return block(null, { ...vars, why: `a ${r.party.kind} may be contacted only for ${e.purposes.join(' or ')}, not ${r.purpose}` });
  }
  if (e.onlyWhenDebtorUnreachable && !env.context.debtorUnreachable) {
    return block(null, { ...vars, why: 'the debtor can still be reached' });
  }
  if (e.notAfterRefusal && env.context.refusedContact) return block(null, { ...vars, why: `this ${r.party.kind} refused further contact` });
  if (e.maxPerPerson !== null && !r.party.flags.invitedContact) {
    let n = 0;
    for (const h of env.history) {
      const a = h.attempt;
      if (h.ms <= env.at && a.partyId === r.party.id && a.debtId === r.debtId && !a.consumerInitiated && counts(e.countOutcomes, a.outcome)) n++;
    }
    if (n >= e.maxPerPerson) {
      return block(null, { ...vars, max: e.maxPerPerson, count: n, why: `already contacted ${n} time${n === 1 ? '' : 's'} about this debt (limit ${e.maxPerPerson})` });
    }
  }
  return ALLOW;
}

// ---------------------------------------------------------------------------------------------
// opt-out

function parseOptOut(p: Params): OptOutParams {
  return { channels: p.listOf('channels', CHANNELS), confirmations: p.int('confirmations', 0, 10, 0) };
}

const norm = (s: string): string => s.trim().toLowerCase();

/**
 * An opt-out in force (from its `at`, if given) blocks the channel at that address or number. With
 * `confirmations` > 0, that many messages with purpose `opt_out_confirmation` may still go there,
 * counted from the latest opt-out in force (every recorded confirmation counts, pending and failed
 * ones too); a confirmation with nothing to confirm is blocked.
 */
export function optOut(env: Env, p: OptOutParams): Verdict {
  const r = env.request;
  if (!p.channels.includes(r.channel)) return ALLOW;
  const cp = norm(r.contactPoint.id);
  let since: number | null = null;
  for (const o of env.context.optOuts) {
    if (o.channel !== r.channel || norm(o.contactPoint) !== cp) continue;
    const from = o.at === undefined ? Number.NEGATIVE_INFINITY : parseInstant(o.at);
    if (env.at >= from && (since === null || from > since)) since = from;
  }
  const vars = { channel: r.channel, contactPoint: r.contactPoint.id };
  const confirming = r.purpose === 'opt_out_confirmation' && p.confirmations > 0;
  if (since === null) {
    return confirming ? block(null, { ...vars, why: `there is no opt-out of ${r.channel} at ${r.contactPoint.id} to confirm` }) : ALLOW;
  }
  const when = since === Number.NEGATIVE_INFINITY ? '' : ` on ${local(env, since)}`;
  if (confirming) {
    let n = 0;
    for (const h of env.history) {
      const a = h.attempt;
      if (a.purpose === 'opt_out_confirmation' && a.channel === r.channel && !a.consumerInitiated && h.ms >= since && norm(a.contactPointId) === cp) n++;
    }
    if (n < p.confirmations) return ALLOW;
    return block(null, { ...vars, why: `${r.contactPoint.id} opted out of ${r.channel}${when} and the opt-out has already been confirmed` });
  }
  return block(null, { ...vars, why: `${r.contactPoint.id} opted out of ${r.channel}${when}` });
}

// ---------------------------------------------------------------------------------------------
// hold

function parseHold(p: Params): HoldParams {
  return {
    hold: p.oneOf('hold', HOLD_KINDS),
    allowPurposes: p.listOf('allowPurposes', PURPOSES, []),
    allowAttorney: p.bool('allowAttorney', false),
    defaultDays: p.has('defaultDays') ? p.int('defaultDays', 1, 3660) : null,
    afterTreatmentDays: p.has('afterTreatmentDays') ? p.int('afterTreatmentDays', 0, 3660) : null,
  };
}

/** When a hold ends (ms), or null while it lasts until lifted. */
export function holdEnd(h: Hold, p: HoldParams): number | null {
  if (h.until === null) return null;
  if (typeof h.until === 'string') return parseInstant(h.until);
  if (h.variant === 'mental_health_crisis' && p.afterTreatmentDays !== null) {
    if (h.treatmentEndedAt === null || h.treatmentEndedAt === undefined) return null;
    return parseInstant(h.treatmentEndedAt) + p.afterTreatmentDays * DAY_MS;
  }
  return p.defaultDays !== null ? parseInstant(h.from) + p.defaultDays * DAY_MS : null;
}

export function hold(env: Env, p: HoldParams): Verdict {
  const r = env.request;
  let verdict: Verdict = ALLOW;
  for (const h of env.context.holds) {
    if (h.kind !== p.hold || (h.partyId !== undefined && h.partyId !== r.party.id)) continue;
    if (env.at < parseInstant(h.from)) continue;
    const end = holdEnd(h, p);
    if (end !== null && env.at >= end) continue;
    if (p.allowPurposes.includes(r.purpose) || h.allows?.purposes?.includes(r.purpose)) continue;
    if (h.allows?.partyIds?.includes(r.party.id)) continue;
    if (p.allowAttorney && r.party.flags.attorney) continue;
    if (verdict.allowed || (verdict.nextAllowedAt !== null && (end === null || end > verdict.nextAllowedAt))) {
      verdict = block(end, {
        hold: h.kind, since: h.from,
        why: `a ${h.kind.replace('_', ' ')} hold since ${h.from.slice(0, 10)}${end === null ? ', until lifted' : `, until ${local(env, end)}`}`,
      });
    }
  }
  return verdict;
}

// ---------------------------------------------------------------------------------------------
// workplace

function parseWorkplace(p: Params): WorkplaceParams {
  return {
    channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null,
    condition: p.oneOf('condition', ['employer_forbids', 'always'] as const, 'employer_forbids'),
    consentLifts: p.bool('consentLifts', false),
  };
}

/** The consumer consented to this contact point, or wrote from it on the request's channel. */
function consumerUsed(env: Env, id: string): boolean {
  const cp = norm(id);
  if (env.context.consentedContactPoints?.some((c) => norm(c) === cp)) return true;
  const r = env.request;
  return env.history.some((h) => h.attempt.consumerInitiated === true && h.attempt.channel === r.channel && h.ms <= env.at && norm(h.attempt.contactPointId) === cp);
}

export function workplace(env: Env, p: WorkplaceParams): Verdict {
  const r = env.request;
  if (!appliesTo(p.channels, r.channel) || !r.contactPoint.workplace) return ALLOW;
  if (p.condition === 'employer_forbids' && !env.context.workplaceForbidden) return ALLOW;
  if (p.consentLifts && consumerUsed(env, r.contactPoint.id)) return ALLOW;
  const why = p.condition === 'employer_forbids'
    ? `${r.contactPoint.id} is a workplace and the employer forbids such contact`
    : `${r.contactPoint.id} is a workplace ${r.contactPoint.kind === 'email' ? 'address provided by the employer' : r.contactPoint.kind}${p.consentLifts ? ' that the consumer has neither written from nor consented to' : ''}`;
  return block(null, { contactPoint: r.contactPoint.id, why });
}

// ---------------------------------------------------------------------------------------------
// field-visit

function parseFieldVisit(p: Params): FieldVisitParams {
  return {
    minCollectors: p.int('minCollectors', 1, 10, 1),
    recording: p.bool('recording', false),
    noticeRequired: p.bool('noticeRequired', false),
    noVulnerable: p.bool('noVulnerable', false),
  };
}

export function fieldVisit(env: Env, p: FieldVisitParams): Verdict {
  const r = env.request;
  if (r.channel !== 'visit') return ALLOW;
  const problems: string[] = [];
  if (p.noVulnerable && r.party.flags.vulnerable) problems.push('the customer is vulnerable');
  const v = r.visit ?? { collectors: 0, recording: false };
  if (v.collectors < p.minCollectors) problems.push(`${v.collectors} collector${v.collectors === 1 ? '' : 's'} (at least ${p.minCollectors} needed)`);
  if (p.recording && !v.recording) problems.push('no audio/video recording');
  if (p.noticeRequired && !v.noticeGiven) problems.push('no notice of the visit was given');
  if (problems.length === 0) return ALLOW;
  return block(null, { why: problems.join('; ') });
}

// ---------------------------------------------------------------------------------------------
// outcome-cooldown

function parseOutcomeCooldown(p: Params): OutcomeCooldownParams {
  return {
    outcomes: p.listOf('outcomes', GATE_OUTCOMES),
    hours: p.int('hours', 1, 24 * 366),
    scope: p.oneOf('scope', SCOPES, 'contact_point'),
    channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null,
    liveAgentExempts: p.bool('liveAgentExempts', false),
  };
}

const HOUR_MS = 3_600_000;

/** After an attempt with one of `outcomes`, no attempt in scope for `hours` rolling hours (the end is allowed). */
export function outcomeCooldown(env: Env, p: OutcomeCooldownParams): Verdict {
  const r = env.request;
  if (!appliesTo(p.channels, r.channel)) return ALLOW;
  if (p.liveAgentExempts && r.liveAgent === true) return ALLOW;
  let last: TimedAttempt | null = null;
  for (const h of env.history) {
    const a = h.attempt;
    if (h.ms > env.at || (last !== null && h.ms <= last.ms) || !inScope(a, r, p.scope) || !appliesTo(p.channels, a.channel) || !p.outcomes.includes(a.outcome)) continue;
    last = h;
  }
  if (last === null) return ALLOW;
  const end = last.ms + p.hours * HOUR_MS;
  if (env.at >= end) return ALLOW;
  const when = local(env, last.ms);
  return block(end, { hours: p.hours, outcome: last.attempt.outcome, last: when, why: `${last.attempt.outcome.replace('_', ' ')} ${last.attempt.channel} to ${last.attempt.contactPointId} on ${when}` });
}

// ---------------------------------------------------------------------------------------------
// inconvenient-times

function parseChannelsOnly(p: Params): { channels: Channel[] | null } {
  return { channels: p.has('channels') ? p.listOf('channels', CHANNELS) : null };
}

/** The end (ms) of the range `rg` that local time `lt` in `zone` falls in, or null. */
function rangeEnd(lt: LocalTime, rg: DesignatedRange, zone: string): number | null {
  const on = (weekday: number): boolean => rg.weekdays === null || rg.weekdays.includes(weekday);
  if (rg.from < rg.to) return lt.minute >= rg.from && lt.minute < rg.to && on(lt.weekday) ? instantAt(lt.date, rg.to, zone) : null;
  if (lt.minute >= rg.from && on(lt.weekday)) return instantAt(addDays(lt.date, 1), rg.to, zone);
  if (lt.minute < rg.to && on(lt.weekday === 1 ? 7 : lt.weekday - 1)) return instantAt(lt.date, rg.to, zone);
  return null;
}

/** Not inside any time range the consumer designated as inconvenient, in any zone of the party. */
export function inconvenientTimes(env: Env, p: InconvenientTimesParams): Verdict {
  const r = env.request;
  if (env.inconvenient.length === 0 || !appliesTo(p.channels, r.channel)) return ALLOW;
  const ranges = env.inconvenient.filter((x) => appliesTo(x.channels, r.channel));
  let first: string | null = null;
  let t = env.at;
  for (let i = 0; i < 64; i++) {
    let nt = t;
    for (const z of env.zones) {
      const lt = localTime(t, z);
      for (const rg of ranges) {
        const e = rangeEnd(lt, rg, z);
        if (e === null) continue;
        first ??= env.explain ? `it is ${describeInstant(t, z)}, inside the consumer's inconvenient time ${rg.label}` : rg.label;
        nt = Math.max(nt, e > t ? e : t + 60_000);
      }
    }
    if (first === null) return ALLOW;
    if (nt === t) return block(t, { range: first, why: first });
    t = nt;
  }
  return block(null, { range: first ?? '', why: first ?? '' });
}

// ---------------------------------------------------------------------------------------------
// inconvenient-media

/** Not through a medium, or at a place (contact point), the consumer said not to use. */
export function inconvenientMedia(env: Env, p: InconvenientMediaParams): Verdict {
  const r = env.request;
  const media = env.context.inconvenientMedia;
  if (media === undefined || media.length === 0 || !appliesTo(p.channels, r.channel)) return ALLOW;
  const cp = norm(r.contactPoint.id);
  for (const m of media) {
    if ((m.channel !== undefined && m.channel !== r.channel) || (m.contactPoint !== undefined && norm(m.contactPoint) !== cp)) continue;
    const medium = m.contactPoint === undefined ? `${r.channel}` : m.channel === undefined ? r.contactPoint.id : `${r.channel} at ${r.contactPoint.id}`;
    return block(null, { medium, why: `the consumer asked not to be contacted by ${medium}` });
  }
  return ALLOW;
}

// ---------------------------------------------------------------------------------------------
// time-barred

function parseTimeBarred(p: Params): TimeBarredParams {
  return { purposes: p.listOf('purposes', PURPOSES) };
}

/** Once the debt is time-barred (`timeBarredSince`), the listed purposes are never allowed. */
export function timeBarred(env: Env, p: TimeBarredParams): Verdict {
  if (Number.isNaN(env.timeBarredSince) || env.at < env.timeBarredSince || !p.purposes.includes(env.request.purpose)) return ALLOW;
  const since = local(env, env.timeBarredSince);
  return block(null, { since, purpose: env.request.purpose, why: `the debt is time-barred since ${since}` });
}

// ---------------------------------------------------------------------------------------------
// template

function parseTemplateRule(p: Params): TemplateParams {
  return {
    checks: p.listOf('checks', TEMPLATE_CHECKS, [...TEMPLATE_CHECKS]),
    thirdPartyKinds: p.listOf('thirdPartyKinds', PARTY_KINDS, ['reference', 'employer']),
  };
}

/** Template findings, memoised by content: a dialer sends the same few templates millions of times. */
const templateIssues = new Map<string, readonly TemplateIssue[]>();

function issuesOf(t: MessageTemplate): readonly TemplateIssue[] {
  const key = `${t.id}\u0000${t.audience}\u0000${t.language}\u0000${t.body}`;
  let found = templateIssues.get(key);
  if (!found) {
    found = checkTemplate(t);
    if (templateIssues.size > 10_000) templateIssues.clear();
    templateIssues.set(key, found);
  }
  return found;
}

/**
 * The message's template: a borrower template never goes to a third party, and no template may
 * carry what the pack's checks forbid (threats; for third parties the debt, an amount or the
 * collection purpose). Only a different template frees it.
 */
export function templateRule(env: Env, p: TemplateParams): Verdict {
  const t = env.request.template;
  if (!t) return ALLOW;
  const thirdParty = p.thirdPartyKinds.includes(env.request.party.kind);
  if (p.checks.includes('audience') && thirdParty && t.audience !== 'third_party') {
    return block(null, { template: t.id, finding: `it is written for the ${t.audience}, and ${env.request.party.kind}s are third parties`, why: `template ${t.id} is for the ${t.audience}` });
  }
  for (const issue of issuesOf(t)) {
    if (p.checks.some((c) => isTemplateRule(c) && c === issue.rule)) {
      return block(null, { template: t.id, finding: issue.reason, why: `${issue.rule}: "${issue.phrase}"` });
    }
  }
  return ALLOW;
}

// ---------------------------------------------------------------------------------------------
// registry

export interface KindDef {
  /** reads and validates `params`; problems go to the pack's issue list */
  parse: (p: Params) => Rule['params'];
  /** placeholders a reason template may use (`{why}` always) */
  vars: readonly string[];
  summary: string;
}

export const RULE_KINDS: Readonly<Record<RuleKind, KindDef>> = {
  'window-cap': { parse: parseWindowCap, vars: ['count', 'max', 'days'], summary: 'at most max counted attempts within a rolling or calendar window, per scope' },
  'conversation-cooldown': { parse: parseCooldown, vars: ['days', 'conversation'], summary: 'no attempt for days calendar days after a conversation (the conversation day is day 1)' },
  'allowed-hours': { parse: parseAllowedHours, vars: ['from', 'to', 'zones'], summary: 'only between from and to local time in every zone of the party' },
  'excluded-days': { parse: parseExcludedDays, vars: ['day'], summary: 'not on Sundays and/or holidays in any zone of the party' },
  'party-kind': { parse: parsePartyKind, vars: ['kind', 'purpose', 'max', 'count'], summary: 'which party kinds may be contacted, for what purposes, how often' },
  'opt-out': { parse: parseOptOut, vars: ['channel', 'contactPoint'], summary: 'no message to an address or number opted out of that channel' },
  hold: { parse: parseHold, vars: ['hold', 'since'], summary: 'a hold in force blocks all but the purposes it allows' },
  workplace: { parse: parseWorkplace, vars: ['contactPoint'], summary: 'no contact at a workplace when the employer forbids it' },
  'field-visit': { parse: parseFieldVisit, vars: [], summary: 'field visits only with enough collectors, a recording, notice; never to vulnerable customers' },
  'outcome-cooldown': { parse: parseOutcomeCooldown, vars: ['hours', 'outcome', 'last'], summary: 'no attempt for hours rolling hours after an attempt with one of outcomes, per scope' },
  'inconvenient-times': { parse: parseChannelsOnly, vars: ['range'], summary: 'not inside a time range the consumer designated as inconvenient' },
  'inconvenient-media': { parse: parseChannelsOnly, vars: ['medium'], summary: 'not through a medium or at a contact point the consumer said not to use' },
  'time-barred': { parse: parseTimeBarred, vars: ['since', 'purpose'], summary: 'once the debt is time-barred, the listed purposes are barred' },
  template: { parse: parseTemplateRule, vars: ['template', 'finding'], summary: 'the message template suits the audience and says nothing the checks forbid (threats; to third parties: the debt, amounts)' },
};

export const RULE_KIND_NAMES = Object.keys(RULE_KINDS) as RuleKind[];

/** One rule's verdict for the request in `env`. */
export function evaluateRule(rule: Rule, env: Env): Verdict {
  switch (rule.kind) {
    case 'window-cap': return windowCap(env, rule.params);
    case 'conversation-cooldown': return conversationCooldown(env, rule.params);
    case 'allowed-hours': return allowedHours(env, rule.params);
    case 'excluded-days': return excludedDays(env, rule.params);
    case 'party-kind': return partyKind(env, rule.params);
    case 'opt-out': return optOut(env, rule.params);
    case 'hold': return hold(env, rule.params);
    case 'workplace': return workplace(env, rule.params);
    case 'field-visit': return fieldVisit(env, rule.params);
    case 'outcome-cooldown': return outcomeCooldown(env, rule.params);
    case 'inconvenient-times': return inconvenientTimes(env, rule.params);
    case 'inconvenient-media': return inconvenientMedia(env, rule.params);
    case 'time-barred': return timeBarred(env, rule.params);
    case 'template': return templateRule(env, rule.params);
  }
}

/** Fills `{name}` placeholders; `{why}` is always available. */
export function fillReason(template: string, vars: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] !== undefined ? String(vars[k]) : m));
}
