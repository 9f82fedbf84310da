/**
 * The nested JSON shape: `{ id, principal, currency, disbursed, product: { id?, …ProductSpec },
 * borrower: { id, name, timezone?, phones, emails, addresses, languages } }`. Issues name dotted paths
 * (`product.annualRate`, `borrower.phones[1]`), as parseProduct and parseBorrower report them.
 */
import { isCurrency } from '../../core/index.js';
import {
  isRecord, parseBorrowerAll, readDate, readPositiveMinor, readText, type FileState, type RowScope,
} from './check.js';
import type { LoanRecord } from './types.js';

export const NESTED_KEYS = ['id', 'principal', 'currency', 'disbursed', 'product', 'borrower'] as const;
const NESTED_SET: ReadonlySet<string> = new Set(NESTED_KEYS);

/** An object is read as nested when it has any key only the nested form has. */
export function isNested(obj: Record<string, unknown>): boolean {
  return 'id' in obj || 'product' in obj || 'borrower' in obj;
}

export function nestedRow(obj: Record<string, unknown>, scope: RowScope, state: FileState): LoanRecord | null {
  for (const key of Object.keys(obj)) {
    if (!NESTED_SET.has(key)) state.unknownKey(key, scope.row, NESTED_KEYS);
  }
  const loanId = readText(scope, 'id', obj.id, true);
  const currency = readText(scope, 'currency', obj.currency, true);
  if (currency !== undefined && !isCurrency(currency)) {
    scope.bad('currency', `must be a supported ISO 4217 code in capitals such as USD, got "${currency}"`);
  }
  const principal = readPositiveMinor(scope, 'principal', obj.principal);
  const disbursed = readDate(scope, 'disbursed', obj.disbursed);

  let borrowerId: string | undefined;
  let borrowerName: string | undefined;
  let zoneFrom: 'given' | 'address' | 'phones' | null = 'given';
  let timezone: string | undefined;
  let borrowerParsed = null;
  if (!isRecord(obj.borrower)) {
    scope.bad('borrower', obj.borrower === undefined ? 'is required' : 'must be an object { id, name, timezone, phones, emails, addresses }');
  } else {
    const { timezone: tz, ...rest } = obj.borrower;
    if (tz !== undefined && tz !== null) {
      const err = state.zoneError(tz, 'borrower.');
      if (err) scope.bad(err.field, err.rule);
      else if (typeof tz === 'string') timezone = tz;
    }
    const b = parseBorrowerAll(rest, 'borrower.');
    for (const e of b.errors) scope.bad(e.field, e.rule);
    borrowerParsed = b.value;
    // without a time zone: the address's country's, else (later, deriveTimezones) the phones'
    if (borrowerParsed) {
      if (timezone !== undefined) borrowerParsed.timezone = timezone;
      else if (tz === undefined || tz === null) zoneFrom = state.zoneWithout(scope, borrowerParsed, 'borrower.timezone');
    }
    if (typeof rest.id === 'string' && rest.id.trim() !== '') borrowerId = rest.id;
    if (typeof rest.name === 'string' && rest.name.trim() !== '') borrowerName = rest.name;
  }

  let productParsed = null;
  let productId: string | undefined;
  if (!isRecord(obj.product)) {
    scope.bad('product', obj.product === undefined ? 'is required' : 'must be an object of product fields');
  } else {
    const { id, ...spec } = obj.product;
    productId = readText(scope, 'product.id', id, false);
    const p = state.parseProduct(spec, 'product.');
    for (const e of p.errors) scope.bad(e.field, e.rule);
    productParsed = p.value;
  }

  if (loanId !== undefined) state.claimLoan(scope, loanId, 'id');
  if (borrowerId !== undefined && borrowerName !== undefined) state.claimBorrower(scope, borrowerId, borrowerName, 'borrower.name');
  const product = productParsed ? state.resolveProduct(scope, productId, productParsed, 'product.id', (k) => `product.${k}`) : undefined;

  if (!scope.ok || !product || !borrowerParsed || zoneFrom === null || loanId === undefined || currency === undefined
    || principal === undefined || disbursed === undefined) {
    return null;
  }
  return state.settle({
    account: { id: loanId, borrowerId: borrowerParsed.id, productId: product.id, currency, principal, disbursed },
    product,
    borrower: borrowerParsed,
    row: scope.row,
  }, zoneFrom, 'borrower.timezone');
}
