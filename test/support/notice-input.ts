import type { ValidationNoticeInput } from '../../src/compliance/index.js';

/**
 * A validation notice's input used across tests: sent Friday 2026-11-20 (receipt assumed Mon 30,
 * Thanksgiving skipped; dispute by 2026-12-30), $2,234.56 at itemisation, then +75.00 interest,
 * +25.00 fees, −50.00 payments, −10.00 credits.
 */
export const NOTICE_INPUT: ValidationNoticeInput = {
  sentOn: '2026-11-20',
  itemizationDate: '2026-06-30',
  itemizationReference: 'last-statement',
  amountAtItemization: 223_456,
  interestSince: 7_500,
  feesSince: 2_500,
  paymentsSince: 5_000,
  creditsSince: 1_000,
  currency: 'USD',
  creditor: 'Example Bank, N.A.',
  accountNumber: '4111 2222 3333 5678',
  consumer: { name: 'Jane Doe', address: ['1 Main St', 'Springfield, IL 62701'] },
};
