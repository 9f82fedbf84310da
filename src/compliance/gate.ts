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
import { evaluateRule, fillReason, type Env, type TimedAttempt } from './rules.js';
import type { AttemptRequest, Decision, GateContext, Rule, Verdict } from './types.js';
import { describeInstant, isoInstant, parseInstant } from './zone.js';

/** How many times `nextAllowedAt` is re-checked before it is given up as not computable. */
const MAX_NEXT_ROUNDS = 32;

interface Block {
  rule: Rule;
  verdict: Verdict;
}

/** Builds the evaluation environment; throws ValidationError for a malformed request or context. */
export function gateEnv(request: AttemptRequest, context: GateContext): Env {
  const at = parseInstant(request.at);
  if (Number.isNaN(at)) throw new ValidationError('at', `must be an ISO instant such as 2025-03-04T14:00:00Z, got ${JSON.stringify(request.at)}`);
  for (const [i, z] of request.party.timezones.entries()) {
    if (!isValidTimeZone(z)) throw new ValidationError(`party.timezones[${i}]`, `is not an IANA time zone: ${JSON.stringify(z)}`);
  }
  const history: TimedAttempt[] = context.history.map((attempt, i) => {
    const ms = parseInstant(attempt.at);
    if (Number.isNaN(ms)) throw new ValidationError(`history[${i}].at`, `must be an ISO instant, got ${JSON.stringify(attempt.at)}`);
    return { attempt, ms };
  });
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
  const zonesKnown = request.party.timezones.length > 0;
  return {
    request,
    context,
    at,
    zones: zonesKnown ? [...new Set(request.party.timezones)] : ['UTC'],
    zonesKnown,
    history,
    holidays: new Set(context.holidays),
    consentUntil,
  };
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
  const env = gateEnv(request, context);
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
  let reason = fillReason(worst.rule.reason, worst.verdict.vars).trim();
  const why = worst.verdict.vars.why;
  if (why !== undefined && !worst.rule.reason.includes('{why}')) reason += ` (${why})`;
  if (!/[.!?]$/.test(reason)) reason += '.';
  if (next !== null) reason += ` Next allowed ${describeInstant(next, env.zones[0] ?? 'UTC')}.`;
  else if (worst.verdict.nextAllowedAt !== null) reason += ' No later time is allowed by every rule.';
  return { allowed: false, rule: worst.rule.id, reason, nextAllowedAt: next === null ? null : isoInstant(next), checked };
}
