/**
 * The validation notice built from the store (hand-computed itemisation of a known loan), recorded
 * with its audit entry, and the list of debts whose notice is overdue — on both databases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseProduct } from '../../src/ledger/index.js';
import { validationNotice } from '../../src/compliance/index.js';
import { addPause, insertLoans, recordAttempts, recordPayments } from '../../src/store/repo.js';
import { runCycle } from '../../src/cycle/index.js';
import { verifyAudit } from '../../src/store/audit.js';
import { buildValidationNoticeInput, mailingLines, noticesDue, recordValidationNotice } from '../../src/store/notices.js';
import { DomainError } from '../../src/core/index.js';
import type { Store } from '../../src/store/db.js';
import { BACKENDS } from '../support/stores.js';

/**
 * $1,200.00 bullet loan over two months at 12% (30/360): $12.00 interest per period, due 02-01 and
 * 03-01. Penalty 0.05% a day on overdue principal (60 cents a day on $1,200), a $25.00 fixed
 * liquidated-damages charge on the first day past due, no grace.
 */
const bullet = parseProduct('B2', {
  method: 'bullet', annualRate: 0.12, termMonths: 2, dayCount: '30/360', graceDays: 0,
  penalty: { dailyRate: 0.0005, base: 'overdue-principal' }, liquidatedDamages: { fixed: 2500 },
});

function loan(id: string) {
  return {
    account: { id, borrowerId: `B-${id}`, productId: 'B2', currency: 'USD', principal: 120_000, disbursed: '2026-01-01' },
    product: bullet,
    borrower: {
      id: `B-${id}`, name: 'Ann Lee', timezone: 'America/New_York', phones: ['+12125550100'], emails: [],
      addresses: [{ kind: 'residential' as const, line: '12 Main St, Springfield, IL 62701', country: 'US' }],
    },
  };
}

const CREDITOR = 'Example Bank, N.A.';

describe('mailing lines', () => {
  it('prefers a mailing address and splits it after the street', () => {
    expect(mailingLines([
      { kind: 'residential', line: '1 Home Rd, Town' },
      { kind: 'mailing', line: 'PO Box 9, Springfield, IL 62701' },
    ])).toEqual(['PO Box 9', 'Springfield, IL 62701']);
    expect(mailingLines([])).toEqual([]);
  });
});

