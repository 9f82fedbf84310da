/**
 * Event kinds of a timeline, as a registry: one entry per kind, naming the key that selects it,
 * the extra keys it accepts and its parser. A new kind is one new entry in EVENT_KINDS (plus its
 * type in types.ts).
 *
 * In the file every event is `{ date, account, <kind>: <value>, ...extra keys }`; the common keys
 * are checked by parse.ts before the kind's parser runs.
 */
import { assertMinor, parseDate } from '../core/index.js';
import type { BusinessDate } from '../core/index.js';
import { isRecord } from './source.js';
import type { FieldPath } from './source.js';
import type { PauseEvent, PaymentEvent, TimelineEvent, TimelineEventKind } from './types.js';

/** Keys every event has, whatever its kind. */
export const COMMON_EVENT_KEYS = ['date', 'account'] as const;

export interface EventParseContext {
  /** 0-based position in the file's `events` list */
  readonly index: number;
  /** 1-based line of the event */
  readonly line: number;
  /** the validated date and account, or null when those were invalid (already reported) */
  readonly date: BusinessDate | null;
  readonly accountId: string | null;
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
  /** the kind, which is also the key that selects it in the file */
  readonly kind: E['kind'];
  /** optional keys this kind accepts besides `date`, `account` and its own key */
  readonly keys: readonly string[];
  /** short description for error messages and docs */
  readonly syntax: string;
  /**
   * Validates the kind's fields, reporting every problem through the context.
   * Returns the event, or undefined when anything (including date or account) was invalid.
   */
  parse(ctx: EventParseContext): E | undefined;
}

const payment: EventKind<PaymentEvent> = {
  kind: 'payment',
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

/** The registry. Add a kind here. */
export const EVENT_KINDS: readonly EventKind[] = [payment, pause];

export const EVENT_KIND_NAMES: readonly TimelineEventKind[] = EVENT_KINDS.map((k) => k.kind);

export function eventKind(name: string): EventKind | undefined {
  return EVENT_KINDS.find((k) => k.kind === name);
}
