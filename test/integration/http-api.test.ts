/**
 * The HTTP API through fastify.inject, on SQLite and PostgreSQL: bearer tokens (401, revoked), roles
 * (403), agency scoping (another agency's account is a 404 like a missing one; no call can be logged
 * on it), accounts and pages, calls through the gate (201 allowed, 409 blocked with rule and reason),
 * idempotent results, wrap-up through the API, validation errors naming the field, SMS delivery
 * receipts updating the outbox.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/compliance/index.js';
import { parseProduct } from '../../src/ledger/index.js';
import { createServer } from '../../src/http/index.js';
import { addAgency, placeAccounts, recallPlacement } from '../../src/store/agencies.js';
import { addCallerNumber } from '../../src/store/caller-numbers.js';
import type { Store } from '../../src/store/db.js';
import { saveJurisdiction } from '../../src/store/gate.js';
import { claimBatch, enqueue, markSent } from '../../src/store/outbox.js';
import { addParties } from '../../src/store/parties.js';
import { addUser, buildQueueForDate, type PacksFor } from '../../src/store/queues.js';
import { insertLoans } from '../../src/store/repo.js';
import { createToken, revokeToken } from '../../src/store/tokens.js';
import { BACKENDS } from '../support/stores.js';

const regf = loadRulePack(readFileSync('rule-packs/us-regf.yaml', 'utf8'), 'rule-packs/us-regf.yaml');
const packsFor: PacksFor = () => Promise.resolve({ packs: [regf], holidays: [] });
const product = parseProduct('p', { method: 'bullet', annualRate: 0.1, termMonths: 3 });
const phone = (id: string): string => `+1212555010${id.slice(-1)}`;
const loan = (id: string) => ({
  account: { id, borrowerId: `B-${id}`, productId: 'p', currency: 'USD', principal: 150_000, disbursed: '2025-10-01' },
  product,
  borrower: {
    id: `B-${id}`, name: `Borrower ${id}`, timezone: 'America/New_York', phones: [phone(id)], emails: [], addresses: [{ kind: 'residential' as const, line: '1 Main St', country: 'US' }],
    languages: id === 'L-1' ? ['es', 'en'] : [],
  },
});
/** 10:00 in New York: calls allowed */
const OPEN = '2026-03-02T15:00:00.000Z';
/** 07:00 in New York: before Reg F's 8 a.m. */
const EARLY = '2026-03-02T12:00:00.000Z';
const GATEWAY = {
  url: 'https://sms.example/v1/messages', bodyTemplate: { to: '{{to}}', text: '{{body}}' }, providerIdPath: 'id',
  receipt: { providerIdPath: 'msgid', statusPath: 'stat' },
};
const SECRET = 'a-long-shared-secret-0123';

interface World {
  app: FastifyInstance;
  s: Store;
  clock: { now: string };
  tokens: Record<'ann' | 'bo' | 'sue' | 'fay' | 'acme1' | 'best1', string>;
}