describe.each(BACKENDS)('validation notices on $name', (backend) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function setUp(): Promise<Store> {
    const s = await backend.open();
    store = s;
    await insertLoans(s.db, [loan('L-1'), loan('L-2'), loan('L-3'), loan('L-4')]);
    // the first period's interest, paid on its due date
    await recordPayments(s.db, [{ key: 'p1', accountId: 'L-1', date: '2026-02-01', amount: 1_200 }]);
    await runCycle(s, '2026-03-10');
    return s;
  }

  it('itemises from the last payment date by default (hand-computed)', async () => {
    const s = await setUp();
    const b = await buildValidationNoticeInput(s.db, 'L-1', { sentOn: '2026-03-11', creditor: CREDITOR });
    expect(b.amountsAsOf).toBe('2026-03-10');
    expect(b.reusedFrom).toBeNull();
    // 02-01 after the payment: $1,200 principal, the second period not started.
    // Since: $12.00 interest (02-01 → 03-01) + 9 days × 60¢ penalty (03-02 … 03-10); $25.00 LD on 03-02.
    expect(b.input).toMatchObject({
      sentOn: '2026-03-11', itemizationDate: '2026-02-01', itemizationReference: 'last-payment',
      amountAtItemization: 120_000, interestSince: 1_200 + 540, feesSince: 2_500, paymentsSince: 0, creditsSince: 0,
      currentAmount: 124_240, currency: 'USD', creditor: CREDITOR, accountNumber: 'L-1',
      consumer: { name: 'Ann Lee', address: ['12 Main St', 'Springfield, IL 62701'] },
    });
    const stored = await s.db.selectFrom('account_state').select('total').where('account_id', '=', 'L-1').executeTakeFirstOrThrow();
    expect(stored.total).toBe(124_240);
    const n = validationNotice(b.input);
    // Wed 03-11 sent: Thu, Fri, Mon, Tue, Wed → received 03-18; + 30 days
    expect([n.assumedReceipt, n.validationPeriodEnds]).toEqual(['2026-03-18', '2026-04-17']);
  });

  it('itemises from the disbursement (transaction date) with payments since', async () => {
    const s = await setUp();
    const b = await buildValidationNoticeInput(s.db, 'L-1', { sentOn: '2026-03-11', creditor: CREDITOR, reference: 'transaction' });
    expect(b.input).toMatchObject({
      itemizationDate: '2026-01-01', itemizationReference: 'transaction',
      amountAtItemization: 120_000, interestSince: 1_200 + 1_200 + 540, feesSince: 2_500, paymentsSince: 1_200, currentAmount: 124_240,
    });
    // an account without payments has no last payment date: the transaction date is the default
    const none = await buildValidationNoticeInput(s.db, 'L-2', { sentOn: '2026-03-11', creditor: CREDITOR });
    // unpaid, it also owes the first period's $12.00 and that instalment's $25.00 LD (02-02); its principal is 0, so no penalty
    expect(none.input).toMatchObject({
      itemizationDate: '2026-01-01', itemizationReference: 'transaction', amountAtItemization: 120_000,
      interestSince: 1_200 + 1_200 + 540, feesSince: 2_500 + 2_500, paymentsSince: 0, currentAmount: 127_940,
    });
  });

  it('takes the amounts at the sending date when the ledger is closed beyond it', async () => {
    const s = await setUp();
    const b = await buildValidationNoticeInput(s.db, 'L-1', { sentOn: '2026-03-05', creditor: CREDITOR });
    expect(b.amountsAsOf).toBe('2026-03-05');
    // penalty 03-02 … 03-05: 4 days
    expect(b.input).toMatchObject({ interestSince: 1_200 + 240, feesSince: 2_500, currentAmount: 120_000 + 1_440 + 2_500 });
  });

  it('records the notice with its audit entry once, and reuses its itemisation date later', async () => {
    const s = await setUp();
    const b = await buildValidationNoticeInput(s.db, 'L-1', { sentOn: '2026-03-11', creditor: CREDITOR });
    const notice = validationNotice(b.input);
    const hash = 'ab'.repeat(32);
    const rec = await recordValidationNotice(s, { debtId: 'L-1', notice, fileHash: hash, at: '2026-03-11T09:00:00.000Z', actor: 'test' });
    expect(rec.duplicate).toBe(false);
    expect(await recordValidationNotice(s, { debtId: 'L-1', notice, fileHash: hash, at: '2026-03-11T09:05:00.000Z', actor: 'test' })).toEqual({ id: rec.id, duplicate: true });
    const rows = await s.db.selectFrom('validation_notices').selectAll().execute();
    expect(rows).toEqual([{
      id: rec.id, debt_id: 'L-1', sent_on: '2026-03-11', assumed_receipt: '2026-03-18', validation_period_ends: '2026-04-17',
      itemization_date: '2026-02-01', itemization_reference: 'last-payment', current_amount: 124_240, currency: 'USD',
      file_hash: hash, recorded_at: '2026-03-11T09:00:00.000Z',
    }]);
    const audit = await s.db.selectFrom('audit_log').selectAll().where('kind', '=', 'notice.validation').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'test', kind: 'notice.validation', entity: 'account:L-1' });
    expect(JSON.parse(audit[0]?.data ?? '{}')).toMatchObject({ notice: rec.id, validationPeriodEnds: '2026-04-17', sha256: hash, currentAmount: 124_240 });
    expect((await verifyAudit(s.db)).ok).toBe(true);

    // a later payment: the next notice keeps the itemisation date of the first (1006.34(b)(3) consistency)
    await recordPayments(s.db, [{ key: 'p2', accountId: 'L-1', date: '2026-03-12', amount: 20_000 }]);
    await runCycle(s, '2026-03-15');
    const later = await buildValidationNoticeInput(s.db, 'L-1', { sentOn: '2026-03-16', creditor: CREDITOR });
    expect(later.reusedFrom).toBe(rec.id);
    // 03-12: the $200 pays $25 LD, $6.00 penalty (03-02 … 03-11), $12 interest, $157 principal → $1,043 left;
    // penalty 03-12 … 03-15 on $1,043: 52.15 → 52¢ a day, 4 days
    expect(later.input).toMatchObject({
      itemizationDate: '2026-02-01', itemizationReference: 'last-payment',
      amountAtItemization: 120_000, interestSince: 1_200 + 600 + 208, feesSince: 2_500, paymentsSince: 20_000, currentAmount: 104_508,
    });
    expect(validationNotice(later.input).currentAmount).toBe(104_508);
  });

  it('refuses when the replayed ledger does not reproduce the stored state', async () => {
    const s = await setUp();
    // a pause recorded after the days it covers: the replay would skip penalty and LD the cycle charged
    await addPause(s.db, 'L-1', { from: '2026-03-02', until: '2026-03-05', reason: 'dispute' });
    const e = await buildValidationNoticeInput(s.db, 'L-1', { sentOn: '2026-03-11', creditor: CREDITOR }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('notice.ledger');
    await expect(buildValidationNoticeInput(s.db, 'L-9', { sentOn: '2026-03-11', creditor: CREDITOR })).rejects.toThrow('unknown account L-9');
  });

  it('lists debts first communicated with more than 5 days ago and without a notice', async () => {
    const s = await setUp();
    // L-1: attempt on 03-01 (a busy signal still counts: conservative) → due by 03-06
    // L-2: allowed gate decision 2026-03-06T02:00Z = 03-05 21:00 in New York → due by 03-10; a blocked one earlier does not count
    // L-3: only a reference (third party) was called → not a communication with the consumer
    // L-4: contacted 03-01 but a notice was sent 03-02
    await recordAttempts(s.db, [
      { accountId: 'L-1', date: '2026-03-01', time: '10:00', party: 'borrower', channel: 'call', outcome: 'busy', promise: null },
      { accountId: 'L-1', date: '2026-03-03', time: '10:00', party: 'borrower', channel: 'sms', outcome: 'busy', promise: null },
      { accountId: 'L-3', date: '2026-03-01', time: '10:00', party: 'reference', channel: 'call', outcome: 'conversation', promise: null },
      { accountId: 'L-4', date: '2026-03-01', time: '10:00', party: 'borrower', channel: 'call', outcome: 'conversation', promise: null },
    ]);
    const decision = (debt: string, at: string, allowed: number) => ({
      debt_id: debt, party_id: `B-${debt}`, party_kind: 'borrower', contact_point: '+12125550100', channel: 'call', purpose: 'collect',
      at, allowed, rule: null, reason: allowed ? 'allowed' : 'blocked', next_allowed_at: null, checked: '[]', outcome: null,
    });
    await s.db.insertInto('gate_decisions').values([decision('L-2', '2026-03-01T15:00:00.000Z', 0), decision('L-2', '2026-03-06T02:00:00.000Z', 1)]).execute();
    const n4 = validationNotice((await buildValidationNoticeInput(s.db, 'L-4', { sentOn: '2026-03-02', creditor: CREDITOR })).input);
    await recordValidationNotice(s, { debtId: 'L-4', notice: n4, fileHash: 'cd'.repeat(32), at: '2026-03-02T12:00:00.000Z', actor: 'test' });

    expect(await noticesDue(s.db, '2026-03-06')).toEqual([]);
    expect(await noticesDue(s.db, '2026-03-10')).toEqual([
      { accountId: 'L-1', firstContact: '2026-03-01', source: 'attempt', dueBy: '2026-03-06', daysLate: 4 },
    ]);
    expect(await noticesDue(s.db, '2026-03-11')).toEqual([
      { accountId: 'L-1', firstContact: '2026-03-01', source: 'attempt', dueBy: '2026-03-06', daysLate: 5 },
      { accountId: 'L-2', firstContact: '2026-03-05', source: 'gate', dueBy: '2026-03-10', daysLate: 1 },
    ]);
    // as of a day before L-4's notice was sent, L-4 had none yet — but it was not yet late either
    expect((await noticesDue(s.db, '2026-03-01')).map((d) => d.accountId)).toEqual([]);
  });
});
