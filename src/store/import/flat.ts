/**
 * The flat row shape shared by CSV files and flat JSON objects: one snake_case column per field.
 * Product columns become a ProductSpec for parseProduct; borrower columns a record for
 * parseBorrower — the rules live there, this file only maps names both ways.
 */
import type { Address } from '../../contact/index.js';
import { isCurrency } from '../../core/index.js';
import {
  parseBorrowerAll, readDate, readList, readPositiveMinor, readText, readWhole,
  type FileState, type RowScope,
} from './check.js';
import type { LoanRecord } from './types.js';

export const FLAT_COLUMNS = [
  'loan_id', 'borrower_id', 'borrower_name', 'currency', 'principal', 'disbursed',
  'timezone', 'phones', 'emails', 'residential_address', 'id_card_address', 'country', 'languages',
  'product_id', 'method', 'annual_rate', 'term_months', 'day_count', 'grace_days',
  'penalty_daily_rate', 'penalty_base', 'ld_percent', 'ld_fixed', 'cost_cap', 'overpayment', 'waterfall',
] as const;

export type FlatColumn = (typeof FLAT_COLUMNS)[number];

/** A file (CSV header) without one of these columns is rejected as a whole. */
export const REQUIRED_FLAT_COLUMNS: readonly FlatColumn[] = [
  'loan_id', 'borrower_id', 'borrower_name', 'currency', 'principal', 'disbursed', 'method', 'annual_rate', 'term_months',
];

const FLAT_SET: ReadonlySet<string> = new Set(FLAT_COLUMNS);

export function isFlatColumn(name: string): name is FlatColumn {
  return FLAT_SET.has(name);
}

/** parseProduct's field paths (indices stripped) → the column that holds the value. */
const SPEC_FIELD_COLUMN: Readonly<Record<string, FlatColumn>> = {
  method: 'method',
  annualRate: 'annual_rate',
  termMonths: 'term_months',
  dayCount: 'day_count',
  graceDays: 'grace_days',
  penalty: 'penalty_daily_rate',
  'penalty.dailyRate': 'penalty_daily_rate',
  'penalty.base': 'penalty_base',
  liquidatedDamages: 'ld_percent',
  'liquidatedDamages.percentOfInstalment': 'ld_percent',
  'liquidatedDamages.fixed': 'ld_fixed',
  costCap: 'cost_cap',
  overpayment: 'overpayment',
  waterfall: 'waterfall',
};

/** ProductSpec keys → column names, for "defined differently" messages. */
const SPEC_KEY_COLUMNS: Readonly<Record<string, string>> = {
  ...SPEC_FIELD_COLUMN,
  penalty: 'penalty_daily_rate/penalty_base',
  liquidatedDamages: 'ld_percent/ld_fixed',
};

