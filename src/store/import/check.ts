/**
 * Shared machinery for validating import rows: a per-row issue collector, value readers that
 * report instead of throwing, "all errors" wrappers around parseProduct / parseBorrower, and the
 * per-file state for checks across rows (duplicate loans, borrower names, product definitions).
 */
import { createHash } from 'node:crypto';
import { deriveTimezone, parseBorrower, zoneFromAddress, type Borrower } from '../../contact/index.js';
import { parseDate, ValidationError, type BusinessDate } from '../../core/index.js';
import { parseProduct, productToSpec, type Product } from '../../ledger/index.js';
import type { ImportIssue, LoanRecord, PendingZone } from './types.js';

const DIGITS = /^\d+$/;
const PATH_TOKEN = /([^.[\]]+)|\[(\d+)\]/g;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects the issues of one row; at most one issue per field (the first found). */
export class RowScope {
  private reported: Set<string> | null = null;

  constructor(
    readonly row: number,
    private readonly issues: ImportIssue[],
  ) {}

  bad(field: string, reason: string): void {
    if (this.reported === null) this.reported = new Set();
    else if (this.reported.has(field)) return;
    this.reported.add(field);
    this.issues.push({ row: this.row, field, reason });
  }

  get ok(): boolean {
    return this.reported === null;
  }
}

