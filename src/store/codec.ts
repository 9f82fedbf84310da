/**
 * Row ⇄ domain conversions. Instalments are stored as compact arrays: the cycle parses and
 * serialises millions of them, and positional arrays are about twice as fast as keyed objects.
 */
import { balances, overdueAmount, parseProduct, productToSpec } from '../ledger/index.js';
import type { Account, AccountState, Instalment, Product } from '../ledger/index.js';
import { fromEpochDay, toEpochDay } from '../core/index.js';
import type { Borrower, BorrowerInput } from '../contact/index.js';
import type { AccountsTable, AccountStateTable, BorrowersTable } from './schema.js';

/**
 * The instalments, cost-cap state and format version as a little-endian Float64 blob:
 * `[version, count, charged, capReached, …count × 13 instalment fields]`, dates as epoch days.
 * Every value is an integer well inside 2^53, so doubles hold it exactly. The cycle decodes and
 * encodes a million of these per business date; a typed array costs a copy, JSON.parse and
 * stringify cost ~13 µs per account (measured, see bench/README.md).
 */
export const STATE_FORMAT = 1;
const HEAD = 4;
const FIELDS = 13;

/** epoch day → YYYY-MM-DD, memoised: accounts share a few thousand distinct dates. */
const dateMemo = new Map<number, string>();
function dateOf(day: number): string {
  let d = dateMemo.get(day);
  if (d === undefined) {
    d = fromEpochDay(day);
    if (dateMemo.size < 200_000) dateMemo.set(day, d);
  }
  return d;
}

/**
 * Bump allocator for state blobs: one ArrayBuffer per ~1 MB of states instead of one per account.
 * Allocating a small ArrayBuffer per account costs more than encoding it (measured ~3 µs); views
 * into a shared chunk cost nothing. Blobs are whole doubles, so every view stays 8-byte aligned.
 */
export class BlobArena {
  private chunk = new Float64Array(0);
  private at = 0;
  /** @param chunkDoubles doubles per chunk; 0 = exactly what each blob needs */
  constructor(private readonly chunkDoubles = 1 << 17) {}
  /** room for `doubles` values: the chunk and the index where they start */
  take(doubles: number): [Float64Array, number] {
    if (this.at + doubles > this.chunk.length) {
      this.chunk = new Float64Array(Math.max(doubles, this.chunkDoubles));
      this.at = 0;
    }
    const start = this.at;
    this.at += doubles;
    return [this.chunk, start];
  }
}

export function encodeState(s: AccountState, arena: BlobArena = new BlobArena(0)): Buffer {
  const n = s.instalments.length;
  const len = HEAD + n * FIELDS;
  const [f, start] = arena.take(len);
  f[start] = STATE_FORMAT;
  f[start + 1] = n;
  f[start + 2] = s.charged;
  f[start + 3] = s.capReached ? 1 : 0;
  let o = start + HEAD;
  for (const i of s.instalments) {
    f[o] = i.n;
    f[o + 1] = toEpochDay(i.start);
    f[o + 2] = toEpochDay(i.due);
    f[o + 3] = i.principal;
    f[o + 4] = i.interest;
    f[o + 5] = i.interestAccrued;
    f[o + 6] = i.penalty;
    f[o + 7] = i.fees;
    f[o + 8] = i.paidPrincipal;
    f[o + 9] = i.paidInterest;
    f[o + 10] = i.paidPenalty;
    f[o + 11] = i.paidFees;
    f[o + 12] = i.ldCharged ? 1 : 0;
    o += FIELDS;
  }
  return Buffer.from(f.buffer, f.byteOffset + start * 8, len * 8);
}

interface DecodedBlob {
  instalments: Instalment[];
  charged: number;
  capReached: boolean;
}

/** Reused for blobs the driver hands over at an odd byte offset (a copy, not an allocation). */
let scratch = new Float64Array(1024);

function doublesOf(b: Uint8Array): Float64Array {
  const len = b.byteLength / 8;
  if (b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, len);
  if (scratch.length < len) scratch = new Float64Array(len * 2);
  new Uint8Array(scratch.buffer, 0, b.byteLength).set(b);
  return scratch;
}

