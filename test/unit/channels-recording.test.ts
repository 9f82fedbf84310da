import { describe, expect, it } from 'vitest';
import { ChannelError, recordingChannel, type Channel, type OutboundMessage } from '../../src/channels/index.js';
import { rejection } from '../support/errors.js';

function message(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return { idempotencyKey: 'k-1', channel: 'sms', to: '+12125550100', body: 'Your payment is overdue.', accountId: 'L-1', ...over };
}

function sendError(p: Promise<unknown>): Promise<ChannelError> {
  return rejection(p, ChannelError);
}

describe('recording channel', () => {
  it('is a Channel that keeps what it sent, in order, with deterministic ids', async () => {
    const ch: Channel = recordingChannel();
    expect(ch.name).toBe('recording');
    const a = await ch.send(message({ idempotencyKey: 'a' }));
    const b = await ch.send(message({ idempotencyKey: 'b', channel: 'email', to: 'ann@example.com', subject: 'Overdue' }));
    expect(a).toEqual({ providerId: 'rec-000001', status: 'sent', duplicate: false });
    expect(b).toEqual({ providerId: 'rec-000002', status: 'sent', duplicate: false });

    const rec = recordingChannel({ idPrefix: 'demo-' });
    await rec.send(message({ idempotencyKey: 'x' }));
    await rec.send(message({ idempotencyKey: 'y', body: 'second' }));
    expect(rec.messages()).toEqual([
      { ...message({ idempotencyKey: 'x' }), providerId: 'demo-000001', status: 'sent', seq: 1 },
      { ...message({ idempotencyKey: 'y', body: 'second' }), providerId: 'demo-000002', status: 'sent', seq: 2 },
    ]);
  });

  it('is idempotent by key: a repeat returns the first id, duplicate, and records nothing', async () => {
    const rec = recordingChannel();
    const first = await rec.send(message({ idempotencyKey: 'same' }));
    const again = await rec.send(message({ idempotencyKey: 'same', body: 'changed' }));
    expect(again).toEqual({ providerId: first.providerId, status: 'sent', duplicate: true });
    expect(rec.messages()).toHaveLength(1);
    expect(rec.messages()[0]?.body).toBe('Your payment is overdue.');
    expect(rec.byKey('same')?.providerId).toBe(first.providerId);
    expect(rec.byKey('other')).toBeUndefined();
  });

  it('gives the same ids for the same sends, every run', async () => {
    const run = async (): Promise<string[]> => {
      const rec = recordingChannel();
      const ids: string[] = [];
      for (const k of ['p', 'q', 'p', 'r']) ids.push((await rec.send(message({ idempotencyKey: k }))).providerId);
      return ids;
    };
    expect(await run()).toEqual(['rec-000001', 'rec-000002', 'rec-000001', 'rec-000003']);
    expect(await run()).toEqual(await run());
  });

  it('plays delivery receipts and answers status', async () => {
    const rec = recordingChannel();
    const r = await rec.send(message());
    expect(await rec.status(r.providerId)).toBe('sent');
    rec.setStatus(r.providerId, 'delivered');
    expect(await rec.status(r.providerId)).toBe('delivered');
    expect(rec.messages()[0]?.status).toBe('delivered');
    expect(await rec.status('rec-999999')).toBe('unknown');
    expect(() => rec.setStatus('rec-999999', 'failed')).toThrow(/rec-999999/);
  });

  it('hands out copies: changing what messages() returned changes nothing', async () => {
    const rec = recordingChannel();
    await rec.send(message());
    const got = rec.messages() as unknown as { body: string }[];
    got[0]!.body = 'tampered';
    expect(rec.messages()[0]?.body).toBe('Your payment is overdue.');
  });

  it('scripts failures: a transient failure then success, nothing recorded for the failure', async () => {
    const rec = recordingChannel({ fail: (_m, attempt) => (attempt === 1 ? ChannelError.transient('gateway down', { code: 'connection' }) : null) });
    const e = await sendError(rec.send(message({ idempotencyKey: 'flaky' })));
    expect([e.retryable, e.code]).toEqual([true, 'connection']);
    expect(rec.messages()).toEqual([]);
    const r = await rec.send(message({ idempotencyKey: 'flaky' }));
    expect(r).toEqual({ providerId: 'rec-000001', status: 'sent', duplicate: false });
  });

  it('refuses kinds it was not given, empty keys and empty addresses (permanent)', async () => {
    const sms = recordingChannel({ kinds: ['sms'], name: 'sms-demo' });
    const wrong = await sendError(sms.send(message({ channel: 'email', to: 'a@b.example' })));
    expect([wrong.retryable, wrong.code, wrong.channel]).toEqual([false, 'wrong-channel', 'sms-demo']);
    const noKey = await sendError(sms.send(message({ idempotencyKey: ' ' })));
    expect([noKey.retryable, noKey.code]).toEqual([false, 'bad-message']);
    const noTo = await sendError(sms.send(message({ to: '' })));
    expect([noTo.retryable, noTo.code]).toEqual([false, 'bad-address']);
    expect(sms.messages()).toEqual([]);
  });
});
