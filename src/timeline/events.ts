/**
 * Event kinds of a timeline, as a registry: one entry per kind, naming the key that selects it,
 * the extra keys it accepts and its parser. A new kind is one new entry in EVENT_KINDS (plus its
 * type in types.ts).
 *
 * In the file every event is `{ date, account, <kind>: <value>, ...extra keys }`; the common keys
 * are checked by parse.ts before the kind's parser runs. A kind's parser returns one event, or
 * several for a convenience kind that expands at parse time (`attempts`).
 */
import { addDays, assertMinor, daysBetween, parseDate } from '../core/index.js';
import type { BusinessDate, Minor } from '../core/index.js';
import { CHANNELS, OUTCOMES, PARTY_KINDS } from '../contact/index.js';
import type { Attempt, Channel, Outcome, PartyKind, PromiseToPay } from '../contact/index.js';
import { ACT_KINDS, ACT_SOURCES, PURPOSES } from '../compliance/index.js';
import type { Purpose } from '../compliance/index.js';
import { isRecord } from './source.js';
import type { FieldPath } from './source.js';
import type { AttemptEvent, AttemptGateFields, CheckEvent, FlagEvent, PauseEvent, PaymentEvent, TimelineEvent, TraceExpectation } from './types.js';

/** Keys every event has, whatever its kind. */
export const COMMON_EVENT_KEYS = ['date', 'account'] as const;

/** At most this many events per file, after `attempts` events are expanded. */
export const MAX_TIMELINE_EVENTS = 100_000;

/** At most this many attempts a day from one `attempts` event. */
export const MAX_ATTEMPTS_PER_DAY = 100;

export interface EventParseContext {
  /** 0-based position in the file's `events` list */
  readonly index: number;
  /** 1-based line of the event */
  readonly line: number;
  /** the validated date and account, or null when those were invalid (already reported) */
  readonly date: BusinessDate | null;
  readonly accountId: string | null;
  /** ids of the account's references (an attempt's `party:` may name one) */
  readonly referenceIds: ReadonlySet<string>;
  /** the timeline's `until`, or null when it was invalid (already reported) */
  readonly timelineUntil: BusinessDate | null;
  /** how many more events the file may produce (MAX_TIMELINE_EVENTS minus those so far) */
  readonly remaining: number;
  /** the whole event mapping */
  readonly raw: Readonly<Record<string, unknown>>;
  /** path of the event, e.g. `['events', 3]` */
  readonly path: FieldPath;
  /** records a problem at `path` (absolute) */
  report(path: FieldPath, rule: string): void;
  /** runs a validator that throws ValidationError naming fields under `path`; undefined when it failed */
  check<T>(path: FieldPath, fn: (field: string) => T): T | undefined;
  /** reports keys of `obj` (at `path`) that are not in `allowed` */
  rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: FieldPath): void;
}

export interface EventKind<E extends TimelineEvent = TimelineEvent> {
  /** the key that selects this kind in the file (also its name in messages and docs) */
  readonly kind: string;
  /** the `kind` of the events it produces (differs from `kind` for `attempts` → `attempt`) */
  readonly produces: E['kind'];
  /** optional keys this kind accepts besides `date`, `account` and its own key */
  readonly keys: readonly string[];
  /** short description for error messages and docs */
  readonly syntax: string;
  /**
   * Validates the kind's fields, reporting every problem through the context.
   * Returns the event (or, for an expanding kind, the events), or undefined when anything
   * (including date or account) was invalid.
   */
  parse(ctx: EventParseContext): E | readonly E[] | undefined;
}