/** An absent value: missing key, null, or an empty/blank string. */
function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** Text (trimmed). Numbers are accepted as text (JSON ids such as 10023). */
export function readText(scope: RowScope, field: string, v: unknown, required: boolean): string | undefined {
  if (isBlank(v)) {
    if (required) scope.bad(field, 'is required');
    return undefined;
  }
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  scope.bad(field, `must be text, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A whole number ≥ 0 written with digits only (CSV, JSON string) or a safe-integer JSON number. */
export function readWhole(scope: RowScope, field: string, v: unknown, required: boolean): number | undefined {
  if (isBlank(v)) {
    if (required) scope.bad(field, 'is required');
    return undefined;
  }
  let n: number | undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (DIGITS.test(s)) {
      n = Number(s);
      if (!Number.isSafeInteger(n)) {
        scope.bad(field, `is too large, got "${s}"`);
        return undefined;
      }
    }
  } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    n = v;
  }
  if (n === undefined) {
    scope.bad(field, `must be a whole number written with digits only (no sign, separators or decimals), got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A whole number of minor units > 0 (principal). */
export function readPositiveMinor(scope: RowScope, field: string, v: unknown): number | undefined {
  const n = readWhole(scope, field, v, true);
  if (n === 0) {
    scope.bad(field, 'must be greater than 0 (minor units, e.g. cents)');
    return undefined;
  }
  return n;
}

export function readDate(scope: RowScope, field: string, v: unknown): BusinessDate | undefined {
  if (isBlank(v)) {
    scope.bad(field, 'is required');
    return undefined;
  }
  try {
    return parseDate(typeof v === 'string' ? v.trim() : v, field);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    scope.bad(field, e.rule);
    return undefined;
  }
}

/** A list: a `;`-separated string (blank items dropped) or, in JSON, an array of strings. */
export function readList(scope: RowScope, field: string, v: unknown): string[] {
  if (isBlank(v)) return [];
  if (typeof v === 'string') {
    const out: string[] = [];
    for (const part of v.split(';')) {
      const s = part.trim();
      if (s !== '') out.push(s);
    }
    return out;
  }
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v.map((s) => s.trim());
  scope.bad(field, `must be a list separated by ";" (or a JSON array of strings), got ${JSON.stringify(v)}`);
  return [];
}

function pathTokens(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(PATH_TOKEN)) out.push(m[1] ?? Number(m[2]));
  return out;
}

/**
 * Runs a throwing validator repeatedly, patching the field each error names with a harmless value,
 * so that one call reports every bad field instead of the first. Only bad rows loop.
 */
function collectAll<T>(
  raw: Record<string, unknown>,
  prefix: string,
  run: (raw: Record<string, unknown>) => T,
  patch: (raw: Record<string, unknown>, path: (string | number)[]) => boolean,
): { value: T | null; errors: ValidationError[] } {
  const errors: ValidationError[] = [];
  let work = raw;
  for (let i = 0; i < 64; i++) {
    try {
      const value = run(work);
      return { value: errors.length === 0 ? value : null, errors };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      if (errors.some((x) => x.field === e.field)) break;
      errors.push(e);
      if (i === 0) work = { ...raw };
      if (!e.field.startsWith(prefix) || !patch(work, pathTokens(e.field.slice(prefix.length)))) break;
    }
  }
  return { value: null, errors };
}

function deleteKey(obj: Record<string, unknown>, key: string | number | undefined): boolean {
  if (typeof key !== 'string' || !(key in obj)) return false;
  delete obj[key];
  return true;
}

function patchProduct(spec: Record<string, unknown>, path: (string | number)[]): boolean {
  const [top, sub] = path;
  switch (top) {
    case 'method':
      spec.method = 'bullet';
      return true;
    case 'annualRate':
      spec.annualRate = 0;
      return true;
    case 'termMonths':
      spec.termMonths = 1;
      return true;
    case 'penalty':
      if (isRecord(spec.penalty) && typeof sub === 'string') {
        const penalty = { ...spec.penalty };
        if (sub === 'dailyRate') penalty.dailyRate = 0;
        else delete penalty[sub];
        spec.penalty = penalty;
        return true;
      }
      return deleteKey(spec, top);
    default:
      // liquidatedDamages.*, waterfall[i], optional fields, unknown keys: drop the whole key
      return deleteKey(spec, top);
  }
}

const PLACEHOLDER: Readonly<Record<string, string>> = { id: 'x', name: 'x', phones: '+10000000000', emails: 'x@example.com', languages: 'en' };

function patchBorrower(raw: Record<string, unknown>, path: (string | number)[]): boolean {
  const [top, index, sub] = path;
  if (top === 'id' || top === 'name') {
    raw[top] = 'x';
    return true;
  }
  if ((top === 'phones' || top === 'emails' || top === 'languages' || top === 'addresses') && typeof index === 'number' && Array.isArray(raw[top])) {
    const list: unknown[] = [...(raw[top] as unknown[])];
    const item = list[index];
    if (top !== 'addresses') list[index] = PLACEHOLDER[top];
    else if (isRecord(item) && sub === 'kind') list[index] = { ...item, kind: 'mailing' };
    else if (isRecord(item) && sub === 'line') list[index] = { ...item, line: 'x' };
    else if (isRecord(item) && typeof sub === 'string') {
      const copy = { ...item };
      delete copy[sub];
      list[index] = copy;
    } else list[index] = { kind: 'mailing', line: 'x' };
    raw[top] = list;
    return true;
  }
  return deleteKey(raw, top);
}

/** parseProduct, reporting every bad field. Errors carry `prefix`-ed field paths. */
export function parseProductAll(spec: Record<string, unknown>, prefix: string): { value: Product | null; errors: ValidationError[] } {
  return collectAll(spec, prefix, (raw) => parseProduct('', raw, prefix), patchProduct);
}

/**
 * parseBorrower, reporting every bad field. Errors carry `prefix`-ed field paths. `raw` has no
 * `timezone` (check it with FileState.zoneError); the result's timezone is UTC until set.
 */
export function parseBorrowerAll(raw: Record<string, unknown>, prefix: string): { value: Borrower | null; errors: ValidationError[] } {
  return collectAll(raw, prefix, (r) => parseBorrower(r, prefix), patchBorrower);
}

/** Names product fields (ProductSpec keys) in messages, e.g. annualRate → annual_rate for CSV. */
export type ProductFieldNamer = (specKey: string) => string;

/** Everything checked across the rows of one file. */
export class FileState {
  readonly issues: ImportIssue[] = [];
  /** good rows whose borrower's time zone must come from the phones (see deriveTimezones) */
  readonly pending: PendingZone[] = [];
  private readonly loans = new Map<string, number>();
  private readonly borrowers = new Map<string, { name: string; row: number }>();
  private readonly products = new Map<string, { canon: string; row: number; product: Product }>();
  private readonly derivedIds = new Map<string, string>();
  private readonly zones = new Map<string, ValidationError | null>();
  private readonly unknown = new Set<string>();
  private readonly specs = new Map<string, { value: Product | null; errors: ValidationError[] }>();
  private readonly canons = new WeakMap<Product, string>();

  /** parseProductAll, memoised on the spec: a loan book repeats a handful of products. */
  parseProduct(spec: Record<string, unknown>, prefix: string): { value: Product | null; errors: ValidationError[] } {
    const key = `${prefix}\u0000${JSON.stringify(spec)}`;
    let out = this.specs.get(key);
    if (out === undefined) {
      out = parseProductAll(spec, prefix);
      this.specs.set(key, out);
    }
    return out;
  }

  /**
   * The time-zone rule of parseBorrower, cached per distinct value: checking a zone builds an
   * Intl.DateTimeFormat (~40 µs), too slow to repeat on every row of a large file.
   */
  zoneError(tz: unknown, prefix: string): ValidationError | null {
    const key = typeof tz === 'string' ? `${prefix}\u0000${tz}` : null;
    if (key !== null) {
      const cached = this.zones.get(key);
      if (cached !== undefined) return cached;
    }
    let err: ValidationError | null = null;
    try {
      parseBorrower({ id: 'x', name: 'x', timezone: tz }, prefix);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      err = e;
    }
    if (key !== null) this.zones.set(key, err);
    return err;
  }

  /**
   * A borrower without a time zone: the zone of the address's country when it has exactly one (set
   * on `borrower`: `address`); else `phones` when the borrower has numbers (the row goes to
   * `pending` for deriveTimezones); else an issue on `field` saying why and `null`.
   */
  zoneWithout(scope: RowScope, borrower: Borrower, field: string): 'address' | 'phones' | null {
    const z = zoneFromAddress(borrower.addresses);
    if (z.timezone !== null) {
      borrower.timezone = z.timezone;
      return 'address';
    }
    if (borrower.phones.length > 0) return 'phones';
    const d = deriveTimezone(borrower.addresses, []);
    scope.bad(field, d.timezone === null ? d.reason : 'is not given');
    return null;
  }

  /** The record of a good row, or — when its zone is still to come from the phones — nothing yet (kept in `pending`). */
  settle(record: Omit<LoanRecord, 'timezoneFrom'>, from: 'given' | 'address' | 'phones', field: string): LoanRecord | null {
    if (from !== 'phones') return { ...record, timezoneFrom: from };
    this.pending.push({ record, field });
    return null;
  }

  /** Reports an unknown JSON key once per file, at row 0. */
  unknownKey(key: string, row: number, known: readonly string[]): void {
    if (this.unknown.has(key)) return;
    this.unknown.add(key);
    this.issues.push({ row: 0, field: key, reason: `is not a known field (first seen in record ${row}); it is ignored${didYouMean(key, known)}` });
  }

  /** A loan id may appear once per file; later rows get the issue. */
  claimLoan(scope: RowScope, id: string, field: string): void {
    const first = this.loans.get(id);
    if (first === undefined) this.loans.set(id, scope.row);
    else scope.bad(field, `duplicate loan id ${id}: already on row ${first}`);
  }

  /** A borrower id keeps the name it was first given in the file. */
  claimBorrower(scope: RowScope, id: string, name: string, field: string): void {
    const first = this.borrowers.get(id);
    if (first === undefined) this.borrowers.set(id, { name, row: scope.row });
    else if (first.name !== name) scope.bad(field, `borrower ${id} was named "${first.name}" on row ${first.row}`);
  }

  /**
   * Gives `parsed` (validated, with an empty id) its id — `explicitId`, or one derived from its
   * fields — and returns the file's single Product object for that id. A product id defined with
   * different fields on an earlier row is an issue on this row.
   */
  resolveProduct(scope: RowScope, explicitId: string | undefined, parsed: Product, field: string, name: ProductFieldNamer): Product | undefined {
    let canon = this.canons.get(parsed);
    if (canon === undefined) {
      canon = JSON.stringify(productToSpec(parsed));
      this.canons.set(parsed, canon);
    }
    const id = explicitId ?? this.derivedId(canon);
    const first = this.products.get(id);
    if (first === undefined) {
      const product: Product = { ...parsed, id };
      this.products.set(id, { canon, row: scope.row, product });
      return product;
    }
    if (first.canon === canon) return first.product;
    const before = productToSpec(first.product) as unknown as Record<string, unknown>;
    const now = productToSpec(parsed) as unknown as Record<string, unknown>;
    const differing = Object.keys(now).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k])).map(name);
    scope.bad(field, `product_id ${id} was defined differently on row ${first.row} (differs in: ${differing.join(', ')})`);
    return undefined;
  }

  private derivedId(canon: string): string {
    let id = this.derivedIds.get(canon);
    if (id === undefined) {
      id = derivedProductId(canon);
      this.derivedIds.set(canon, id);
    }
    return id;
  }
}

/** The id given to a product without one: `auto-` and 12 hex digits of the SHA-256 of its canonical spec. */
export function derivedProductId(canonicalSpec: string): string {
  return `auto-${createHash('sha256').update(canonicalSpec).digest('hex').slice(0, 12)}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** ` (did you mean loan_id?)` for a near miss (typo, case, camelCase for snake_case), else ''. */
export function didYouMean(name: string, known: readonly string[]): string {
  const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const target = squash(name);
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = squash(k) === target ? 0 : editDistance(name.toLowerCase(), k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}
