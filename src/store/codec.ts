/**
 * Row ⇄ domain conversions. Instalments are stored as compact arrays: the cycle parses and
 * serialises millions of them, and positional arrays are about twice as fast as keyed objects.
 */
import { balances, overdueAmount, parseProduct, productToSpec } from '../ledger/index.js';
import type { Account, AccountState, Instalment, PausePeriod, Product } from '../ledger/index.js';
import type { Borrower } from '../contact/index.js';
import type { AccountsTable, AccountStateTable, BorrowersTable } from './schema.js';

type InstalmentRow = [number, string, string, number, number, number, number, number, number, number, number, number, 0 | 1];

interface StateData {
  i: InstalmentRow[];
  p: PausePeriod[];
  c: number;
  x: 0 | 1;
}

function encodeInstalment(i: Instalment): InstalmentRow {
  return [i.n, i.start, i.due, i.principal, i.interest, i.interestAccrued, i.penalty, i.fees, i.paidPrincipal, i.paidInterest, i.paidPenalty, i.paidFees, i.ldCharged ? 1 : 0];
}

function decodeInstalment(r: InstalmentRow): Instalment {
  return {
    n: r[0], start: r[1], due: r[2], principal: r[3], interest: r[4], interestAccrued: r[5], penalty: r[6], fees: r[7],
    paidPrincipal: r[8], paidInterest: r[9], paidPenalty: r[10], paidFees: r[11], ldCharged: r[12] === 1,
  };
}

export function stateToRow(accountId: string, s: AccountState): AccountStateTable {
  const b = balances(s);
  const data: StateData = { i: s.instalments.map(encodeInstalment), p: s.pauses, c: s.charged, x: s.capReached ? 1 : 0 };
  return {
    account_id: accountId,
    as_of: s.asOf,
    status: s.status,
    dpd: s.dpd,
    bucket: s.bucket,
    delinquent_since: s.delinquentSince,
    principal: b.principal,
    interest: b.interest,
    penalty: b.penalty,
    fees: b.fees,
    total: b.total,
    overdue: s.asOf ? overdueAmount(s, s.asOf) : 0,
    credit: s.credit,
    data: JSON.stringify(data),
  };
}

export function rowToState(r: Pick<AccountStateTable, 'as_of' | 'status' | 'dpd' | 'bucket' | 'delinquent_since' | 'credit' | 'data'>): AccountState {
  const data = JSON.parse(r.data) as StateData;
  return {
    asOf: r.as_of,
    status: r.status === 'closed' ? 'closed' : 'open',
    instalments: data.i.map(decodeInstalment),
    credit: r.credit,
    charged: data.c,
    capReached: data.x === 1,
    dpd: r.dpd,
    bucket: r.bucket,
    delinquentSince: r.delinquent_since,
    pauses: data.p,
  };
}

export function accountToRow(a: Account): AccountsTable {
  return { id: a.id, borrower_id: a.borrowerId, product_id: a.productId, currency: a.currency, principal: a.principal, disbursed: a.disbursed };
}

export function rowToAccount(r: AccountsTable): Account {
  return { id: r.id, borrowerId: r.borrower_id, productId: r.product_id, currency: r.currency, principal: r.principal, disbursed: r.disbursed };
}

export function borrowerToRow(b: Borrower): BorrowersTable {
  return { id: b.id, name: b.name, timezone: b.timezone, data: JSON.stringify({ phones: b.phones, emails: b.emails, addresses: b.addresses }) };
}

export function rowToBorrower(r: BorrowersTable): Borrower {
  const d = JSON.parse(r.data) as Pick<Borrower, 'phones' | 'emails' | 'addresses'>;
  return { id: r.id, name: r.name, timezone: r.timezone, ...d };
}

export function productToRow(p: Product): { id: string; spec: string } {
  return { id: p.id, spec: JSON.stringify(productToSpec(p)) };
}

export function rowToProduct(r: { id: string; spec: string }): Product {
  return parseProduct(r.id, JSON.parse(r.spec), `products.${r.id}.`);
}