const payment: EventKind<PaymentEvent> = {
  kind: 'payment',
  produces: 'payment',
  keys: ['key'],
  syntax: '{ date, account, payment: <minor units > 0>, key?: string }',
  parse(ctx) {
    const p = [...ctx.path, 'payment'];
    let amount = ctx.check(p, (f) => assertMinor(ctx.raw.payment, f));
    if (amount === 0) {
      ctx.report(p, 'must be greater than 0');
      amount = undefined;
    }
    let key: string | undefined;
    const rawKey = ctx.raw.key;
    if (rawKey !== undefined) {
      if (typeof rawKey !== 'string' || rawKey.trim() === '') {
        ctx.report([...ctx.path, 'key'], `must be a non-empty string (quote numbers), got ${JSON.stringify(rawKey)}`);
        return undefined;
      }
      key = rawKey;
    }
    if (amount === undefined || ctx.date === null || ctx.accountId === null) return undefined;
    return {
      kind: 'payment',
      date: ctx.date,
      accountId: ctx.accountId,
      amount,
      key: key ?? `${ctx.accountId}:${ctx.date}:${ctx.index}`,
      line: ctx.line,
      index: ctx.index,
    };
  },
};

const PAUSE_KEYS = ['until', 'reason'] as const;

const pause: EventKind<PauseEvent> = {
  kind: 'pause',
  produces: 'pause',
  keys: [],
  syntax: '{ date, account, pause: { until: YYYY-MM-DD, reason: string } }',
  parse(ctx) {
    const p = [...ctx.path, 'pause'];
    const v = ctx.raw.pause;
    if (!isRecord(v)) {
      ctx.report(p, `must be a mapping { until: YYYY-MM-DD, reason: string }, got ${JSON.stringify(v)}`);
      return undefined;
    }
    ctx.rejectUnknownKeys(v, PAUSE_KEYS, p);
    let until: BusinessDate | undefined;
    if (v.until === undefined) ctx.report([...p, 'until'], 'is required (the last paused day, YYYY-MM-DD)');
    else until = ctx.check([...p, 'until'], (f) => parseDate(v.until, f));
    if (until !== undefined && ctx.date !== null && until < ctx.date) {
      ctx.report([...p, 'until'], `must be on or after the event date ${ctx.date}, got ${until}`);
      until = undefined;
    }
    let reason: string | undefined;
    if (typeof v.reason !== 'string' || v.reason.trim() === '') {
      ctx.report([...p, 'reason'], `is required (a non-empty string), got ${JSON.stringify(v.reason)}`);
    } else {
      reason = v.reason;
    }
    if (until === undefined || reason === undefined || ctx.date === null || ctx.accountId === null) return undefined;
    return { kind: 'pause', date: ctx.date, accountId: ctx.accountId, until, reason, line: ctx.line, index: ctx.index };
  },
};

