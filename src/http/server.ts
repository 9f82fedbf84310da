/**
 * The HTTP API (Fastify) for lender staff, agency users and channel webhooks (docs/http-api.md).
 *
 * `createServer({ store, now, packsFor, smsWebhooks })` builds the app without listening, so tests
 * drive it with `inject`; `arrears serve` listens. The clock is injected: every default `at` is
 * `now()`. Bearer tokens (src/store/tokens.ts) authenticate every /v1 route except health and the
 * webhooks (those check their channel's shared secret). Each route file registers its JSON schema
 * next to its handler; a schema violation answers 400 `{ error: { field, rule } }`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { ValidationError } from '../core/index.js';
import { validateHttpSmsConfig } from '../channels/sms-http.js';
import type { Store } from '../store/db.js';
import type { PacksFor } from '../store/queues.js';
import { userForToken } from '../store/tokens.js';
import type { ApiContext, SmsWebhook } from './context.js';
import { sendError, unauthorized } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { callRoutes } from './routes/calls.js';
import { healthRoutes } from './routes/health.js';
import { queueRoutes } from './routes/queue.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface ServerOptions {
  store: Store;
  /** the clock, an ISO instant (default: the system clock) */
  now?: () => string;
  /** the rule packs and holidays for an account's contacts at an instant */
  packsFor: PacksFor;
  /** SMS gateways whose delivery receipts are accepted, by the name in the webhook's path */
  smsWebhooks?: Readonly<Record<string, SmsWebhook>>;
  /** a pino logger (default: none — tests stay quiet) */
  logger?: Logger;
  /** the largest request body, bytes (default 64 KiB) */
  bodyLimit?: number;
}

const WEBHOOK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

function checkWebhooks(hooks: Readonly<Record<string, SmsWebhook>>): void {
  for (const [name, h] of Object.entries(hooks)) {
    const field = `smsWebhooks.${name}`;
    if (!WEBHOOK_NAME.test(name)) throw new ValidationError(field, 'the name must be 1–64 letters, digits, . _ -');
    if (typeof h.secret !== 'string' || h.secret.length < 16) throw new ValidationError(`${field}.secret`, 'must be at least 16 characters');
    if (h.header !== undefined && !HEADER_NAME.test(h.header)) throw new ValidationError(`${field}.header`, 'must be a header name');
    try {
      validateHttpSmsConfig(h.gateway);
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError(`${field}.gateway.${e.field}`, e.rule);
      throw e;
    }
  }
}

/** The request id: the caller's `X-Request-Id` when it is sane, else a new UUID. */
function requestId(header: unknown): string {
  return typeof header === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(header) ? header : randomUUID();
}

export async function createServer(opts: ServerOptions): Promise<FastifyInstance> {
  const smsWebhooks = opts.smsWebhooks ?? {};
  checkWebhooks(smsWebhooks);
  const ctx: ApiContext = { store: opts.store, now: opts.now ?? (() => new Date().toISOString()), packsFor: opts.packsFor, smsWebhooks };

  const options: FastifyServerOptions = {
    bodyLimit: opts.bodyLimit ?? 65_536,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    // strict bodies: no type coercion (an amount "100" is an error, not 100), unknown fields refused
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
  };
  const app = Fastify(options);

  app.decorateRequest('apiUser', null);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // health and webhooks authenticate otherwise (or not at all); a gateway's own Authorization header is not ours
    if ((req.routeOptions.config as { public?: boolean } | undefined)?.public === true) return;
    const auth = req.headers.authorization;
    if (auth === undefined) return;
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m?.[1]) throw unauthorized('the Authorization header must be "Bearer TOKEN"');
    const user = await userForToken(ctx.store.db, m[1]);
    if (user === null) throw unauthorized('unknown or revoked token');
    req.apiUser = user;
    req.log = req.log.child({ user: user.id });
  });
  app.setErrorHandler((err, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` } }));

  await app.register(async (v1) => {
    await v1.register(healthRoutes(ctx));
    await v1.register(accountRoutes(ctx));
    await v1.register(queueRoutes(ctx));
    await v1.register(callRoutes(ctx));
    await v1.register(webhookRoutes(ctx));
  }, { prefix: '/v1' });
  await app.ready();
  return app;
}