export function decodeState(data: Uint8Array): DecodedBlob {
  if (data.byteLength % 8 !== 0 || data.byteLength < HEAD * 8) throw new Error(`account state blob of ${data.byteLength} bytes is not a state`);
  const f = doublesOf(data);
  if (f[0] !== STATE_FORMAT) throw new Error(`account state format ${f[0]} is not supported (expected ${STATE_FORMAT})`);
  const n = f[1] as number;
  if (data.byteLength !== (HEAD + n * FIELDS) * 8) throw new Error(`account state blob of ${data.byteLength} bytes does not hold ${n} instalments`);
  const instalments: Instalment[] = new Array<Instalment>(n);
  let o = HEAD;
  for (let k = 0; k < n; k++) {
    instalments[k] = {
      n: f[o] as number,
      start: dateOf(f[o + 1] as number),
      due: dateOf(f[o + 2] as number),
      principal: f[o + 3] as number,
      interest: f[o + 4] as number,
      interestAccrued: f[o + 5] as number,
      penalty: f[o + 6] as number,
      fees: f[o + 7] as number,
      paidPrincipal: f[o + 8] as number,
      paidInterest: f[o + 9] as number,
      paidPenalty: f[o + 10] as number,
      paidFees: f[o + 11] as number,
      ldCharged: f[o + 12] === 1,
    };
    o += FIELDS;
  }
  return { instalments, charged: f[2] as number, capReached: f[3] === 1 };
}

/** The account_state row of a state. Pauses are not part of it: the `pauses` table is their record. */
export function stateToRow(accountId: string, s: AccountState, arena?: BlobArena): AccountStateTable {
  const b = balances(s);
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
    data: encodeState(s, arena),
  };
}

/** The state of an account_state row; `pauses` come from the pauses table (empty here). */
export function rowToState(r: Pick<AccountStateTable, 'as_of' | 'status' | 'dpd' | 'bucket' | 'delinquent_since' | 'credit' | 'data'>): AccountState {
  const d = decodeState(r.data);
  return {
    asOf: r.as_of,
    status: r.status === 'closed' ? 'closed' : 'open',
    instalments: d.instalments,
    credit: r.credit,
    charged: d.charged,
    capReached: d.capReached,
    dpd: r.dpd,
    bucket: r.bucket,
    delinquentSince: r.delinquent_since,
    pauses: [],
  };
}

export function accountToRow(a: Account): AccountsTable {
  return { id: a.id, borrower_id: a.borrowerId, product_id: a.productId, currency: a.currency, principal: a.principal, disbursed: a.disbursed };
}

export function rowToAccount(r: AccountsTable): Account {
  return { id: r.id, borrowerId: r.borrower_id, productId: r.product_id, currency: r.currency, principal: r.principal, disbursed: r.disbursed };
}

/** The borrowers row: id, name and time zone in columns, the contact points and languages as JSON in `data`. */
export function borrowerToRow(b: BorrowerInput): BorrowersTable {
  return { id: b.id, name: b.name, timezone: b.timezone, data: JSON.stringify({ phones: b.phones, emails: b.emails, addresses: b.addresses, languages: b.languages ?? [] }) };
}

/** The borrower of a row; rows written before borrowers had languages read as languages []. */
export function rowToBorrower(r: BorrowersTable): Borrower {
  const d = JSON.parse(r.data) as Pick<Borrower, 'phones' | 'emails' | 'addresses'> & { languages?: unknown };
  const languages = Array.isArray(d.languages) ? d.languages.filter((l): l is string => typeof l === 'string') : [];
  return { id: r.id, name: r.name, timezone: r.timezone, phones: d.phones, emails: d.emails, addresses: d.addresses, languages };
}

export function productToRow(p: Product): { id: string; spec: string } {
  return { id: p.id, spec: JSON.stringify(productToSpec(p)) };
}

export function rowToProduct(r: { id: string; spec: string }): Product {
  return parseProduct(r.id, JSON.parse(r.spec), `products.${r.id}.`);
}
