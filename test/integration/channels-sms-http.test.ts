/**
 * The HTTP SMS channel against a gateway stub started here (node:http on a free port). The stub
 * honours the Idempotency-Key header (a repeat gets the first id and `Idempotent-Replayed: true`),
 * fails on command (a body containing FAIL500, FAIL429, FAIL400, SLOW), answers status queries,
 * and posts SMPP-style delivery receipts to a webhook the test runs, which reads them with
 * parseDeliveryReceipt.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelError, httpSmsChannel, parseDeliveryReceipt, type DeliveryReceipt, type HttpSmsConfig, type OutboundMessage,
} from '../../src/channels/index.js';
import { rejection } from '../support/errors.js';

interface GatewayRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const TOKEN = 'test-token';
const requests: GatewayRequest[] = [];
const receipts: DeliveryReceipt[] = [];
const waiting = new Map<string, (r: DeliveryReceipt) => void>();
const byKey = new Map<string, string>();
const statusOf = new Map<string, string>();
let nextId = 1;
let gateway: http.Server;
let webhook: http.Server;
let gatewayUrl = '';
let webhookUrl = '';

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function handleGateway(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const text = await readBody(req);
  const path = req.url ?? '/';
  const body: unknown = text ? JSON.parse(text) : undefined;
  requests.push({ method: req.method ?? '', path, headers: req.headers, body });
  const auth = req.headers.authorization;
  if (auth !== `Bearer ${TOKEN}` && auth !== `Basic ${Buffer.from('acme:pw').toString('base64')}`) return json(res, 401, { error: 'unauthorised' });

  const status = /^\/v1\/messages\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && status) {
    const id = decodeURIComponent(status[1] ?? '');
    const word = statusOf.get(id);
    return word === undefined ? json(res, 404, { error: 'no such message' }) : json(res, 200, { message: { id, state: word } });
  }
  if (req.method !== 'POST' || path !== '/v1/messages' || !isRecord(body)) return json(res, 404, { error: 'not found' });

  const sms = body.sms;
  const textOf = isRecord(sms) && typeof sms.text === 'string' ? sms.text : '';
  if (textOf.includes('FAIL500')) return json(res, 500, { error: 'internal error' }, { 'retry-after': '3' });
  if (textOf.includes('FAIL429')) return json(res, 429, { error: 'slow down' });
  if (textOf.includes('FAIL400')) return json(res, 400, { error: 'invalid destination' });
  if (textOf.includes('SLOW')) {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    if (res.destroyed) return;
  }
  if (textOf.includes('NOID')) return json(res, 200, { ok: true });

  const key = req.headers['idempotency-key'];
  const seen = typeof key === 'string' ? byKey.get(key) : undefined;
  if (seen !== undefined) return json(res, 200, { messages: [{ id: seen, state: statusOf.get(seen) }] }, { 'idempotent-replayed': 'true' });
  const id = `gw-${nextId++}`;
  if (typeof key === 'string') byKey.set(key, id);
  statusOf.set(id, 'ENROUTE');
  json(res, 201, { messages: [{ id, state: 'ENROUTE' }] });

  const callback = body.callback;
  if (typeof callback === 'string' && callback !== '') {
    const final = textOf.includes('UNDELIVERABLE') ? 'UNDELIV' : 'DELIVRD';
    setTimeout(() => {
      statusOf.set(id, final);
      void fetch(callback, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ msgid: id, stat: final, err: final === 'DELIVRD' ? '000' : '001' }).toString(),
      }).catch(() => undefined);
    }, 20);
  }
}

function start(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): Promise<[http.Server, string]> {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((e: unknown) => json(res, 599, { error: String(e) }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve([server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`])));
}

function config(over: Partial<HttpSmsConfig> = {}): HttpSmsConfig {
  return {
    url: `${gatewayUrl}/v1/messages`,
    auth: { bearer: TOKEN },
    bodyTemplate: { sms: { to: '{{to}}', text: '{{body}}', sender: '{{from}}' }, reference: '{{idempotencyKey}}', callback: `${webhookUrl}/dlr` },
    providerIdPath: 'messages.0.id',
    statusPath: 'messages.0.state',
    statusUrl: `${gatewayUrl}/v1/messages/{{providerId}}`,
    statusResponsePath: 'message.state',
    receipt: { providerIdPath: 'msgid', statusPath: 'stat' },
    from: 'BANK',
    timeoutMs: 5_000,
    ...over,
  };
}

/** The receipt the webhook got (or will get) for a message. */
function receiptFor(providerId: string): Promise<DeliveryReceipt> {
  const got = receipts.find((r) => r.providerId === providerId);
  return got ? Promise.resolve(got) : new Promise((resolve) => waiting.set(providerId, resolve));
}

beforeAll(async () => {
  [gateway, gatewayUrl] = await start(handleGateway);
  [webhook, webhookUrl] = await start(async (req, res) => {
    const r = parseDeliveryReceipt(config(), await readBody(req));
    receipts.push(r);
    res.writeHead(204).end();
    waiting.get(r.providerId)?.(r);
  });
});