/** Four US loans: L-1 placed with acme, L-2 with best, L-3 and L-4 with nobody; a reference on L-3; users of every role. */
async function world(s: Store): Promise<World> {
  await insertLoans(s.db, ['L-1', 'L-2', 'L-3', 'L-4'].map(loan));
  await s.db.updateTable('account_state').set({ bucket: 'M2', total: 100_000, overdue: 40_000, dpd: 45, as_of: '2026-03-01' }).execute();
  await saveJurisdiction(s.db, null, ['us-regf']);
  const contract = (id: string) => ({ id, name: id.toUpperCase(), commission: { M2: '0.185' }, placementDays: 30, capacity: 5, regions: ['US'] });
  await addAgency(s, contract('acme'));
  await addAgency(s, contract('best'));
  const rule = (agency: string) => ({ id: agency, bucket: 'M2', minBalance: 0, maxBalance: null, regions: [], agencies: [agency] });
  await placeAccounts(s, { rules: [rule('acme')], asOf: '2026-03-02', seed: 1, accountIds: ['L-1'] });
  await placeAccounts(s, { rules: [rule('best')], asOf: '2026-03-02', seed: 1, accountIds: ['L-2'] });
  await addParties(s.db, [{ id: 'R-1', accountId: 'L-3', kind: 'reference', relation: 'sibling', name: 'Bo Lee', phones: ['+12125550199'] }]);
  await addUser(s, { id: 'ann', name: 'Ann', role: 'agent', capacity: 10 });
  await addUser(s, { id: 'bo', name: 'Bo', role: 'agent', capacity: 0 });
  await addUser(s, { id: 'sue', name: 'Sue', role: 'supervisor' });
  await addUser(s, { id: 'fay', name: 'Fay', role: 'field_agent' });
  await addUser(s, { id: 'acme1', name: 'Al', role: 'agency_agent', agencyId: 'acme', capacity: 0 });
  await addUser(s, { id: 'best1', name: 'Bea', role: 'agency_agent', agencyId: 'best', capacity: 0 });
  const tokens = {} as World['tokens'];
  for (const u of ['ann', 'bo', 'sue', 'fay', 'acme1', 'best1'] as const) tokens[u] = (await createToken(s.db, u)).token;
  const clock = { now: OPEN };
  const app = await createServer({
    store: s, now: () => clock.now, packsFor,
    smsWebhooks: { gw: { gateway: GATEWAY, secret: SECRET } },
  });
  return { app, s, clock, tokens };
}

