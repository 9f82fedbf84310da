/**
 * The gate: `decide(request, context)` evaluates every rule of every pack in force and returns
 * one decision. Pure: the caller stores the decision (and, when it executes the attempt, appends
 * it to the history it passes next time).
 *
 * Combining packs: the strictest answer wins. Any block blocks; when several rules block, the
 * one reported is the one that frees the attempt last (a rule that never frees it — null —
 * counts as latest; ties go to the earlier rule in pack order). `nextAllowedAt` is the first
 * instant at which *every* rule allows the same attempt against the same history: the latest
 * rule answer, re-checked until all agree (so 7-in-7 freeing a slot at 02:00 still waits for
 * 08:00 local).
 */
import { ValidationError } from '../core/index.js';
import { isValidTimeZone } from '../contact/index.js';
import { CHANNELS } from '../contact/index.js';
import { evaluateRule, fillReason, type DesignatedRange, type Env, type TimedAttempt } from './rules.js';
import type { AttemptRequest, Decision, GateContext, OptOut, PastAttempt, Rule, Verdict } from './types.js';
import { describeInstant, hhmm, instantAt, isoInstant, parseInstant } from './zone.js';

/** How many times `nextAllowedAt` is re-checked before it is given up as not computable. */
const MAX_NEXT_ROUNDS = 32;

interface Block {
  rule: Rule;
  verdict: Verdict;
}

/**
 * Builds the evaluation environment; throws ValidationError for a malformed request or context.
 * `explain` false: rules skip building their readable `why` (decide does, for speed).
 */
export function gateEnv(request: AttemptRequest, context: GateContext, explain = true): Env {
  const at = parseInstant(request.at);
  if (Number.isNaN(at)) throw new ValidationError('at', `must be an ISO instant such as 2025-03-04T14:00:00Z, got ${JSON.stringify(request.at)}`);
  const tz = request.party.timezones;
  for (let i = 0; i < tz.length; i++) {
    if (!isValidTimeZone(tz[i] as string)) throw new ValidationError(`party.timezones[${i}]`, `is not an IANA time zone: ${JSON.stringify(tz[i])}`);
  }
  const history: TimedAttempt[] = new Array<TimedAttempt>(context.history.length);
  for (let i = 0; i < context.history.length; i++) {
    const attempt = context.history[i] as PastAttempt;
    const ms = parseInstant(attempt.at);
    if (Number.isNaN(ms)) throw new ValidationError(`history[${i}].at`, `must be an ISO instant, got ${JSON.stringify(attempt.at)}`);
    history[i] = { attempt, ms };
  }
  for (const [i, h] of context.holds.entries()) {
    for (const k of ['from', 'until', 'treatmentEndedAt'] as const) {
      const v = h[k];
      if (typeof v === 'string' && Number.isNaN(parseInstant(v))) throw new ValidationError(`holds[${i}].${k}`, `must be an ISO instant, got ${JSON.stringify(v)}`);
    }
  }
  let consentUntil = Number.NaN;
  if (context.consumerConsentUntil !== undefined) {
    consentUntil = parseInstant(context.consumerConsentUntil);
    if (Number.isNaN(consentUntil)) throw new ValidationError('consumerConsentUntil', `must be an ISO instant, got ${JSON.stringify(context.consumerConsentUntil)}`);
  }
  for (let i = 0; i < context.optOuts.length; i++) {
    const a = (context.optOuts[i] as OptOut).at;
    if (a !== undefined && Number.isNaN(parseInstant(a))) throw new ValidationError(`optOuts[${i}].at`, `must be an ISO instant, got ${JSON.stringify(a)}`);
  }
  if (context.inconvenientMedia !== undefined) {
    for (const [i, m] of context.inconvenientMedia.entries()) {
      if (m.channel === undefined && m.contactPoint === undefined) throw new ValidationError(`inconvenientMedia[${i}]`, 'needs a channel, a contactPoint, or both');
      if (m.channel !== undefined && !(CHANNELS as readonly string[]).includes(m.channel)) throw new ValidationError(`inconvenientMedia[${i}].channel`, `must be one of ${CHANNELS.join(', ')}, got ${JSON.stringify(m.channel)}`);
    }
  }
  const zonesKnown = tz.length > 0;
  const zones = !zonesKnown ? UTC_ONLY : distinct(tz) ? tz : [...new Set(tz)];
  return {
    request,
    context,
    at,
    zones,
    zonesKnown,
    history,
    holidays: context.holidays.length === 0 ? NO_HOLIDAYS : new Set(context.holidays),
    consentUntil,
    inconvenient: context.inconvenientTimes === undefined || context.inconvenientTimes.length === 0 ? NO_RANGES : context.inconvenientTimes.map(readRange),
    timeBarredSince: context.timeBarredSince === undefined ? Number.NaN : readTimeBarred(context.timeBarredSince, zones),
    explain,
  };
}

/** No zone listed twice (a party has one to three zones: the nested loop beats building a Set). */
function distinct(xs: readonly string[]): boolean {
  for (let i = 1; i < xs.length; i++) for (let j = 0; j < i; j++) if (xs[i] === xs[j]) return false;
  return true;
}

