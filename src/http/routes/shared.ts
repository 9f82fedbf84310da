/** Schema pieces and helpers the route files share. */
import { ValidationError } from '../../core/index.js';
import type { Decision } from '../../compliance/index.js';
import { MAX_NOTE_LENGTH, RESULT_OUTCOMES } from '../../store/outcomes.js';
import { HttpError } from '../errors.js';

export interface PromiseBody {
  amount: number;
  due: string;
}

export const OUTCOME_SCHEMA = { type: 'string', enum: [...RESULT_OUTCOMES] } as const;
export const INSTANT_SCHEMA = { type: 'string', minLength: 10, maxLength: 40 } as const;
export const PROMISE_SCHEMA = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['amount', 'due'],
  properties: {
    amount: { type: 'integer', minimum: 1 },
    due: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  },
} as const;
export const NOTE_SCHEMA = { type: ['string', 'null'], maxLength: MAX_NOTE_LENGTH } as const;
export const E164_SCHEMA = { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' } as const;

/** An instant from a body (with Z or an offset), else the server's clock; normalised to UTC. */
export function instantOf(v: string | undefined, now: () => string, field = 'at'): string {
  const at = v ?? now();
  if (Number.isNaN(Date.parse(at)) || !/(Z|[+-]\d\d:\d\d)$/.test(at)) {
    throw new ValidationError(field, `must be an ISO 8601 instant with Z or an offset, e.g. 2026-03-02T14:30:00-05:00, got ${JSON.stringify(at)}`);
  }
  return new Date(Date.parse(at)).toISOString();
}

/** 409 for a blocked gate decision: the rule, its plain reason, when it may be tried again, the decision recorded. */
export function blocked(d: Decision & { id: number }): HttpError {
  return new HttpError(409, 'gate.blocked', `blocked by ${d.rule ?? 'a rule'}: ${d.reason}`, {
    rule: d.rule, reason: d.reason, nextAllowedAt: d.nextAllowedAt, decisionId: d.id,
  });
}
