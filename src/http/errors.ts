/**
 * Errors of the HTTP API. Every error answer is `{ error: … }`:
 * - bad input: `{ error: { field, rule } }` — the same field and rule a ValidationError names;
 * - everything else: `{ error: { code, message } }`, with more fields where they help (a gate block
 *   carries `rule`, `reason`, `nextAllowedAt`, `decisionId`).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ValidationError } from '../core/index.js';

/** An error with its HTTP status and body, thrown by handlers and hooks. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Readonly<Record<string, unknown>>;
  constructor(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `no ${what}`);
export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string): HttpError => new HttpError(403, 'forbidden', message);

export interface ErrorBody {
  error: { field: string; rule: string } | ({ code: string; message: string } & Record<string, unknown>);
}

export function validationBody(field: string, rule: string): ErrorBody {
  return { error: { field, rule } };
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The first schema violation as field and rule: `promise.amount` / `must be integer`. */
export function schemaIssue(issues: readonly AjvIssue[]): { field: string; rule: string } {
  const i = issues[0] ?? {};
  const base = (i.instancePath ?? '').split('/').filter((s) => s !== '').join('.');
  const join = (leaf: string): string => (base === '' ? leaf : `${base}.${leaf}`);
  const p = i.params ?? {};
  switch (i.keyword) {
    case 'required':
      return { field: join(String(p.missingProperty)), rule: 'is required' };
    case 'additionalProperties':
      return { field: join(String(p.additionalProperty)), rule: 'is not a known field' };
    case 'enum':
      return { field: base || '(body)', rule: `must be one of ${(p.allowedValues as unknown[] | undefined)?.map(String).join(', ') ?? '?'}` };
    default:
      return { field: base || '(body)', rule: i.message ?? 'is invalid' };
  }
}

/** Maps any error a route throws to its status and JSON body. */
export function errorReply(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HttpError) return { status: err.status, body: { error: { code: err.code, message: err.message, ...err.extra } } };
  if (err instanceof ValidationError) return { status: 400, body: validationBody(err.field, err.rule) };
  if (err instanceof DomainError) {
    // agency scoping: do not reveal that the account exists
    if (err.code === 'agency.scope') return { status: 404, body: { error: { code: 'not_found', message: 'no such account' } } };
    return { status: 409, body: { error: { code: err.code, message: err.message } } };
  }
  const f = err as Partial<FastifyError> & { validation?: AjvIssue[] };
  if (Array.isArray(f.validation)) return { status: 400, body: validationBody(schemaIssue(f.validation).field, schemaIssue(f.validation).rule) };
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    // Fastify's own: unparsable JSON, unsupported media type, body too large …
    return { status: f.statusCode, body: { error: { code: (f.code ?? 'bad_request').toLowerCase(), message: f.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error (logged with the request id)' } } };
}

export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = errorReply(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ status, error: body.error }, 'request refused');
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(body);
}
