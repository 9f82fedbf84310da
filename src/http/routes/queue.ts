/**
 * GET /v1/queue/next — the caller's next callable account (src/store/queues.ts nextAccount: the
 * gate is asked, nothing is recorded) with the items skipped now and why;
 * POST /v1/queue/items/:id/wrap-up — the call on an item (wrapUp: one gate decision, its outcome).
 * Only calling roles (agent, agency_agent), and only on their own items.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../core/index.js';
import { CALLING_ROLES } from '../../queues/index.js';
import { nextAccount, wrapUp } from '../../store/queues.js';
import { accountsVisibleTo } from '../../store/agencies.js';
import { requireUser, assertAccountVisible, type ApiContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { blocked, E164_SCHEMA, INSTANT_SCHEMA, instantOf, NOTE_SCHEMA, OUTCOME_SCHEMA, PROMISE_SCHEMA, type PromiseBody } from './shared.js';

interface WrapUpBody {
  outcome: string;
  at?: string;
  promise?: PromiseBody | null;
  note?: string | null;
  callerNumber?: string;
}

const wrapUpSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['outcome'],
    properties: { outcome: OUTCOME_SCHEMA, at: INSTANT_SCHEMA, promise: PROMISE_SCHEMA, note: NOTE_SCHEMA, callerNumber: E164_SCHEMA },
  },
} as const;

export function queueRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/queue/next', async (req) => {
      const user = requireUser(req, CALLING_ROLES);
      const n = await nextAccount(ctx.store, user.id, ctx.now(), ctx.packsFor);
      // an agency agent sees only what is placed with their agency now (an item queued before a recall is hidden)
      const visible = user.agencyId === null ? null : new Set(await accountsVisibleTo(ctx.store.db, { agencyId: user.agencyId }));
      const shown = (accountId: string): boolean => visible === null || visible.has(accountId);
      const item = n.item && shown(n.item.accountId) ? n.item : null;
      return {
        item: item ? { id: item.id, accountId: item.accountId, date: item.date, priority: item.priority } : null,
        call: item && n.request ? { party: { id: n.request.party.id, kind: n.request.party.kind, name: n.partyName ?? n.borrowerName }, number: n.request.contactPoint.id, purpose: n.request.purpose } : null,
        skipped: n.skipped.filter((k) => shown(k.item.accountId)).map((k) => ({
          itemId: k.item.id, accountId: k.item.accountId, rule: k.rule, reason: k.reason, nextAllowedAt: k.nextAllowedAt,
        })),
        nextAt: item ? null : n.nextAt,
      };
    });

    app.post<{ Params: { id: string }; Body: WrapUpBody }>('/queue/items/:id/wrap-up', { schema: wrapUpSchema }, async (req, reply) => {
      const user = requireUser(req, CALLING_ROLES);
      const itemId = Number(req.params.id);
      const row = await ctx.store.db.selectFrom('queue_items').select(['id', 'account_id', 'agent_id', 'status']).where('id', '=', itemId).executeTakeFirst();
      // someone else's item is not the caller's business: answered like a missing one
      if (!row || row.agent_id !== user.id) throw notFound(`queue item ${itemId}`);
      await assertAccountVisible(ctx, user, row.account_id);
      const body = req.body;
      const at = instantOf(body.at, ctx.now);
      let w;
      try {
        w = await wrapUp(ctx.store, itemId, body.outcome, {
          at, packsFor: ctx.packsFor, actor: user.id,
          ...(body.promise !== undefined ? { promise: body.promise } : {}), ...(body.note !== undefined ? { note: body.note } : {}),
          ...(body.callerNumber !== undefined ? { callerNumber: body.callerNumber } : {}),
        });
      } catch (e) {
        // a retry with another result than the one recorded
        if (row.status === 'done' && e instanceof ValidationError && e.field === 'item') throw new HttpError(409, 'queue.item_done', e.rule);
        throw e;
      }
      if (!w.decision.allowed || w.result === null) throw blocked(w.decision);
      // a retry of a wrap-up that went through with the same result: 200 and the same body
      return reply.code(w.result.duplicate ? 200 : 201).send({
        itemId, status: 'done', decisionId: w.decision.id, attemptId: w.result.attemptId, outcome: body.outcome, actKind: w.result.actKind,
      });
    });
  };
}
