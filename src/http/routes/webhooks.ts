/**
 * POST (or GET) /v1/webhooks/sms/:channel — delivery receipts from an SMS HTTP gateway. The channel
 * is one configured in `smsWebhooks`; the gateway proves itself with the channel's shared secret in
 * a header (compared in constant time). The body (JSON or form-encoded; for GET the query string)
 * goes to the channel's receipt parser (src/channels/sms-http.ts parseDeliveryReceipt) and the
 * status to the outbox row with that provider id (src/store/receipts.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parseDeliveryReceipt } from '../../channels/sms-http.js';
import { recordDeliveryReceipt } from '../../store/receipts.js';
import type { ApiContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';

export const DEFAULT_SECRET_HEADER = 'x-webhook-secret';

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function webhookRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    // gateways post form-encoded receipts as often as JSON; the parser reads either from the text
    app.addContentTypeParser(['application/x-www-form-urlencoded', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

    const handle = async (req: FastifyRequest<{ Params: { channel: string } }>, reply: FastifyReply): Promise<FastifyReply> => {
      const hook = Object.hasOwn(ctx.smsWebhooks, req.params.channel) ? ctx.smsWebhooks[req.params.channel] : undefined;
      if (!hook) throw notFound(`SMS channel "${req.params.channel}"`);
      const header = (hook.header ?? DEFAULT_SECRET_HEADER).toLowerCase();
      const given = req.headers[header];
      if (typeof given !== 'string' || !sameSecret(given, hook.secret)) throw new HttpError(401, 'unauthorized', `the ${header} header does not carry this channel's secret`);
      const receipt = parseDeliveryReceipt(hook.gateway, req.method === 'GET' ? req.query : req.body);
      const r = await recordDeliveryReceipt(ctx.store.db, req.params.channel, receipt, { actor: `webhook:${req.params.channel}`, now: ctx.now() });
      if (r === null) {
        // the gateway retries: a receipt that beat the dispatcher's own record of the send lands on a later try
        throw new HttpError(404, 'receipt.unknown_message', `no SMS in the outbox has provider id ${JSON.stringify(receipt.providerId)}`);
      }
      req.log.info({ channel: req.params.channel, providerId: receipt.providerId, status: receipt.status, changed: r.changed }, 'delivery receipt');
      return reply.code(200).send({ providerId: receipt.providerId, status: receipt.status, providerStatus: receipt.providerStatus, ...r });
    };
    const params = { type: 'object', required: ['channel'], properties: { channel: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
    app.post<{ Params: { channel: string } }>('/webhooks/sms/:channel', { config: { public: true }, schema: { params } }, handle);
    app.get<{ Params: { channel: string } }>('/webhooks/sms/:channel', { config: { public: true }, schema: { params } }, handle);
  };
}
