/** The HTTP SMS adapter's pure parts: configuration checks, the body template, paths, receipts. */
import { describe, expect, it } from 'vitest';
import {
  parseDeliveryReceipt, renderTemplate, validateHttpSmsConfig, valueAt, httpRetryable, type HttpSmsConfig,
} from '../../src/channels/index.js';
import { ValidationError } from '../../src/core/index.js';
import { catchValidation } from '../support/errors.js';

const base: HttpSmsConfig = {
  url: 'https://sms.example/v1/messages',
  bodyTemplate: { to: '{{to}}', text: '{{body}}' },
  providerIdPath: 'id',
};

function fieldOf(over: Record<string, unknown>): string {
  return catchValidation(() => validateHttpSmsConfig({ ...base, ...over } as HttpSmsConfig)).field;
}

describe('HTTP SMS configuration', () => {
  it('accepts a minimal and a full configuration', () => {
    expect(() => validateHttpSmsConfig(base)).not.toThrow();
    expect(() =>
      validateHttpSmsConfig({
        ...base,
        method: 'PUT',
        headers: { 'X-Api-Key': 'k' },
        auth: { username: 'acme', password: 'pw' },
        bodyTemplate: '{"messages":[{"to":"{{ to }}","body":"{{body}}","from":"{{from}}","ref":"{{idempotencyKey}}","account":"{{accountId}}"}]}',
        idempotencyHeader: 'X-Request-Id',
        providerIdPath: 'messages.0.id',
        duplicatePath: 'replayed',
        statusPath: 'messages.0.status',
        statusUrl: 'https://sms.example/v1/messages/{{providerId}}',
        statusResponsePath: 'status',
        statusMap: { OK: 'delivered' },
        receipt: { providerIdPath: 'msgid', statusPath: 'stat' },
        from: 'BANK',
        timeoutMs: 2_000,
        name: 'acme-sms',
      }),
    ).not.toThrow();
  });

  it('names the field that is wrong', () => {
    expect(fieldOf({ url: 'not a url' })).toBe('url');
    expect(fieldOf({ url: 'ftp://sms.example/' })).toBe('url');
    expect(fieldOf({ method: 'GET' })).toBe('method');
    expect(fieldOf({ headers: { 'Bad Header': 'x' } })).toBe('headers.Bad Header');
    expect(fieldOf({ auth: { bearer: '' } })).toBe('auth.bearer');
    expect(fieldOf({ auth: { username: 'a:b', password: 'x' } })).toBe('auth.username');
    expect(fieldOf({ auth: { token: 'x' } })).toBe('auth');
    expect(fieldOf({ bodyTemplate: undefined })).toBe('bodyTemplate');
    expect(fieldOf({ bodyTemplate: '{"to": "{{to}}", ' })).toBe('bodyTemplate');
    expect(fieldOf({ bodyTemplate: 'plain text {{to}} {{body}}' })).toBe('bodyTemplate');
    expect(fieldOf({ bodyTemplate: { to: '{{to}}' } })).toBe('bodyTemplate');
    expect(fieldOf({ idempotencyHeader: 'bad header' })).toBe('idempotencyHeader');
    expect(fieldOf({ idempotencyHeader: false })).toBe('idempotencyHeader');
    expect(fieldOf({ providerIdPath: '' })).toBe('providerIdPath');
    expect(fieldOf({ providerIdPath: 'messages..id' })).toBe('providerIdPath');
    expect(fieldOf({ statusUrl: 'https://sms.example/status' })).toBe('statusUrl');
    expect(fieldOf({ statusMap: { DELIVRD: 'done' } })).toBe('statusMap.DELIVRD');
    expect(fieldOf({ receipt: { statusPath: 'a b' } })).toBe('receipt.statusPath');
    expect(fieldOf({ timeoutMs: -1 })).toBe('timeoutMs');
  });

  it('explains an unknown placeholder and lists the known ones', () => {
    const e = catchValidation(() => validateHttpSmsConfig({ ...base, bodyTemplate: { to: '{{to}}', text: '{{body}}', x: '{{amount}}' } }));
    expect(e.message).toContain('{{amount}}');
    expect(e.message).toContain('{{idempotencyKey}}');
    expect(e).toBeInstanceOf(ValidationError);
  });

  it('allows no idempotency header when the key is in the body', () => {
    expect(() => validateHttpSmsConfig({ ...base, idempotencyHeader: false, bodyTemplate: { to: '{{to}}', text: '{{body}}', ref: '{{idempotencyKey}}' } })).not.toThrow();
  });
});