afterAll(async () => {
  for (const s of [gateway, webhook]) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

function message(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return { idempotencyKey: 'sms-1', channel: 'sms', to: '+12125550100', body: 'Your payment of $12.00 is overdue. Call 800-555-0100.', accountId: 'L-1', ...over };
}

function sendError(p: Promise<unknown>): Promise<ChannelError> {
  return rejection(p, ChannelError);
}

describe('SMS over an HTTP gateway', () => {
  it('posts the rendered template with auth and the idempotency header, and reads the id from the response', async () => {
    const ch = httpSmsChannel(config());
    const r = await ch.send(message({ idempotencyKey: 'k-first', body: 'He said "pay" \\ now' }));
    expect(r).toEqual({ providerId: expect.stringMatching(/^gw-\d+$/), status: 'sent', duplicate: false });
    const req = requests.at(-1)!;
    expect(req.headers['idempotency-key']).toBe('k-first');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({ sms: { to: '+12125550100', text: 'He said "pay" \\ now', sender: 'BANK' }, reference: 'k-first', callback: `${webhookUrl}/dlr` });

    // the gateway posts a delivery receipt; the webhook reads it
    expect(await receiptFor(r.providerId)).toEqual({ providerId: r.providerId, status: 'delivered', providerStatus: 'DELIVRD' });
    expect(await ch.status(r.providerId)).toBe('delivered');
  });

  it('a repeated idempotency key gets the same id and duplicate: true; nothing new is sent', async () => {
    const ch = httpSmsChannel(config());
    const first = await ch.send(message({ idempotencyKey: 'k-repeat' }));
    const sentBefore = byKey.size;
    const again = await ch.send(message({ idempotencyKey: 'k-repeat' }));
    expect(again.providerId).toBe(first.providerId);
    expect(again.duplicate).toBe(true);
    expect(byKey.size).toBe(sentBefore);
    const other = await ch.send(message({ idempotencyKey: 'k-other' }));
    expect(other.providerId).not.toBe(first.providerId);
    expect(other.duplicate).toBe(false);
  });

  it('a custom idempotency header and basic auth', async () => {
    const ch = httpSmsChannel(config({ auth: { username: 'acme', password: 'pw' }, idempotencyHeader: 'X-Request-Id' }));
    await ch.send(message({ idempotencyKey: 'k-custom' }));
    const req = requests.at(-1)!;
    expect(req.headers['x-request-id']).toBe('k-custom');
    expect(req.headers['idempotency-key']).toBeUndefined();
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('acme:pw').toString('base64')}`);
  });

  it('an undeliverable message: the receipt and the status query say failed', async () => {
    const ch = httpSmsChannel(config());
    const r = await ch.send(message({ idempotencyKey: 'k-undeliverable', body: 'UNDELIVERABLE test' }));
    expect(await receiptFor(r.providerId)).toEqual({ providerId: r.providerId, status: 'failed', providerStatus: 'UNDELIV' });
    expect(await ch.status(r.providerId)).toBe('failed');
    expect(await ch.status('gw-does-not-exist')).toBe('unknown');
  });

  it('a 500 is retryable and carries Retry-After', async () => {
    const e = await sendError(httpSmsChannel(config()).send(message({ idempotencyKey: 'k-500', body: 'FAIL500' })));
    expect(e.retryable).toBe(true);
    expect(e.providerCode).toBe(500);
    expect(e.retryAfterMs).toBe(3_000);
    expect(e.message).toContain('internal error');
  });

  it('a 429 is retryable', async () => {
    const e = await sendError(httpSmsChannel(config()).send(message({ idempotencyKey: 'k-429', body: 'FAIL429' })));
    expect([e.retryable, e.providerCode]).toEqual([true, 429]);
  });

  it('a 400 is permanent', async () => {
    const e = await sendError(httpSmsChannel(config()).send(message({ idempotencyKey: 'k-400', body: 'FAIL400' })));
    expect([e.retryable, e.providerCode, e.code]).toEqual([false, 400, 'rejected']);
    expect(e.message).toContain('invalid destination');
  });

  it('a wrong token (401) is permanent', async () => {
    const e = await sendError(httpSmsChannel(config({ auth: { bearer: 'wrong' } })).send(message({ idempotencyKey: 'k-401' })));
    expect([e.retryable, e.providerCode, e.code]).toEqual([false, 401, 'auth']);
  });

  it('a gateway slower than the timeout is retryable', async () => {
    // the stub answers after 1.5 s; the adapter gives up at 0.3 s
    const e = await sendError(httpSmsChannel(config({ timeoutMs: 300 })).send(message({ idempotencyKey: 'k-slow', body: 'SLOW' })));
    expect([e.retryable, e.code]).toEqual([true, 'timeout']);
    expect(e.message).toContain('300 ms');
  });

  it('a refused connection is retryable', async () => {
    const [closed, url] = await start(async () => undefined);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const e = await sendError(httpSmsChannel(config({ url: `${url}/v1/messages` })).send(message({ idempotencyKey: 'k-refused' })));
    expect([e.retryable, e.code]).toEqual([true, 'connection']);
    expect(e.message).toMatch(/ECONNREFUSED|connect/);
  });

  it('a 2xx without an id at providerIdPath is permanent and names the path', async () => {
    const e = await sendError(httpSmsChannel(config()).send(message({ idempotencyKey: 'k-noid', body: 'NOID' })));
    expect([e.retryable, e.code]).toEqual([false, 'bad-response']);
    expect(e.message).toContain('messages.0.id');
  });

  it('refuses a number that is not E.164 and an e-mail message without calling the gateway', async () => {
    const before = requests.length;
    const ch = httpSmsChannel(config());
    const bad = await sendError(ch.send(message({ idempotencyKey: 'k-bad', to: '212-555-0100' })));
    expect([bad.retryable, bad.code]).toEqual([false, 'bad-address']);
    const mail = await sendError(ch.send(message({ idempotencyKey: 'k-mail', channel: 'email', to: 'a@b.example' })));
    expect([mail.retryable, mail.code]).toEqual([false, 'wrong-channel']);
    expect(requests).toHaveLength(before);
  });
});