const NO_RANGES: readonly DesignatedRange[] = [];
const UTC_ONLY: readonly string[] = ['UTC'];
const NO_HOLIDAYS: ReadonlySet<string> = new Set();
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function readRange(t: NonNullable<GateContext['inconvenientTimes']>[number], i: number): DesignatedRange {
  const at = `inconvenientTimes[${i}]`;
  for (const k of ['from', 'to'] as const) {
    if (typeof t[k] !== 'string' || !TIME_RE.test(t[k])) throw new ValidationError(`${at}.${k}`, `must be a local time "HH:MM" such as "22:00", got ${JSON.stringify(t[k])}`);
  }
  const from = hhmm(t.from) % 1440;
  const to = hhmm(t.to);
  if (from === to) throw new ValidationError(`${at}.to`, `must differ from from (${t.from}); a whole day is "00:00"–"24:00"`);
  for (const c of t.channels ?? []) {
    if (!(CHANNELS as readonly string[]).includes(c)) throw new ValidationError(`${at}.channels`, `must be a list of ${CHANNELS.join(', ')}, got ${JSON.stringify(c)}`);
  }
  for (const d of t.weekdays ?? []) {
    if (!Number.isInteger(d) || d < 1 || d > 7) throw new ValidationError(`${at}.weekdays`, `must be ISO weekdays 1 (Monday) … 7 (Sunday), got ${JSON.stringify(d)}`);
  }
  const channels = t.channels === undefined ? null : t.channels;
  const days = t.weekdays === undefined ? '' : ` on ${t.weekdays.map((d) => ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][d - 1]).join(', ')}`;
  return {
    from, to, channels, weekdays: t.weekdays === undefined ? null : t.weekdays,
    label: `${t.from}–${t.to}${days}${channels === null ? '' : ` (${channels.join(', ')})`}`,
  };
}

/** An ISO instant, or a date: its earliest local midnight among the party's zones. */
function readTimeBarred(s: string, zones: readonly string[]): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))) return Math.min(...zones.map((z) => instantAt(s, 0, z)));
  const ms = parseInstant(s);
  if (Number.isNaN(ms)) throw new ValidationError('timeBarredSince', `must be an ISO instant or date (YYYY-MM-DD), got ${JSON.stringify(s)}`);
  return ms;
}

function rulesInForce(context: GateContext): Rule[] {
  const out: Rule[] = [];
  for (const pack of context.packs) for (const r of pack.rules) out.push(r);
  return out;
}

function blocksAt(rules: readonly Rule[], env: Env): Block[] {
  const out: Block[] = [];
  for (const rule of rules) {
    const verdict = evaluateRule(rule, env);
    if (!verdict.allowed) out.push({ rule, verdict });
  }
  return out;
}

/** The block that frees the attempt last (null = never is latest); the first such in pack order. */
function latest(blocks: readonly Block[]): Block | undefined {
  let worst: Block | undefined;
  for (const b of blocks) {
    if (!worst) worst = b;
    else if (worst.verdict.nextAllowedAt === null) continue;
    else if (b.verdict.nextAllowedAt === null || b.verdict.nextAllowedAt > worst.verdict.nextAllowedAt) worst = b;
  }
  return worst;
}

/** The first instant ≥ the worst block's answer at which no rule blocks, or null. */
function nextAllowed(rules: readonly Rule[], env: Env, first: number | null): number | null {
  let t = first;
  for (let i = 0; i < MAX_NEXT_ROUNDS && t !== null; i++) {
    const blocks = blocksAt(rules, { ...env, at: t });
    const w = latest(blocks);
    if (!w) return t;
    const n = w.verdict.nextAllowedAt;
    t = n === null ? null : n > t ? n : t + 60_000;
  }
  return null;
}

export function decide(request: AttemptRequest, context: GateContext): Decision {
  const env = gateEnv(request, context, false);
  const rules = rulesInForce(context);
  const checked = rules.map((r) => r.id);
  const blocks = blocksAt(rules, env);
  const worst = latest(blocks);
  if (!worst) {
    const packs = context.packs.map((p) => p.id).join(', ');
    return {
      allowed: true,
      rule: null,
      reason: rules.length === 0 ? 'Allowed: no rule pack is in force.' : `Allowed: none of the ${rules.length} rules of ${packs} blocks this ${request.channel}.`,
      nextAllowedAt: null,
      checked,
    };
  }
  const next = nextAllowed(rules, env, worst.verdict.nextAllowedAt);
  // the rules ran without building their explanations; the reported one now builds its own
  const vars = evaluateRule(worst.rule, { ...env, explain: true }).vars;
  let reason = fillReason(worst.rule.reason, vars).trim();
  const why = vars.why;
  if (why !== undefined && !worst.rule.reason.includes('{why}')) reason += ` (${why})`;
  if (!/[.!?]$/.test(reason)) reason += '.';
  if (next !== null) reason += ` Next allowed ${describeInstant(next, env.zones[0] ?? 'UTC')}.`;
  else if (worst.verdict.nextAllowedAt !== null) reason += ' No later time is allowed by every rule.';
  return { allowed: false, rule: worst.rule.id, reason, nextAllowedAt: next === null ? null : isoInstant(next), checked };
}