describe('the body template', () => {
  const values = { to: '+12125550100', body: 'Line 1\n"quoted" {{to}} \\', idempotencyKey: 'k-1', from: 'BANK', accountId: 'L-1' };

  it('fills placeholders inside strings, keeps other values, and stays valid JSON', () => {
    const out = renderTemplate({ messages: [{ to: '{{to}}', text: '{{body}}', tag: 'acct {{accountId}} / {{ idempotencyKey }}', n: 1, flash: false, x: null }] }, values);
    expect(out).toEqual({ messages: [{ to: '+12125550100', text: 'Line 1\n"quoted" {{to}} \\', tag: 'acct L-1 / k-1', n: 1, flash: false, x: null }] });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('does not expand placeholders that come from the message text', () => {
    const out = renderTemplate({ text: '{{body}}' }, values) as { text: string };
    expect(out.text).toContain('{{to}}');
  });
});

describe('paths and HTTP statuses', () => {
  it('reads dotted paths through objects and arrays', () => {
    const doc = { messages: [{ id: 'm-1' }, { id: 7 }], 'a-b': { c: true } };
    expect(valueAt(doc, 'messages.0.id')).toBe('m-1');
    expect(valueAt(doc, 'messages.1.id')).toBe(7);
    expect(valueAt(doc, 'a-b.c')).toBe(true);
    expect(valueAt(doc, 'messages.2.id')).toBeUndefined();
    expect(valueAt(doc, 'messages.x')).toBeUndefined();
    expect(valueAt(undefined, 'id')).toBeUndefined();
    expect(valueAt({ id: 'x' }, 'toString')).toBeUndefined();
  });

  it('retries 408, 425, 429 and 5xx only', () => {
    expect([408, 425, 429, 500, 502, 503, 504].every(httpRetryable)).toBe(true);
    expect([400, 401, 403, 404, 409, 410, 413, 422].some(httpRetryable)).toBe(false);
  });
});

describe('delivery receipts', () => {
  const smpp: HttpSmsConfig = { ...base, receipt: { providerIdPath: 'msgid', statusPath: 'stat' } };

  it('maps SMPP states by default', () => {
    expect(parseDeliveryReceipt(smpp, { msgid: 'm-1', stat: 'DELIVRD' })).toEqual({ providerId: 'm-1', status: 'delivered', providerStatus: 'DELIVRD' });
    expect(parseDeliveryReceipt(smpp, { msgid: 'm-1', stat: 'UNDELIV' }).status).toBe('failed');
    expect(parseDeliveryReceipt(smpp, { msgid: 'm-1', stat: 'EXPIRED' }).status).toBe('failed');
    expect(parseDeliveryReceipt(smpp, { msgid: 'm-1', stat: 'REJECTD' }).status).toBe('failed');
    expect(parseDeliveryReceipt(smpp, { msgid: 'm-1', stat: 'ENROUTE' }).status).toBe('sent');
    expect(parseDeliveryReceipt(smpp, { msgid: 'm-1', stat: 'SOMETHING' })).toEqual({ providerId: 'm-1', status: 'unknown', providerStatus: 'SOMETHING' });
  });

  it('reads JSON text, form-encoded text and URLSearchParams', () => {
    expect(parseDeliveryReceipt(smpp, '{"msgid":"m-2","stat":"DELIVRD"}').providerId).toBe('m-2');
    expect(parseDeliveryReceipt(smpp, 'msgid=m-3&stat=UNDELIV&err=001')).toEqual({ providerId: 'm-3', status: 'failed', providerStatus: 'UNDELIV' });
    expect(parseDeliveryReceipt(smpp, new URLSearchParams({ msgid: 'm-4', stat: 'delivrd' })).status).toBe('delivered');
  });

  it('uses nested paths and a configured mapping on top of the defaults', () => {
    const cfg: HttpSmsConfig = { ...base, receipt: { providerIdPath: 'data.message.id', statusPath: 'data.message.state' }, statusMap: { HANDSET: 'delivered', DELIVRD: 'sent' } };
    expect(parseDeliveryReceipt(cfg, { data: { message: { id: 42, state: 'handset' } } })).toEqual({ providerId: '42', status: 'delivered', providerStatus: 'handset' });
    expect(parseDeliveryReceipt(cfg, { data: { message: { id: 42, state: 'DELIVRD' } } }).status).toBe('sent');
    expect(parseDeliveryReceipt(cfg, { data: { message: { id: 42, state: 'failed' } } }).status).toBe('failed');
  });

  it('defaults to id and status', () => {
    expect(parseDeliveryReceipt(base, { id: 'm-5', status: 'delivered' }).status).toBe('delivered');
  });

  it('names the missing path', () => {
    expect(catchValidation(() => parseDeliveryReceipt(smpp, { stat: 'DELIVRD' })).field).toBe('msgid');
    expect(catchValidation(() => parseDeliveryReceipt(smpp, { msgid: 'm-1' })).field).toBe('stat');
    expect(catchValidation(() => parseDeliveryReceipt(smpp, '{broken')).field).toBe('receipt');
  });
});
