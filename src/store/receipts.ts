/**
 * SMS delivery receipts against the outbox (migration 016, docs/http-api.md#sms-delivery-receipts).
 * The gateway reports what became of a message it took (`sent` by the outbox); the receipt's
 * status is kept on the outbox row as its *delivery* status, beside the row's sending `status`
 * (which stays `sent`: a message the handset never got is not resent automatically — that would
 * be a new contact attempt, the gate's business).
 *
 * Receipts arrive late, twice, and out of order, so a status only moves forward:
 * unknown < queued < sent < delivered | failed. The first final status (delivered or failed)
 * stands; a repeat or an older status changes nothing. Every change is an audit entry
 * (`outbox.delivery`).
 */
import { ValidationError } from '../core/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../channels/channel.js';
import type { DeliveryReceipt } from '../channels/sms-http.js';
import { atomically, audit, changeOptions, type ChangeOptions } from './audit.js';
import type { Db } from './repo.js';

const RANK: Readonly<Record<DeliveryStatus, number>> = { unknown: 0, queued: 1, sent: 2, delivered: 3, failed: 3 };

/** Whether a receipt with status `next` moves a message whose delivery status is `now` (null: none yet). */
export function advancesDelivery(now: DeliveryStatus | null, next: DeliveryStatus): boolean {
  if (now === null) return true;
  return RANK[next] > RANK[now];
}

export interface ReceiptResult {
  /** the outbox rows the provider id names (normally one) */
  outboxIds: number[];
  /** the delivery status now recorded */
  deliveryStatus: DeliveryStatus | null;
  /** false: a repeat, or older than what is recorded */
  changed: boolean;
}

/**
 * Records a parsed delivery receipt (`parseDeliveryReceipt`) on the SMS outbox rows with its
 * provider id, in one transaction with its audit entry. Null when no SMS in the outbox has that id.
 */
export async function recordDeliveryReceipt(db: Db, channel: string, r: DeliveryReceipt, o: ChangeOptions = {}): Promise<ReceiptResult | null> {
  if (!(DELIVERY_STATUSES as readonly string[]).includes(r.status)) throw new ValidationError('status', `must be one of ${DELIVERY_STATUSES.join(', ')}`);
  if (typeof r.providerId !== 'string' || r.providerId === '') throw new ValidationError('providerId', 'is required');
  const { actor, now } = changeOptions(o);
  return atomically(db, async (tx) => {
    const rows = await tx.selectFrom('outbox').select(['id', 'delivery_status', 'account_id', 'idempotency_key'])
      .where('provider_id', '=', r.providerId).where('channel', '=', 'sms').orderBy('id').execute();
    if (rows.length === 0) return null;
    let changed = false;
    let status: DeliveryStatus | null = null;
    for (const row of rows) {
      const current = (row.delivery_status ?? null) as DeliveryStatus | null;
      if (!advancesDelivery(current, r.status)) {
        status = current;
        continue;
      }
      const u = await tx.updateTable('outbox').set({ delivery_status: r.status, delivery_provider_status: r.providerStatus, delivery_updated_at: now })
        .where('id', '=', row.id).where((eb) => (current === null ? eb('delivery_status', 'is', null) : eb('delivery_status', '=', current))).executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) continue;
      changed = true;
      status = r.status;
      await audit(tx, 'outbox.delivery', row.account_id !== null ? `account:${row.account_id}` : `message:${row.idempotency_key}`, {
        id: Number(row.id), key: row.idempotency_key, channel, providerId: r.providerId, from: current, to: r.status, providerStatus: r.providerStatus,
      }, actor, now);
    }
    return { outboxIds: rows.map((x) => Number(x.id)), deliveryStatus: status, changed };
  });
}
