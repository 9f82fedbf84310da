/**
 * What every route of the API gets: the store, the clock, the rule packs, the authenticated user,
 * and the scoping helpers.
 */
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../core/index.js';
import type { HttpSmsConfig } from '../channels/sms-http.js';
import type { Role, User } from '../queues/index.js';
import { assertVisible } from '../store/agencies.js';
import type { Store } from '../store/db.js';
import type { PacksFor } from '../store/queues.js';
import { forbidden, notFound, unauthorized } from './errors.js';

/** A gateway whose delivery receipts arrive at POST /v1/webhooks/sms/:name. */
export interface SmsWebhook {
  /** the gateway's configuration (the receipt paths and status words are read from it) */
  gateway: HttpSmsConfig;
  /** the shared secret the gateway sends in `header` */
  secret: string;
  /** default `x-webhook-secret` */
  header?: string;
}

export interface ApiContext {
  store: Store;
  /** the server's clock: ISO instant */
  now: () => string;
  packsFor: PacksFor;
  smsWebhooks: Readonly<Record<string, SmsWebhook>>;
}

export type ApiUser = User & { tokenId: number };

declare module 'fastify' {
  interface FastifyRequest {
    /** the token's user; null before authentication and on public routes */
    apiUser: ApiUser | null;
  }
}

/** The authenticated user, with one of `roles` (401 without a user, 403 with another role). */
export function requireUser(req: FastifyRequest, roles?: readonly Role[]): ApiUser {
  const u = req.apiUser;
  if (u === null) throw unauthorized('a bearer token is required');
  if (roles !== undefined && !roles.includes(u.role)) throw forbidden(`role ${u.role} may not ${req.method} ${req.routeOptions.url ?? req.url} (allowed: ${roles.join(', ')})`);
  return u;
}

/**
 * Agency scoping: an agency user may touch only accounts placed with their agency now. An account
 * they may not see answers exactly like one that does not exist (404), so its existence is not revealed.
 */
export async function assertAccountVisible(ctx: ApiContext, user: ApiUser, accountId: string): Promise<void> {
  if (user.agencyId === null) return;
  try {
    await assertVisible(ctx.store.db, user.agencyId, accountId);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'agency.scope') throw notFound(`account "${accountId}"`);
    throw e;
  }
}
