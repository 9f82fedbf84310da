/**
 * GET /v1/accounts (keyset pages; filters bucket, stage, status, minDpd) and GET /v1/accounts/:id (the account's summary). Lender staff
 * see every account; an agency user only the accounts placed with their agency now, and any other
 * account — placed elsewhere, recalled, or not existing at all — answers the same 404.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../core/index.js';
import { rowToBorrower } from '../../store/codec.js';
import { listParties } from '../../store/parties.js';
import { assertAccountVisible, requireUser, type ApiContext } from '../context.js';
import { notFound } from '../errors.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** A page cursor is the last account id of the page before, base64url (opaque to clients). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (id === '' || encodeCursor(id) !== cursor) throw new ValidationError('cursor', 'is not a cursor this API gave out (use nextCursor as it came)');
  return id;
}

const listSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cursor: { type: 'string', minLength: 1, maxLength: 200 },
      limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
      bucket: { type: 'string', minLength: 1, maxLength: 32 },
      stage: { type: 'string', minLength: 1, maxLength: 64 },
      status: { type: 'string', minLength: 1, maxLength: 32 },
      minDpd: { type: 'string', pattern: '^[0-9]{1,5}$' },
    },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export function accountRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { cursor?: string; limit?: string; bucket?: string; stage?: string; status?: string; minDpd?: string } }>('/accounts', { schema: listSchema }, async (req) => {
      const user = requireUser(req);
      const limit = req.query.limit === undefined ? DEFAULT_PAGE : Number(req.query.limit);
      if (limit < 1 || limit > MAX_PAGE) throw new ValidationError('limit', `must be from 1 to ${MAX_PAGE}`);
      const after = req.query.cursor === undefined ? null : decodeCursor(req.query.cursor);
      let q = ctx.store.db.selectFrom('accounts as a')
        .innerJoin('account_state as s', 's.account_id', 'a.id')
        .leftJoin('account_stage as g', 'g.account_id', 'a.id')
        .select(['a.id', 'a.currency', 's.status', 's.dpd', 's.bucket', 's.total', 's.overdue', 's.credit', 's.as_of', 'g.stage'])
        .orderBy('a.id').limit(limit + 1);
      if (user.agencyId !== null) {
        const agency = user.agencyId;
        q = q.where((eb) => eb.exists(eb.selectFrom('placements as p').select('p.id')
          .whereRef('p.account_id', '=', 'a.id').where('p.agency_id', '=', agency).where('p.recalled_on', 'is', null)));
      }
      if (after !== null) q = q.where('a.id', '>', after);
      // filters a team works by (exact bucket, ladder stage, account status; at least this many days past due)
      const f = req.query;
      if (f.bucket !== undefined) q = q.where('s.bucket', '=', f.bucket);
      if (f.stage !== undefined) q = q.where('g.stage', '=', f.stage);
      if (f.status !== undefined) q = q.where('s.status', '=', f.status);
      if (f.minDpd !== undefined) q = q.where('s.dpd', '>=', Number(f.minDpd));
      const rows = await q.execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        accounts: page.map((r) => ({
          id: r.id, currency: r.currency, asOf: r.as_of, status: r.status, dpd: Number(r.dpd), bucket: r.bucket, stage: r.stage ?? null,
          balance: { total: Number(r.total), overdue: Number(r.overdue), credit: Number(r.credit) },
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    });

    app.get<{ Params: { id: string } }>('/accounts/:id', { schema: { params: idParams } }, async (req) => {
      const user = requireUser(req);
      const id = req.params.id;
      await assertAccountVisible(ctx, user, id);
      const db = ctx.store.db;
      const row = await db.selectFrom('accounts as a')
        .innerJoin('account_state as s', 's.account_id', 'a.id')
        .innerJoin('borrowers as b', 'b.id', 'a.borrower_id')
        .leftJoin('account_stage as g', 'g.account_id', 'a.id')
        .select([
          'a.id', 'a.product_id', 'a.currency', 'a.principal as original_principal', 'a.disbursed',
          's.as_of', 's.status', 's.dpd', 's.bucket', 's.delinquent_since', 's.principal', 's.interest', 's.penalty', 's.fees', 's.total', 's.overdue', 's.credit',
          'g.stage', 'g.since', 'g.strategy',
          'b.id as borrower_id', 'b.name', 'b.timezone', 'b.data',
        ])
        .where('a.id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`account "${id}"`);
      const borrower = rowToBorrower({ id: row.borrower_id, name: row.name, timezone: row.timezone, data: row.data });
      // the open placement only: an agency sees its own; earlier placements (other agencies') are not shown
      const placement = await db.selectFrom('placements').select(['agency_id', 'placed_on', 'ends_on', 'bucket'])
        .where('account_id', '=', id).where('recalled_on', 'is', null).executeTakeFirst();
      const parties = await listParties(db, id);
      return {
        id: row.id, productId: row.product_id, currency: row.currency, principal: Number(row.original_principal), disbursed: row.disbursed,
        asOf: row.as_of, status: row.status, dpd: Number(row.dpd), bucket: row.bucket, delinquentSince: row.delinquent_since,
        balances: {
          principal: Number(row.principal), interest: Number(row.interest), penalty: Number(row.penalty), fees: Number(row.fees),
          total: Number(row.total), overdue: Number(row.overdue), credit: Number(row.credit),
        },
        stage: row.stage === null ? null : { name: row.stage, since: row.since, strategy: row.strategy },
        borrower,
        parties: parties.map(({ accountId: _a, ...p }) => p),
        placement: placement ? { agencyId: placement.agency_id, placedOn: placement.placed_on, endsOn: placement.ends_on, bucket: placement.bucket } : null,
      };
    });
  };
}