type Method = 'GET' | 'POST';
async function call(w: World, method: Method, url: string, who: keyof World['tokens'] | null, payload?: unknown) {
  const res = await w.app.inject({
    method, url, ...(who ? { headers: { authorization: `Bearer ${w.tokens[who]}` } } : {}), ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>(), headers: res.headers };
}

describe.each(BACKENDS)('HTTP API on $name', (backend) => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.app.close();
    await w?.s.close();
    w = undefined;
  });
  const open = async (): Promise<World> => {
    w = await world(await backend.open());
    return w;
  };

  it('authenticates with bearer tokens (401), checks roles (403), answers health without a token', async () => {
    const x = await open();
    const health = await call(x, 'GET', '/v1/health', null);
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', time: OPEN, database: backend.name } });
    expect(health.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    expect(await call(x, 'GET', '/v1/accounts', null)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: 'a bearer token is required' } } });
    const bad = await x.app.inject({ method: 'GET', url: '/v1/accounts', headers: { authorization: 'Bearer arr_not-a-real-token' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ error: { code: 'unauthorized', message: 'unknown or revoked token' } });
    const basic = await x.app.inject({ method: 'GET', url: '/v1/accounts', headers: { authorization: 'Basic YTpi' } });
    expect(basic.statusCode).toBe(401);

    // a revoked token stops working at once
    const t = await createToken(x.s.db, 'ann', { label: 'laptop' });
    const withT = () => x.app.inject({ method: 'GET', url: '/v1/accounts?limit=1', headers: { authorization: `Bearer ${t.token}` } });
    expect((await withT()).statusCode).toBe(200);
    expect(await revokeToken(x.s.db, t.id)).toBe(true);
    expect((await withT()).statusCode).toBe(401);
    // only the hash is stored
    const stored = await x.s.db.selectFrom('api_tokens').select('token_hash').where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(t.token.slice(4));

    // roles: field agents do not log calls, supervisors have no queue
    const fay = await call(x, 'POST', '/v1/accounts/L-3/calls', 'fay', { party: 'borrower', number: phone('L-3') });
    expect(fay.status).toBe(403);
    expect(fay.body).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(x, 'GET', '/v1/queue/next', 'sue')).status).toBe(403);
    expect(await x.s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);
  });

  it('scopes agency users: their placed accounts only; another agency\'s account is a 404 like a missing one, and no call can be logged on it', async () => {
    const x = await open();
    const list = await call(x, 'GET', '/v1/accounts', 'acme1');
    expect(list.status).toBe(200);
    expect((list.body.accounts as { id: string }[]).map((a) => a.id)).toEqual(['L-1']);

    const own = await call(x, 'GET', '/v1/accounts/L-1', 'acme1');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: 'L-1', currency: 'USD', dpd: 45, bucket: 'M2', balances: { total: 100_000, overdue: 40_000 },
      borrower: { id: 'B-L-1', name: 'Borrower L-1', timezone: 'America/New_York', languages: ['es', 'en'] }, placement: { agencyId: 'acme', placedOn: '2026-03-02', endsOn: '2026-04-01' },
    });

    const other = await call(x, 'GET', '/v1/accounts/L-2', 'acme1');
    const missing = await call(x, 'GET', '/v1/accounts/L-9', 'acme1');
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.body).toEqual({ error: { code: 'not_found', message: 'no account "L-2"' } });
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'no account "L-9"' } });
    // unplaced accounts are not theirs either
    expect((await call(x, 'GET', '/v1/accounts/L-3', 'acme1')).status).toBe(404);

    const logged = await call(x, 'POST', '/v1/accounts/L-2/calls', 'acme1', { party: 'borrower', number: phone('L-2') });
    expect(logged.status).toBe(404);
    expect(await x.s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);
    // best's user sees L-2 and may call it; the decision carries the agency
    const best = await call(x, 'POST', '/v1/accounts/L-2/calls', 'best1', { party: 'borrower', number: phone('L-2') });
    expect(best.status).toBe(201);
    const d = await x.s.db.selectFrom('gate_decisions').select(['debt_id', 'agent_id', 'agency_id']).execute();
    expect(d).toEqual([{ debt_id: 'L-2', agent_id: 'best1', agency_id: 'best' }]);
    // acme cannot record the result of best's call either
    const decisionId = (best.body.decision as { id: number }).id;
    expect((await call(x, 'POST', `/v1/calls/${decisionId}/result`, 'acme1', { outcome: 'no_answer' })).status).toBe(404);

    // lender staff see every account, a page at a time
    const p1 = await call(x, 'GET', '/v1/accounts?limit=3', 'sue');
    expect((p1.body.accounts as { id: string }[]).map((a) => a.id)).toEqual(['L-1', 'L-2', 'L-3']);
    const p2 = await call(x, 'GET', `/v1/accounts?limit=3&cursor=${String(p1.body.nextCursor)}`, 'sue');
    expect((p2.body.accounts as { id: string }[]).map((a) => a.id)).toEqual(['L-4']);
    expect(p2.body.nextCursor).toBeNull();
    // filters: bucket, days past due, stage, status (with the agency scope still applied)
    await x.s.db.updateTable('account_state').set({ bucket: 'M1', dpd: 10 }).where('account_id', 'in', ['L-1', 'L-4']).execute();
    await x.s.db.updateTable('account_state').set({ bucket: 'M2', dpd: 40 }).where('account_id', 'in', ['L-2', 'L-3']).execute();
    const ids = async (url: string, user: keyof typeof x.tokens): Promise<string[]> => ((await call(x, 'GET', url, user)).body.accounts as { id: string }[]).map((a) => a.id);
    expect(await ids('/v1/accounts?bucket=M2', 'sue')).toEqual(['L-2', 'L-3']);
    expect(await ids('/v1/accounts?minDpd=41', 'sue')).toEqual([]);
    expect(await ids('/v1/accounts?minDpd=11', 'sue')).toEqual(['L-2', 'L-3']);
    expect(await ids('/v1/accounts?minDpd=40&bucket=M2', 'best1')).toEqual(['L-2']);
    expect(await ids('/v1/accounts?stage=legal', 'sue')).toEqual([]);
    expect((await call(x, 'GET', '/v1/accounts?minDpd=-1', 'sue')).status).toBe(400);
    expect((await call(x, 'GET', '/v1/accounts/L-2', 'ann')).body).toMatchObject({ placement: { agencyId: 'best' } });
    expect((await call(x, 'GET', '/v1/accounts/L-3', 'ann')).body).toMatchObject({ parties: [{ id: 'R-1', kind: 'reference' }], placement: null });
  });

  it('logs calls through the gate: 201 allowed with the decision, 409 blocked with rule, reason and next time; results are idempotent', async () => {
    const x = await open();
    x.clock.now = EARLY;
    const early = await call(x, 'POST', '/v1/accounts/L-3/calls', 'ann', { party: 'borrower', number: phone('L-3') });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'gate.blocked', rule: 'us-regf/hours', nextAllowedAt: '2026-03-02T13:00:00.000Z' } });
    expect(String((early.body.error as { reason: string }).reason)).not.toBe('');

    // a caller ID must be registered for the lender (the dialer's registry): an unknown one is blocked
    const unregistered = await call(x, 'POST', '/v1/accounts/L-3/calls', 'ann', { party: 'borrower', number: phone('L-3'), at: OPEN, callerNumber: '+18005550100' });
    expect(unregistered).toMatchObject({ status: 409, body: { error: { code: 'gate.blocked', rule: 'registered-caller-number', nextAllowedAt: null } } });
    await addCallerNumber(x.s.db, { number: '+18005550100' }, { now: '2026-03-01T00:00:00Z' });
    // `at` in the body wins over the server's clock
    const ok = await call(x, 'POST', '/v1/accounts/L-3/calls', 'ann', { party: 'borrower', number: phone('L-3'), at: '2026-03-02T10:00:00-05:00', callerNumber: '+18005550100' });
    expect(ok.status).toBe(201);
    const decision = ok.body.decision as { id: number; at: string; party: unknown };
    expect(decision).toMatchObject({ allowed: true, at: OPEN, party: { id: 'B-L-3', kind: 'borrower' }, number: phone('L-3'), purpose: 'collect' });
    const rows = await x.s.db.selectFrom('gate_decisions').select(['id', 'allowed', 'agent_id', 'rule']).orderBy('id').execute();
    expect(rows.map((r) => [r.allowed, r.agent_id, r.rule])).toEqual([[0, 'ann', 'us-regf/hours'], [0, 'ann', 'registered-caller-number'], [1, 'ann', null]]);

    // a reference on file, by party id, at the server's time
    x.clock.now = OPEN;
    const ref = await call(x, 'POST', '/v1/accounts/L-3/calls', 'ann', { party: 'R-1', number: '+12125550199', purpose: 'location' });
    expect(ref.status).toBe(201);
    expect(ref.body.decision).toMatchObject({ party: { id: 'R-1', kind: 'reference' }, purpose: 'location' });

    // an outcome a call cannot have: 400 naming outcome, nothing recorded
    const sent = await call(x, 'POST', `/v1/calls/${decision.id}/result`, 'ann', { outcome: 'sent' });
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ error: { field: 'outcome', rule: expect.stringMatching(/for a call, got "sent"$/) } });
    expect(await x.s.db.selectFrom('attempts').select('id').execute()).toEqual([]);

    // a promise above what the account owes, or due beyond PROMISE_MAX_DAYS (60 days): 400 naming the field, nothing recorded
    const huge = await call(x, 'POST', `/v1/calls/${decision.id}/result`, 'ann', { outcome: 'promise', promise: { amount: 99_999_999_999, due: '2026-03-09' } });
    expect(huge.status).toBe(400);
    expect(huge.body).toMatchObject({ error: { field: 'promise.amount', rule: expect.stringMatching(/^must not exceed the balance owed, [\d,]+\.\d\d USD, got 999,999,999\.99$/) } });
    const far = await call(x, 'POST', `/v1/calls/${decision.id}/result`, 'ann', { outcome: 'promise', promise: { amount: 25_000, due: '2099-01-01' } });
    expect(far.status).toBe(400);
    expect(far.body).toMatchObject({ error: { field: 'promise.due', rule: expect.stringMatching(/^must be at most 60 days after the date the promise was made \(\d{4}-\d\d-\d\d\), so \d{4}-\d\d-\d\d at the latest, got 2099-01-01$/) } });
    expect(await x.s.db.selectFrom('attempts').select('id').execute()).toEqual([]);

    // the result: 201, then the same again is 200 with the same body
    const result = { outcome: 'promise', promise: { amount: 25_000, due: '2026-03-09' }, note: 'pays Friday' };
    const first = await call(x, 'POST', `/v1/calls/${decision.id}/result`, 'ann', result);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ decisionId: decision.id, outcome: 'promise', actKind: null });
    const again = await call(x, 'POST', `/v1/calls/${decision.id}/result`, 'ann', result);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await x.s.db.selectFrom('attempts').select(['account_id', 'outcome', 'promise_amount', 'promise_due']).execute())
      .toEqual([{ account_id: 'L-3', outcome: 'promise', promise_amount: 25_000, promise_due: '2026-03-09' }]);
    // a different result for the same call is refused, naming the field
    const other = await call(x, 'POST', `/v1/calls/${decision.id}/result`, 'ann', { outcome: 'no_answer' });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: { field: 'decisionId' } });
    // another agent's call: 403; a supervisor may record it; a blocked call has no result
    const refId = (ref.body.decision as { id: number }).id;
    expect((await call(x, 'POST', `/v1/calls/${refId}/result`, 'bo', { outcome: 'no_answer' })).status).toBe(403);
    expect((await call(x, 'POST', `/v1/calls/${refId}/result`, 'sue', { outcome: 'no_answer' })).status).toBe(201);
    const blockedId = Number(rows[0]?.id);
    expect((await call(x, 'POST', `/v1/calls/${blockedId}/result`, 'ann', { outcome: 'no_answer' })).body).toMatchObject({ error: { field: 'decisionId' } });
    expect((await call(x, 'POST', '/v1/calls/99999/result', 'ann', { outcome: 'no_answer' })).status).toBe(404);
  });

  it('refuses bad input with the field and the rule', async () => {
    const x = await open();
    const cases: [string, string, unknown, { field: string; rule?: string }][] = [
      ['POST', '/v1/accounts/L-3/calls', { party: 'borrower' }, { field: 'number', rule: 'is required' }],
      ['POST', '/v1/accounts/L-3/calls', { party: 'borrower', number: '2125550103' }, { field: 'number' }],
      ['POST', '/v1/accounts/L-3/calls', { party: 'borrower', number: phone('L-3'), colour: 'red' }, { field: 'colour', rule: 'is not a known field' }],
      ['POST', '/v1/accounts/L-3/calls', { party: 'borrower', number: phone('L-3'), purpose: 'chat' }, { field: 'purpose' }],
      ['POST', '/v1/accounts/L-3/calls', { party: 'borrower', number: phone('L-3'), at: 'tomorrow morning' }, { field: 'at' }],
      ['POST', '/v1/accounts/L-3/calls', { party: 'borrower', number: '+12125550777' }, { field: 'number', rule: '+12125550777 is not a number on file for B-L-3' }],
      ['POST', '/v1/accounts/L-3/calls', { party: 'R-9', number: '+12125550199' }, { field: 'party' }],
      ['POST', '/v1/calls/1/result', { outcome: 'maybe' }, { field: 'outcome' }],
      ['POST', '/v1/calls/1/result', { outcome: 'promise', promise: { amount: '100', due: '2026-03-09' } }, { field: 'promise.amount', rule: 'must be integer' }],
      ['POST', '/v1/calls/1/result', { outcome: 'promise', promise: { amount: 100 } }, { field: 'promise.due', rule: 'is required' }],
      ['POST', '/v1/queue/items/abc/wrap-up', { outcome: 'no_answer' }, { field: 'id' }],
      ['GET', '/v1/accounts?limit=0', undefined, { field: 'limit' }],
      ['GET', '/v1/accounts?limit=ten', undefined, { field: 'limit' }],
      ['GET', '/v1/accounts?cursor=%25%25', undefined, { field: 'cursor' }],
    ];
    for (const [method, url, payload, want] of cases) {
      const r = await call(x, method as Method, url, 'ann', payload);
      expect({ url, payload, status: r.status }).toEqual({ url, payload, status: 400 });
      expect(r.body).toEqual({ error: { field: want.field, rule: want.rule ?? expect.any(String) } });
    }
    const broken = await x.app.inject({ method: 'POST', url: '/v1/accounts/L-3/calls', headers: { authorization: `Bearer ${x.tokens.ann}`, 'content-type': 'application/json' }, payload: '{"party":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(await x.s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);
  });

  it('hands out the next account and wraps it up through the gate', async () => {
    const x = await open();
    await x.s.db.insertInto('tasks').values({
      account_id: 'L-3', business_date: '2026-03-02', type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5,
      window: null, stage: 'reminder', seq: 1, address: null, status: 'planned',
    }).execute();
    await buildQueueForDate(x.s, '2026-03-02');
    const item = await x.s.db.selectFrom('queue_items').select(['id', 'agent_id']).executeTakeFirstOrThrow();
    expect(item.agent_id).toBe('ann');
    const id = Number(item.id);

    x.clock.now = EARLY;
    const none = await call(x, 'GET', '/v1/queue/next', 'ann');
    expect(none.body).toEqual({ item: null, call: null, skipped: [{ itemId: id, accountId: 'L-3', rule: 'us-regf/hours', reason: expect.any(String), nextAllowedAt: '2026-03-02T13:00:00.000Z' }], nextAt: '2026-03-02T13:00:00.000Z' });
    const early = await call(x, 'POST', `/v1/queue/items/${id}/wrap-up`, 'ann', { outcome: 'no_answer' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'gate.blocked', rule: 'us-regf/hours', nextAllowedAt: '2026-03-02T13:00:00.000Z' } });

    x.clock.now = OPEN;
    const next = await call(x, 'GET', '/v1/queue/next', 'ann');
    expect(next.body).toMatchObject({ item: { id, accountId: 'L-3' }, call: { party: { id: 'B-L-3', kind: 'borrower', name: 'Borrower L-3' }, number: phone('L-3') }, skipped: [] });
    // not Bo's item
    expect((await call(x, 'POST', `/v1/queue/items/${id}/wrap-up`, 'bo', { outcome: 'no_answer' })).status).toBe(404);
    const result = { outcome: 'promise', promise: { amount: 10_000, due: '2026-03-06' }, note: 'pays Friday' };
    const done = await call(x, 'POST', `/v1/queue/items/${id}/wrap-up`, 'ann', result);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ itemId: id, status: 'done', outcome: 'promise', decisionId: expect.any(Number), attemptId: expect.any(Number) });
    const again = await call(x, 'POST', `/v1/queue/items/${id}/wrap-up`, 'ann', result);
    expect(again).toMatchObject({ status: 200, body: done.body });
    expect((await call(x, 'POST', `/v1/queue/items/${id}/wrap-up`, 'ann', { outcome: 'busy' })).status).toBe(409);
    const decisions = await x.s.db.selectFrom('gate_decisions').select(['allowed', 'outcome', 'agent_id']).orderBy('id').execute();
    expect(decisions).toEqual([{ allowed: 0, outcome: null, agent_id: 'ann' }, { allowed: 1, outcome: 'promise', agent_id: 'ann' }]);
    expect(await x.s.db.selectFrom('attempts').select(['account_id', 'outcome', 'promise_amount', 'promise_due']).execute())
      .toEqual([{ account_id: 'L-3', outcome: 'promise', promise_amount: 10_000, promise_due: '2026-03-06' }]);
    expect((await call(x, 'GET', '/v1/queue/next', 'ann')).body).toMatchObject({ item: null, skipped: [] });
  });

  it('hides queue items on accounts recalled from the agent\'s agency since the queue was built', async () => {
    const x = await open();
    await x.s.db.updateTable('users').set({ capacity: 5 }).where('id', '=', 'acme1').execute();
    await x.s.db.updateTable('users').set({ capacity: 0 }).where('id', '=', 'ann').execute();
    await x.s.db.insertInto('tasks').values({
      account_id: 'L-1', business_date: '2026-03-02', type: 'call', party: 'borrower', channel: 'call', template: null, priority: 5,
      window: null, stage: 'reminder', seq: 1, address: null, status: 'planned',
    }).execute();
    await buildQueueForDate(x.s, '2026-03-02');
    const item = await x.s.db.selectFrom('queue_items').select(['id', 'agent_id']).executeTakeFirstOrThrow();
    expect(item.agent_id).toBe('acme1');
    expect((await call(x, 'GET', '/v1/queue/next', 'acme1')).body).toMatchObject({ item: { id: Number(item.id), accountId: 'L-1' } });
    await recallPlacement(x.s, { accountId: 'L-1', reason: 'manual', on: '2026-03-02' });
    expect((await call(x, 'GET', '/v1/queue/next', 'acme1')).body).toEqual({ item: null, call: null, skipped: [], nextAt: null });
    expect((await call(x, 'POST', `/v1/queue/items/${Number(item.id)}/wrap-up`, 'acme1', { outcome: 'no_answer' })).status).toBe(404);
    expect((await call(x, 'GET', '/v1/accounts/L-1', 'acme1')).status).toBe(404);
    expect(await x.s.db.selectFrom('gate_decisions').select('id').execute()).toEqual([]);
  });

  it('takes SMS delivery receipts with the channel\'s secret and records them on the outbox row', async () => {
    const x = await open();
    await enqueue(x.s.db, [{ idempotencyKey: 'task-1:sms', channel: 'sms', to: phone('L-3'), body: 'Please call us', accountId: 'L-3' }], { now: new Date(OPEN) });
    const [claim] = await claimBatch(x.s, { now: new Date(OPEN), limit: 1, lease: 60_000 });
    if (!claim) throw new Error('nothing claimed');
    expect(await markSent(x.s, claim, { providerId: 'gw-17' }, new Date(OPEN))).toBe(true);
    const post = (body: string, headers: Record<string, string> = { 'x-webhook-secret': SECRET }, channel = 'gw') => x.app.inject({
      method: 'POST', url: `/v1/webhooks/sms/${channel}`, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
    expect((await post('msgid=gw-17&stat=DELIVRD', {})).statusCode).toBe(401);
    expect((await post('msgid=gw-17&stat=DELIVRD', { 'x-webhook-secret': 'wrong-secret-wrong-secret' })).statusCode).toBe(401);
    expect((await post('msgid=gw-17&stat=DELIVRD', { 'x-webhook-secret': SECRET }, 'nope')).statusCode).toBe(404);
    // a bearer token is no way in
    expect((await post('msgid=gw-17&stat=DELIVRD', { authorization: `Bearer ${x.tokens.sue}` })).statusCode).toBe(401);
    // the receipt needs its fields
    const noId = await post('stat=DELIVRD');
    expect(noId.statusCode).toBe(400);
    expect(noId.json()).toEqual({ error: { field: 'msgid', rule: 'must be the message id (receipt.providerIdPath)' } });
    expect((await post('msgid=gw-99&stat=DELIVRD')).json()).toMatchObject({ error: { code: 'receipt.unknown_message' } });

    const delivered = await post('msgid=gw-17&stat=DELIVRD&err=000');
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json()).toEqual({ providerId: 'gw-17', status: 'delivered', providerStatus: 'DELIVRD', outboxIds: [claim.id], deliveryStatus: 'delivered', changed: true });
    const row = await x.s.db.selectFrom('outbox').select(['status', 'delivery_status', 'delivery_provider_status', 'delivery_updated_at']).where('id', '=', claim.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', delivery_status: 'delivered', delivery_provider_status: 'DELIVRD', delivery_updated_at: OPEN });
    // a late, older receipt (JSON this time) does not move it back
    const late = await x.app.inject({ method: 'POST', url: '/v1/webhooks/sms/gw', headers: { 'x-webhook-secret': SECRET }, payload: { msgid: 'gw-17', stat: 'ENROUTE' } });
    expect(late.json()).toMatchObject({ status: 'sent', deliveryStatus: 'delivered', changed: false });
    const audit = await x.s.db.selectFrom('audit_log').select(['kind', 'entity']).where('kind', '=', 'outbox.delivery').execute();
    expect(audit).toEqual([{ kind: 'outbox.delivery', entity: 'account:L-3' }]);
  });
});