const INDEX = /\[\d+\]/g;
const FIRST_INDEX = /\[(\d+)\]/;
const PATH_SEPARATOR = /[.[]/;

function specColumn(field: string): string {
  return SPEC_FIELD_COLUMN[field.replace(INDEX, '')] ?? field;
}

function specKeyColumn(key: string): string {
  return SPEC_KEY_COLUMNS[key] ?? key;
}

/** Reads one value of the row; undefined when the column is absent. */
export type FlatGetter = (column: FlatColumn) => unknown;

/** Validates one flat row; returns the record when the row has no issue. */
export function flatRow(get: FlatGetter, scope: RowScope, state: FileState): LoanRecord | null {
  const loanId = readText(scope, 'loan_id', get('loan_id'), true);
  const borrowerId = readText(scope, 'borrower_id', get('borrower_id'), true);
  const borrowerName = readText(scope, 'borrower_name', get('borrower_name'), true);
  const currency = readText(scope, 'currency', get('currency'), true);
  if (currency !== undefined && !isCurrency(currency)) {
    scope.bad('currency', `must be a supported ISO 4217 code in capitals such as USD, got "${currency}"`);
  }
  const principal = readPositiveMinor(scope, 'principal', get('principal'));
  const disbursed = readDate(scope, 'disbursed', get('disbursed'));

  // borrower
  const timezone = readText(scope, 'timezone', get('timezone'), false);
  if (timezone !== undefined) {
    const err = state.zoneError(timezone, '');
    if (err) scope.bad('timezone', err.rule);
  }
  const addresses: Address[] = [];
  const addressColumns: FlatColumn[] = [];
  const residential = readText(scope, 'residential_address', get('residential_address'), false);
  if (residential !== undefined) {
    addresses.push({ kind: 'residential', line: residential });
    addressColumns.push('residential_address');
  }
  const idCard = readText(scope, 'id_card_address', get('id_card_address'), false);
  if (idCard !== undefined) {
    addresses.push({ kind: 'id-card', line: idCard });
    addressColumns.push('id_card_address');
  }
  // the country of the row's addresses (checked by parseBorrower as addresses[i].country)
  const country = readText(scope, 'country', get('country'), false);
  if (country !== undefined) {
    if (addresses.length === 0) scope.bad('country', 'is set but the row has no residential_address or id_card_address: the country is that of the addresses');
    for (const a of addresses) a.country = country;
  }
  const borrowerRaw = {
    id: borrowerId ?? '',
    name: borrowerName ?? '',
    phones: readList(scope, 'phones', get('phones')),
    emails: readList(scope, 'emails', get('emails')),
    languages: readList(scope, 'languages', get('languages')),
    addresses,
  };
  const b = parseBorrowerAll(borrowerRaw, '');
  for (const e of b.errors) {
    const [top] = e.field.split(PATH_SEPARATOR, 1);
    const column =
      top === 'id' ? 'borrower_id'
      : top === 'name' ? 'borrower_name'
      : top === 'addresses' ? (e.field.endsWith('.country') ? 'country' : (addressColumns[Number(FIRST_INDEX.exec(e.field)?.[1] ?? 0)] ?? 'residential_address'))
      : (top ?? e.field);
    scope.bad(column, e.rule);
  }
  // without a time zone: the address's country's, else (later, deriveTimezones) the phones'
  let zoneFrom: 'given' | 'address' | 'phones' | null = 'given';
  if (b.value) {
    if (timezone !== undefined) b.value.timezone = timezone;
    else zoneFrom = state.zoneWithout(scope, b.value, 'timezone');
  }

  // product
  const productId = readText(scope, 'product_id', get('product_id'), false);
  const spec: Record<string, unknown> = {};
  const method = readText(scope, 'method', get('method'), true);
  if (method !== undefined) spec.method = method;
  const annualRate = rateValue(scope, 'annual_rate', get('annual_rate'), true);
  if (annualRate !== undefined) spec.annualRate = annualRate;
  const termMonths = readWhole(scope, 'term_months', get('term_months'), true);
  if (termMonths !== undefined) spec.termMonths = termMonths;
  const dayCount = readText(scope, 'day_count', get('day_count'), false);
  if (dayCount !== undefined) spec.dayCount = dayCount;
  const graceDays = readWhole(scope, 'grace_days', get('grace_days'), false);
  if (graceDays !== undefined) spec.graceDays = graceDays;
  const penaltyRate = rateValue(scope, 'penalty_daily_rate', get('penalty_daily_rate'), false);
  const penaltyBase = readText(scope, 'penalty_base', get('penalty_base'), false);
  if (penaltyRate !== undefined) {
    spec.penalty = penaltyBase === undefined ? { dailyRate: penaltyRate } : { dailyRate: penaltyRate, base: penaltyBase };
  } else if (penaltyBase !== undefined) {
    scope.bad('penalty_base', 'is set but penalty_daily_rate is empty: set the rate too, or leave both empty for no penalty interest');
  }
  const ldPercent = rateValue(scope, 'ld_percent', get('ld_percent'), false);
  const ldFixed = readWhole(scope, 'ld_fixed', get('ld_fixed'), false);
  if (ldPercent !== undefined && ldFixed !== undefined) {
    scope.bad('ld_fixed', 'cannot be set together with ld_percent: liquidated damages are a percentage of the instalment or a fixed amount, not both');
  } else if (ldPercent !== undefined) {
    spec.liquidatedDamages = { percentOfInstalment: ldPercent };
  } else if (ldFixed !== undefined) {
    spec.liquidatedDamages = { fixed: ldFixed };
  }
  const costCap = rateValue(scope, 'cost_cap', get('cost_cap'), false);
  if (costCap !== undefined) spec.costCap = costCap;
  const overpayment = readText(scope, 'overpayment', get('overpayment'), false);
  if (overpayment !== undefined) spec.overpayment = overpayment;
  const waterfall = get('waterfall');
  if (waterfall !== undefined && waterfall !== null && waterfall !== '') spec.waterfall = readList(scope, 'waterfall', waterfall);

  const p = state.parseProduct(spec, '');
  for (const e of p.errors) scope.bad(specColumn(e.field), e.rule);

  // checks across rows
  if (loanId !== undefined) state.claimLoan(scope, loanId, 'loan_id');
  if (borrowerId !== undefined && borrowerName !== undefined) state.claimBorrower(scope, borrowerId, borrowerName, 'borrower_name');
  const product = p.value ? state.resolveProduct(scope, productId, p.value, 'product_id', specKeyColumn) : undefined;

  if (!scope.ok || !product || !b.value || zoneFrom === null || loanId === undefined || borrowerId === undefined || currency === undefined
    || principal === undefined || disbursed === undefined) {
    return null;
  }
  return state.settle({
    account: { id: loanId, borrowerId, productId: product.id, currency, principal, disbursed },
    product,
    borrower: b.value,
    row: scope.row,
  }, zoneFrom, 'timezone');
}

/** A rate is handed to parseRate as written (string or JSON number); only presence is checked here. */
function rateValue(scope: RowScope, field: string, v: unknown, required: boolean): string | number | undefined {
  if (typeof v === 'number') return v;
  return readText(scope, field, v, required);
}
