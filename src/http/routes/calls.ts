/**
 * POST /v1/accounts/:id/calls — an agent logs a call they are about to place: the gate decides and
 * records it (decideAndRecord, with the token's user as the agent and their agency); 201 with the
 * decision when allowed, 409 with the rule and its plain reason when blocked.
 * POST /v1/calls/:decisionId/result — what the call led to (recordContactResult): 201 the first
 * time, 200 with the same body when the same result is sent again.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../core/index.js';
import { attemptRequest, PURPOSES, type Purpose } from '../../compliance/index.js';
import { activePhones, type Outcome } from '../../contact/index.js';
import { zonesOf } from '../../channels/phone-zones.js';
import { callPurpose, type Role } from '../../queues/index.js';
import { rowToBorrower } from '../../store/codec.js';
import { decideAndRecord } from '../../store/gate.js';
import { recordContactResult } from '../../store/outcomes.js';
import { getParty } from '../../store/parties.js';
import { assertAccountVisible, requireUser, type ApiContext } from '../context.js';
import { forbidden, notFound } from '../errors.js';
import { blocked, E164_SCHEMA, instantOf, INSTANT_SCHEMA, NOTE_SCHEMA, OUTCOME_SCHEMA, PROMISE_SCHEMA, type PromiseBody } from './shared.js';

/** Who may log calls and their results: calling agents, agency agents, supervisors (field agents visit, they do not call). */
export const CALL_ROLES: readonly Role[] = ['agent', 'agency_agent', 'supervisor'];

interface CallBody {
  party: string;
  number: string;
  at?: string;
  purpose?: Purpose;
  callerNumber?: string;
}

interface ResultBody {
  outcome: Outcome;
  promise?: PromiseBody | null;
  note?: string | null;
}

const callSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['party', 'number'],
    properties: {
      party: { type: 'string', minLength: 1, maxLength: 64 },
      number: E164_SCHEMA,
      at: INSTANT_SCHEMA,
      purpose: { type: 'string', enum: [...PURPOSES] },
      callerNumber: E164_SCHEMA,
    },
  },
} as const;

const resultSchema = {
  params: { type: 'object', required: ['decisionId'], properties: { decisionId: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['outcome'],
    properties: { outcome: OUTCOME_SCHEMA, promise: PROMISE_SCHEMA, note: NOTE_SCHEMA },
  },
} as const;

export function callRoutes(ctx: ApiContext): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { id: string }; Body: CallBody }>('/accounts/:id/calls', { schema: callSchema }, async (req, reply) => {
      const user = requireUser(req, CALL_ROLES);
      const accountId = req.params.id;
      await assertAccountVisible(ctx, user, accountId);
      const b = req.body;
      const at = instantOf(b.at, ctx.now);
      const acc = await ctx.store.db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
        .select(['borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data']).where('accounts.id', '=', accountId).executeTakeFirst();
      if (!acc) throw notFound(`account "${accountId}"`);
      const borrower = rowToBorrower(acc);
      const isBorrower = b.party === 'borrower' || b.party === borrower.id;
      const party = isBorrower ? null : await getParty(ctx.store.db, b.party);
      if (!isBorrower && (!party || party.accountId !== accountId)) {
        throw new ValidationError('party', `no party "${b.party}" on account ${accountId}: "borrower", the borrower's id or a party id from GET /v1/accounts/${accountId}`);
      }
      const phones = party ? activePhones(party) : borrower.phones;
      if (!phones.includes(b.number)) {
        const retired = party?.phones.some((p) => p.number === b.number && p.retiredAt !== null) === true;
        throw new ValidationError('number', retired
          ? `${b.number} was retired for ${party?.id ?? ''} after a wrong-number outcome`
          : `${b.number} is not a number on file for ${party ? party.id : borrower.id}`);
      }
      const zones = await zonesOf([party ? party.timezone ?? borrower.timezone : borrower.timezone], phones);
      const workplace = party?.phones.some((p) => p.number === b.number && p.type === 'work') === true;
      const base = await ctx.packsFor(accountId, at);
      // without a purpose: as the queue asks — collect for the borrower, what the packs allow for a third party
      const purpose = b.purpose ?? (party ? callPurpose(party.kind, base.packs) : 'collect');
      const request = attemptRequest({
        id: party ? party.id : borrower.id, kind: party ? party.kind : 'borrower', zones, flags: {}, phones,
        emails: party ? party.emails : borrower.emails, addresses: party ? party.addresses : borrower.addresses,
      }, { accountId, channel: 'call', at, to: b.number, purpose, workplace });
      const workplaceForbidden = party?.kind === 'employer' && party.forbidsCalls;
      const d = await decideAndRecord(ctx.store, request, { ...base, holds: [], optOuts: [], workplaceForbidden, refusedContact: false },
        { agentId: user.id, agencyId: user.agencyId, callerNumber: b.callerNumber ?? null });
      req.log.info({ decision: d.id, account: accountId, allowed: d.allowed, rule: d.rule, callerNumber: b.callerNumber ?? null }, 'call decided');
      if (!d.allowed) throw blocked(d);
      return reply.code(201).send({
        decision: {
          id: d.id, allowed: true, reason: d.reason, accountId, party: { id: request.party.id, kind: request.party.kind }, number: b.number,
          purpose: request.purpose, at, callerNumber: b.callerNumber ?? null,
        },
      });
    });

    app.post<{ Params: { decisionId: string }; Body: ResultBody }>('/calls/:decisionId/result', { schema: resultSchema }, async (req, reply) => {
      const user = requireUser(req, CALL_ROLES);
      const decisionId = Number(req.params.decisionId);
      const d = await ctx.store.db.selectFrom('gate_decisions').select(['id', 'debt_id', 'agent_id', 'agency_id', 'channel'])
        .where('id', '=', decisionId).executeTakeFirst();
      if (!d) throw notFound(`call ${decisionId}`);
      if (user.agencyId !== null) {
        // an agency's own calls on accounts still placed with it; anything else does not exist for it
        if (d.agency_id !== user.agencyId) throw notFound(`call ${decisionId}`);
        await assertAccountVisible(ctx, user, d.debt_id);
      }
      if (user.role !== 'supervisor' && d.agent_id !== user.id) throw forbidden(`call ${decisionId} was made by ${d.agent_id ?? 'nobody recorded'}: only they or a supervisor record its result`);
      const b = req.body;
      const r = await recordContactResult(ctx.store, {
        decisionId, outcome: b.outcome, ...(b.promise !== undefined ? { promise: b.promise } : {}), ...(b.note !== undefined ? { note: b.note } : {}),
      }, { actor: user.id, now: ctx.now() });
      return reply.code(r.duplicate ? 200 : 201).send({ decisionId: r.decisionId, attemptId: r.attemptId, outcome: b.outcome, actKind: r.actKind });
    });
  };
}
