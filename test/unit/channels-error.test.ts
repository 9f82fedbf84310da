/** ChannelError and how SMTP failures (as nodemailer reports them) become one. */
import { describe, expect, it } from 'vitest';
import { ChannelError, isRetryable, messageIdFor, smtpError } from '../../src/channels/index.js';

function nodemailerError(message: string, props: { code?: string; responseCode?: number; permanent?: boolean }): Error {
  return Object.assign(new Error(message), props);
}

describe('ChannelError', () => {
  it('carries retryable, a code, the channel and the provider answer', () => {
    const e = new ChannelError('gateway answered 503', true, { code: 'unavailable', channel: 'sms-http', providerCode: 503, retryAfterMs: 2_000 });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ChannelError');
    expect([e.retryable, e.code, e.channel, e.providerCode, e.retryAfterMs]).toEqual([true, 'unavailable', 'sms-http', 503, 2_000]);
    expect(new ChannelError('x', false).code).toBe('permanent');
    expect(ChannelError.transient('x').retryable).toBe(true);
    expect(ChannelError.permanent('x').retryable).toBe(false);
    expect(ChannelError.transient('x', { cause: 'why' }).cause).toBe('why');
  });

  it('isRetryable: only a retryable ChannelError', () => {
    expect(isRetryable(ChannelError.transient('x'))).toBe(true);
    expect(isRetryable(ChannelError.permanent('x'))).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
    expect(isRetryable('x')).toBe(false);
  });
});

describe('SMTP failures', () => {
  const map = (message: string, props: { code?: string; responseCode?: number; permanent?: boolean }) => smtpError(nodemailerError(message, props), 'smtp');

  it('5xx replies are permanent, except 503', () => {
    expect(map('550 mailbox unavailable', { code: 'EENVELOPE', responseCode: 550 })).toMatchObject({ retryable: false, code: 'bad-address', providerCode: 550 });
    expect(map('554 transaction failed', { code: 'EMESSAGE', responseCode: 554 })).toMatchObject({ retryable: false, code: 'rejected' });
    expect(map('535 bad credentials', { code: 'EAUTH', responseCode: 535 })).toMatchObject({ retryable: false, code: 'auth' });
    expect(map('503 bad sequence', { code: 'EPROTOCOL', responseCode: 503 })).toMatchObject({ retryable: true });
  });

  it('4xx replies are retryable', () => {
    expect(map('451 try later', { code: 'EENVELOPE', responseCode: 451 })).toMatchObject({ retryable: true, code: 'rejected', providerCode: 451 });
    expect(map('421 closing', { code: 'EMESSAGE', responseCode: 421 })).toMatchObject({ retryable: true });
    expect(map('452 full', { code: 'EENVELOPE', responseCode: 452, permanent: false })).toMatchObject({ retryable: true });
  });

  it('nodemailer\'s own verdict wins when it gives one', () => {
    expect(map('550 but transient', { responseCode: 550, permanent: false }).retryable).toBe(true);
  });

  it('connection failures and timeouts are retryable', () => {
    expect(map('connect ECONNREFUSED', { code: 'ESOCKET' })).toMatchObject({ retryable: true, code: 'connection' });
    expect(map('Connection closed', { code: 'ECONNECTION' })).toMatchObject({ retryable: true, code: 'connection' });
    expect(map('getaddrinfo ENOTFOUND', { code: 'EDNS' })).toMatchObject({ retryable: true, code: 'connection' });
    expect(map('Greeting never received', { code: 'ETIMEDOUT' })).toMatchObject({ retryable: true, code: 'timeout' });
    expect(map('aborted', { code: 'EABORT' })).toMatchObject({ retryable: true, code: 'timeout' });
  });

  it('a refused envelope without a reply, or a broken message, is permanent', () => {
    expect(map('No recipients defined', { code: 'EENVELOPE' })).toMatchObject({ retryable: false, code: 'bad-address' });
    expect(map('bad message', { code: 'EMESSAGE' })).toMatchObject({ retryable: false, code: 'bad-message' });
  });

  it('anything unclassified is retryable, and a ChannelError passes through', () => {
    expect(map('mystery', {}).retryable).toBe(true);
    expect(smtpError('not even an error', 'smtp').retryable).toBe(true);
    const own = ChannelError.permanent('mine');
    expect(smtpError(own, 'smtp')).toBe(own);
  });
});

describe('Message-IDs from idempotency keys', () => {
  it('keeps a plain key readable and hashes anything else, deterministically', () => {
    expect(messageIdFor('outbox-17', 'bank.example')).toBe('<k.outbox-17@bank.example>');
    const hashed = messageIdFor('L-1 reminder <3>', 'bank.example');
    expect(hashed).toMatch(/^<h\.[0-9a-f]{40}@bank\.example>$/);
    expect(messageIdFor('L-1 reminder <3>', 'bank.example')).toBe(hashed);
    expect(messageIdFor('L-1 reminder <4>', 'bank.example')).not.toBe(hashed);
    expect(messageIdFor('x'.repeat(65), 'bank.example')).toMatch(/^<h\./);
  });
});