/** Keys of the gate details an `attempt` or `attempts` mapping may carry. */
const GATE_KEYS = ['person', 'to', 'purpose', 'workplace', 'personal', 'liveAgent', 'template', 'agent', 'agency'] as const;
const VISIT_KEYS = ['collectors', 'recording', 'noticeGiven'] as const;
const ATTEMPT_KEYS = ['party', 'channel', 'outcome', 'amount', 'due', ...GATE_KEYS, ...VISIT_KEYS] as const;
const ATTEMPTS_KEYS = ['party', 'channel', 'outcome', 'perDay', 'until', 'times', 'expect', ...GATE_KEYS] as const;
/** `allowed`, `blocked`, or a rule id `pack/rule`. */
const EXPECT_RE = /^(allowed|blocked|[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*)$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
/** `HH:MM`, optionally followed by `Z` or a UTC offset `±HH:MM`. */
const TIME_WITH_OFFSET_RE = /^(([01]\d|2[0-3]):[0-5]\d)(Z|[+-](?:0\d|1[0-4]):[0-5]\d)?$/;
/** Untimed single attempts happen at this local time. */
export const DEFAULT_ATTEMPT_TIME = '10:00';
/** `attempts` without `times` spread their attempts over this many minutes from 09:00. */
const SPREAD_FROM = 9 * 60;
const SPREAD_MINUTES = 12 * 60;

/** The local times of `perDay` attempts a day when the file gives none: 09:00 and evenly spaced to before 21:00. */
export function spreadTimes(perDay: number): string[] {
  const step = Math.floor(SPREAD_MINUTES / perDay);
  return Array.from({ length: perDay }, (_, k) => {
    const m = SPREAD_FROM + k * step;
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  });
}

/** Reads an event's `time` (`HH:MM`, optionally with `Z` or `±HH:MM`); null when absent, undefined when invalid (reported). */
function readTime(ctx: EventParseContext): { time: string; offset: string | null } | null | undefined {
  const raw = ctx.raw.time;
  if (raw === undefined || raw === null) return null;
  const m = typeof raw === 'string' ? TIME_WITH_OFFSET_RE.exec(raw) : null;
  if (!m) {
    ctx.report([...ctx.path, 'time'], `must be a local time "HH:MM" (00:00 to 23:59), optionally with a UTC offset such as "20:59-05:00" or "01:59Z", got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return { time: m[1] as string, offset: m[3] ?? null };
}

function optionalString(ctx: EventParseContext, v: unknown, path: FieldPath, what: string): string | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.trim() === '') {
    ctx.report(path, `must be ${what} (a non-empty string), got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

function optionalBoolean(ctx: EventParseContext, v: unknown, path: FieldPath, fallback: boolean): boolean | undefined {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') {
    ctx.report(path, `must be true or false, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

function readExpect(ctx: EventParseContext, v: unknown, path: FieldPath): string | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !EXPECT_RE.test(v)) {
    ctx.report(path, `must be allowed, blocked, or the id of the rule that blocks (e.g. us-regf/7-in-7), got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

/** person, to, purpose, workplace (and for visits the team) of an attempt mapping; undefined when any was invalid. */
function readGateFields(
  ctx: EventParseContext,
  v: Record<string, unknown>,
  p: FieldPath,
  channel: Channel | undefined,
): Omit<AttemptGateFields, 'time' | 'offset' | 'expect'> | undefined {
  const person = optionalString(ctx, v.person, [...p, 'person'], 'the id of the person contacted');
  const to = optionalString(ctx, v.to, [...p, 'to'], 'the number, e-mail or address used');
  let purpose: Purpose | null | undefined = null;
  if (v.purpose !== undefined && v.purpose !== null) purpose = oneOf(ctx, v.purpose, PURPOSES, [...p, 'purpose']);
  const workplace = optionalBoolean(ctx, v.workplace, [...p, 'workplace'], false);
  let personal: boolean | null | undefined = null;
  if (v.personal !== undefined && v.personal !== null) personal = optionalBoolean(ctx, v.personal, [...p, 'personal'], true);
  const liveAgent = optionalBoolean(ctx, v.liveAgent, [...p, 'liveAgent'], false);
  const template = optionalString(ctx, v.template, [...p, 'template'], 'the id of a template in templates');
  const agent = optionalString(ctx, v.agent, [...p, 'agent'], 'the id of the agent (user) who made the attempt');
  const agency = optionalString(ctx, v.agency, [...p, 'agency'], 'the id of the collection agency that made the attempt');
  let visit: AttemptGateFields['visit'] | undefined = null;
  const hasVisitKeys = VISIT_KEYS.some((k) => v[k] !== undefined);
  if (hasVisitKeys && channel !== undefined && channel !== 'visit') {
    for (const k of VISIT_KEYS) if (v[k] !== undefined) ctx.report([...p, k], `is only allowed with channel visit (channel is ${channel})`);
    visit = undefined;
  } else if (hasVisitKeys) {
    let collectors: number | undefined = 2;
    if (v.collectors !== undefined) {
      if (typeof v.collectors !== 'number' || !Number.isInteger(v.collectors) || v.collectors < 1 || v.collectors > 20) {
        ctx.report([...p, 'collectors'], `must be a whole number from 1 to 20, got ${JSON.stringify(v.collectors)}`);
        collectors = undefined;
      } else collectors = v.collectors;
    }
    const recording = optionalBoolean(ctx, v.recording, [...p, 'recording'], true);
    const noticeGiven = optionalBoolean(ctx, v.noticeGiven, [...p, 'noticeGiven'], true);
    visit = collectors === undefined || recording === undefined || noticeGiven === undefined ? undefined : { collectors, recording, noticeGiven };
  }
  if (
    person === undefined || to === undefined || purpose === undefined || workplace === undefined || personal === undefined
    || liveAgent === undefined || template === undefined || visit === undefined || agent === undefined || agency === undefined
  ) return undefined;
  return { person, to, purpose, workplace, personal, liveAgent, template, visit, agent, agency };
}

/** Reads a required value that must be one of `allowed`. */
function oneOf<T extends string>(ctx: EventParseContext, v: unknown, allowed: readonly T[], path: FieldPath): T | undefined {
  if (v === undefined || v === null) {
    ctx.report(path, `is required (one of ${allowed.join(', ')})`);
    return undefined;
  }
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    ctx.report(path, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v as T;
}

/** party, channel and outcome of an `attempt` or `attempts` mapping; undefined where invalid (reported). */
interface AttemptFields {
  party: PartyKind | undefined;
  /** the reference named by `party:` (its id), else null */
  person: string | null;
  channel: Channel | undefined;
  outcome: Outcome | undefined;
}

function readAttemptFields(ctx: EventParseContext, v: Record<string, unknown>, p: FieldPath): AttemptFields {
  const named = typeof v.party === 'string' && !(PARTY_KINDS as readonly string[]).includes(v.party) && ctx.referenceIds.has(v.party);
  if (!named && typeof v.party === 'string' && !(PARTY_KINDS as readonly string[]).includes(v.party)) {
    const refs = [...ctx.referenceIds];
    ctx.report([...p, 'party'], `must be one of ${PARTY_KINDS.join(', ')}${refs.length > 0 ? ` or a reference of the account (${refs.join(', ')})` : ''}, got ${JSON.stringify(v.party)}`);
  }
  return {
    party: named ? 'reference' : (PARTY_KINDS as readonly unknown[]).includes(v.party) || v.party === undefined || v.party === null ? oneOf(ctx, v.party, PARTY_KINDS, [...p, 'party']) : undefined,
    person: named ? (v.party as string) : null,
    channel: oneOf(ctx, v.channel, CHANNELS, [...p, 'channel']),
    outcome: oneOf(ctx, v.outcome, OUTCOMES, [...p, 'outcome']),
  };
}

/** `amount` and `due`: required with outcome `promise`, rejected with any other outcome. */
function readPromise(
  ctx: EventParseContext,
  v: Record<string, unknown>,
  p: FieldPath,
  outcome: Outcome | undefined,
): PromiseToPay | null | undefined {
  if (outcome === undefined) return undefined; // outcome already reported; say nothing about amount/due
  if (outcome !== 'promise') {
    let ok = true;
    for (const k of ['amount', 'due'] as const) {
      if (v[k] !== undefined) {
        ctx.report([...p, k], `is only allowed with outcome promise (outcome is ${outcome})`);
        ok = false;
      }
    }
    return ok ? null : undefined;
  }
  let amount: Minor | undefined;
  if (v.amount === undefined || v.amount === null) {
    ctx.report([...p, 'amount'], 'is required with outcome promise (minor units > 0)');
  } else {
    amount = ctx.check([...p, 'amount'], (f) => assertMinor(v.amount, f));
    if (amount === 0) {
      ctx.report([...p, 'amount'], 'must be greater than 0');
      amount = undefined;
    }
  }
  let due: BusinessDate | undefined;
  if (v.due === undefined || v.due === null) {
    ctx.report([...p, 'due'], 'is required with outcome promise (the promised payment date, YYYY-MM-DD)');
  } else {
    due = ctx.check([...p, 'due'], (f) => parseDate(v.due, f));
    if (due !== undefined && ctx.date !== null && due < ctx.date) {
      ctx.report([...p, 'due'], `must be on or after the event date ${ctx.date}, got ${due}`);
      due = undefined;
    }
  }
  return amount === undefined || due === undefined ? undefined : { amount, due };
}

const attempt: EventKind<AttemptEvent> = {
  kind: 'attempt',
  produces: 'attempt',
  keys: ['time', 'expect'],
  syntax: '{ date, account, time?: "HH:MM[±HH:MM]", expect?: allowed | blocked | <rule id>, attempt: { party, channel, outcome, amount?, due?, person?, to?, purpose?, workplace?, personal?, liveAgent?, template?, agent?, agency?, collectors?, recording?, noticeGiven? } }',
  parse(ctx) {
    const p = [...ctx.path, 'attempt'];
    const v = ctx.raw.attempt;
    const time = readTime(ctx);
    if (!isRecord(v)) {
      ctx.report(p, `must be a mapping { party, channel, outcome, amount?, due?, person?, to?, purpose? }, got ${JSON.stringify(v)}`);
      return undefined;
    }
    ctx.rejectUnknownKeys(v, ATTEMPT_KEYS, p);
    const { party, person: named, channel, outcome } = readAttemptFields(ctx, v, p);
    const promise = readPromise(ctx, v, p, outcome);
    const read = readGateFields(ctx, v, p, channel);
    const gate = read && named !== null && read.person === null ? { ...read, person: named } : read;
    const expect = readExpect(ctx, ctx.raw.expect, [...ctx.path, 'expect']);
    if (
      party === undefined || channel === undefined || outcome === undefined || promise === undefined || time === undefined
      || gate === undefined || expect === undefined || ctx.date === null || ctx.accountId === null
    ) {
      return undefined;
    }
    const a: Attempt = { accountId: ctx.accountId, date: ctx.date, time: time?.time ?? null, party, channel, outcome, promise };
    return {
      kind: 'attempt', date: ctx.date, accountId: ctx.accountId, attempt: a, line: ctx.line, index: ctx.index,
      gate: { ...gate, time: time?.time ?? DEFAULT_ATTEMPT_TIME, offset: time?.offset ?? null, expect },
    };
  },
};

const attempts: EventKind<AttemptEvent> = {
  kind: 'attempts',
  produces: 'attempt',
  keys: [],
  syntax: '{ date, account, attempts: { party, channel, outcome, perDay?: 1-100, times?: ["HH:MM", …], until: YYYY-MM-DD, person?, to?, purpose?, workplace?, agent?, agency?, expect? } }',
  parse(ctx) {
    const p = [...ctx.path, 'attempts'];
    const v = ctx.raw.attempts;
    if (!isRecord(v)) {
      ctx.report(p, `must be a mapping { party, channel, outcome, perDay?, times?, until }, got ${JSON.stringify(v)}`);
      return undefined;
    }
    ctx.rejectUnknownKeys(v, ATTEMPTS_KEYS, p);
    const fields = readAttemptFields(ctx, v, p);
    const { party, channel, person: named } = fields;
    let { outcome } = fields;
    if (outcome === 'promise') {
      ctx.report([...p, 'outcome'], 'must not be promise in attempts (write a single attempt event with amount and due)');
      outcome = undefined;
    }

    let perDay: number | undefined = 1;
    if (v.perDay !== undefined) {
      if (typeof v.perDay !== 'number' || !Number.isInteger(v.perDay) || v.perDay < 1 || v.perDay > MAX_ATTEMPTS_PER_DAY) {
        ctx.report([...p, 'perDay'], `must be a whole number from 1 to ${MAX_ATTEMPTS_PER_DAY}, got ${JSON.stringify(v.perDay)}`);
        perDay = undefined;
      } else {
        perDay = v.perDay;
      }
    }

    let times: string[] | undefined;
    if (v.times !== undefined) {
      if (!Array.isArray(v.times) || v.times.length === 0 || v.times.length > MAX_ATTEMPTS_PER_DAY) {
        ctx.report([...p, 'times'], `must be a list of 1 to ${MAX_ATTEMPTS_PER_DAY} local times "HH:MM", got ${JSON.stringify(v.times)}`);
      } else {
        const list: string[] = [];
        v.times.forEach((t: unknown, i) => {
          if (typeof t === 'string' && TIME_RE.test(t)) list.push(t);
          else ctx.report([...p, 'times', i], `must be a local time "HH:MM" from 00:00 to 23:59, got ${JSON.stringify(t)}`);
        });
        if (list.length === v.times.length) {
          if (v.perDay !== undefined && perDay !== undefined && perDay !== list.length) {
            ctx.report([...p, 'perDay'], `must equal the number of times (${list.length}) when both are given, got ${perDay}`);
            perDay = undefined;
          } else {
            times = list;
            perDay = list.length;
          }
        }
      }
    }
    const read = readGateFields(ctx, v, p, undefined);
    const gate = read && named !== null && read.person === null ? { ...read, person: named } : read;
    const expect = readExpect(ctx, v.expect, [...p, 'expect']);

    let until: BusinessDate | undefined;
    if (v.until === undefined || v.until === null) ctx.report([...p, 'until'], 'is required (the last day of the attempts, YYYY-MM-DD)');
    else until = ctx.check([...p, 'until'], (f) => parseDate(v.until, f));
    if (until !== undefined && ctx.date !== null && until < ctx.date) {
      ctx.report([...p, 'until'], `must be on or after the event date ${ctx.date}, got ${until}`);
      until = undefined;
    }
    if (until !== undefined && ctx.timelineUntil !== null && until > ctx.timelineUntil) {
      ctx.report([...p, 'until'], `must be on or before the timeline's until (${ctx.timelineUntil}), got ${until}`);
      until = undefined;
    }

    if (until !== undefined && perDay !== undefined && ctx.date !== null) {
      const count = (daysBetween(ctx.date, until) + 1) * perDay;
      if (count > ctx.remaining) {
        ctx.report(p, `expands to ${count} attempts, more than the ${ctx.remaining} left of the ${MAX_TIMELINE_EVENTS} events a file may have`);
        return undefined;
      }
    }
    if (
      party === undefined || channel === undefined || outcome === undefined || perDay === undefined || until === undefined
      || gate === undefined || expect === undefined || ctx.date === null || ctx.accountId === null
    ) {
      return undefined;
    }
    const at = times ?? spreadTimes(perDay);
    const out: AttemptEvent[] = [];
    for (let d = ctx.date; d <= until; d = addDays(d, 1)) {
      for (let k = 0; k < perDay; k++) {
        const time = at[k] as string;
        const a: Attempt = { accountId: ctx.accountId, date: d, time: times ? time : null, party, channel, outcome, promise: null };
        out.push({ kind: 'attempt', date: d, accountId: ctx.accountId, attempt: a, line: ctx.line, index: ctx.index, gate: { ...gate, time, offset: null, expect } });
      }
    }
    return out;
  },
};

const FLAG_KEYS = ['time', 'source', 'person', 'channel', 'to', 'variant', 'treatmentEnded', 'note'] as const;

const flag: EventKind<FlagEvent> = {
  kind: 'flag',
  produces: 'flag',
  keys: FLAG_KEYS,
  syntax: `{ date, account, flag: <${ACT_KINDS.join(' | ')}>, time?, source?, person?, channel?, to?, variant?, treatmentEnded?, note? }`,
  parse(ctx) {
    const act = oneOf(ctx, ctx.raw.flag, ACT_KINDS, [...ctx.path, 'flag']);
    const time = readTime(ctx);
    const source = ctx.raw.source === undefined ? 'timeline' : oneOf(ctx, ctx.raw.source, ACT_SOURCES, [...ctx.path, 'source']);
    const person = optionalString(ctx, ctx.raw.person, [...ctx.path, 'person'], 'the id of the person the act concerns');
    const optIn = act === 'opt_out' || act === 'opt_in';
    let channel: Channel | null | undefined = null;
    let to: string | null | undefined = null;
    if (optIn) {
      channel = oneOf(ctx, ctx.raw.channel, CHANNELS, [...ctx.path, 'channel']);
      to = optionalString(ctx, ctx.raw.to, [...ctx.path, 'to'], 'the number or address opted out');
      if (to === null) {
        ctx.report([...ctx.path, 'to'], `is required with flag ${act} (the number or address)`);
        to = undefined;
      }
    } else if (act !== undefined) {
      for (const k of ['channel', 'to'] as const) if (ctx.raw[k] !== undefined) ctx.report([...ctx.path, k], `is only allowed with flag opt_out or opt_in (flag is ${act})`);
    }
    let variant: FlagEvent['variant'] | undefined = null;
    let treatmentEnded: BusinessDate | null | undefined = null;
    if (act === 'breathing_space') {
      if (ctx.raw.variant !== undefined) variant = oneOf(ctx, ctx.raw.variant, ['standard', 'mental_health_crisis'] as const, [...ctx.path, 'variant']);
      if (ctx.raw.treatmentEnded !== undefined) {
        treatmentEnded = ctx.check([...ctx.path, 'treatmentEnded'], (f) => parseDate(ctx.raw.treatmentEnded, f));
        if (variant !== 'mental_health_crisis' && variant !== undefined) {
          ctx.report([...ctx.path, 'treatmentEnded'], 'is only allowed with variant mental_health_crisis');
          treatmentEnded = undefined;
        }
      }
    } else if (act !== undefined) {
      for (const k of ['variant', 'treatmentEnded'] as const) if (ctx.raw[k] !== undefined) ctx.report([...ctx.path, k], `is only allowed with flag breathing_space (flag is ${act})`);
    }
    const note = optionalString(ctx, ctx.raw.note, [...ctx.path, 'note'], 'a note');
    if (
      act === undefined || time === undefined || source === undefined || person === undefined || channel === undefined || to === undefined
      || variant === undefined || treatmentEnded === undefined || note === undefined || ctx.date === null || ctx.accountId === null
    ) {
      return undefined;
    }
    return {
      kind: 'flag', date: ctx.date, accountId: ctx.accountId, line: ctx.line, index: ctx.index,
      act, time: time?.time ?? null, offset: time?.offset ?? null, source, person, channel, to, variant, treatmentEnded, note,
    };
  },
};

const CHECK_KEYS = ['sent', 'blocked', 'notSendable', 'promises'] as const;
const PROMISE_STATE_KEYS = ['open', 'kept', 'broken'] as const;

/** A whole number ≥ 0, or undefined (reported) when it is not one. */
function count(ctx: EventParseContext, v: unknown, path: FieldPath): number | undefined {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    ctx.report(path, `must be a whole number 0 or more, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

const check: EventKind<CheckEvent> = {
  kind: 'check',
  produces: 'check',
  keys: [],
  syntax: '{ date, account, check: { sent?: n, blocked?: n, notSendable?: n, promises?: { open?: n, kept?: n, broken?: n } } }',
  parse(ctx) {
    const p = [...ctx.path, 'check'];
    const v = ctx.raw.check;
    if (!isRecord(v) || Object.keys(v).length === 0) {
      ctx.report(p, `must be a mapping with at least one of ${CHECK_KEYS.join(', ')}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    ctx.rejectUnknownKeys(v, CHECK_KEYS, p);
    const out: TraceExpectation = {};
    let ok = true;
    for (const k of ['sent', 'blocked', 'notSendable'] as const) {
      if (v[k] === undefined) continue;
      const n = count(ctx, v[k], [...p, k]);
      if (n === undefined) ok = false;
      else out[k] = n;
    }
    if (v.promises !== undefined) {
      const pp = [...p, 'promises'];
      if (!isRecord(v.promises) || Object.keys(v.promises).length === 0) {
        ctx.report(pp, `must be a mapping with at least one of ${PROMISE_STATE_KEYS.join(', ')}, got ${JSON.stringify(v.promises)}`);
        ok = false;
      } else {
        ctx.rejectUnknownKeys(v.promises, PROMISE_STATE_KEYS, pp);
        const states: NonNullable<TraceExpectation['promises']> = {};
        for (const k of PROMISE_STATE_KEYS) {
          if (v.promises[k] === undefined) continue;
          const n = count(ctx, v.promises[k], [...pp, k]);
          if (n === undefined) ok = false;
          else states[k] = n;
        }
        out.promises = states;
      }
    }
    if (!ok || ctx.date === null || ctx.accountId === null) return undefined;
    return { kind: 'check', date: ctx.date, accountId: ctx.accountId, line: ctx.line, index: ctx.index, expect: out };
  },
};

/** The registry. Add a kind here. */
export const EVENT_KINDS: readonly EventKind[] = [payment, pause, attempt, attempts, flag, check];

/** The keys that select a kind, in registry order. */
export const EVENT_KIND_NAMES: readonly string[] = EVENT_KINDS.map((k) => k.kind);

export function eventKind(name: string): EventKind | undefined {
  return EVENT_KINDS.find((k) => k.kind === name);
}
