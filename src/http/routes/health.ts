/** GET /v1/health: the process answers and the database does (503 when it does not). No token needed. */
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.js';

export function healthRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', { config: { public: true } }, async (req, reply) => {
      try {
        await sql`select 1`.execute(ctx.store.db);
      } catch (err) {
        req.log.error({ err }, 'health: database unreachable');
        return reply.code(503).send({ error: { code: 'unavailable', message: 'the database does not answer' } });
      }
      return { status: 'ok', time: ctx.now(), database: ctx.store.dialect };
    });
  };
}
