/**
 * `arrears import loans.csv|loans.json`, the pure half: text in, validated records and issues out.
 * No I/O; the store inserts `records` (see docs/import.md for the formats). Rows whose borrower's
 * time zone must come from the phone numbers are returned in `pending`: `deriveTimezones`
 * (zones.ts, which looks the numbers up) settles them.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { ValidationError } from '../../core/index.js';
import { FileState, RowScope, didYouMean, isRecord } from './check.js';
import { FLAT_COLUMNS, REQUIRED_FLAT_COLUMNS, flatRow, isFlatColumn, type FlatColumn } from './flat.js';
import { isNested, nestedRow } from './nested.js';
import type { ImportResult, LoanRecord } from './types.js';

export type { ImportIssue, ImportResult, LoanRecord, PendingZone } from './types.js';
export { FLAT_COLUMNS, REQUIRED_FLAT_COLUMNS, type FlatColumn } from './flat.js';
export { NESTED_KEYS } from './nested.js';
export { derivedProductId } from './check.js';

const LF = 0x0a;
const CR = 0x0d;

/** Line numbers from byte offsets (csv-parse reports bytes; its own line counts drift with CRLF). */
class LineMap {
  /** Byte offsets of line breaks, ascending. */
  private readonly breaks: number[] = [];
  readonly breakChar: string;

  constructor(buf: Buffer) {
    // LF and CRLF files break on LF; old Mac files (CR only) on CR
    const byte = buf.indexOf(LF) < 0 && buf.indexOf(CR) >= 0 ? CR : LF;
    this.breakChar = byte === LF ? '\n' : '\r';
    for (let i = buf.indexOf(byte); i >= 0; i = buf.indexOf(byte, i + 1)) this.breaks.push(i);
  }

  /** 1-based line of the byte at `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.breaks[mid] ?? Infinity) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  /** Line breaks inside the values of one record (quoted multi-line values). */
  breaksIn(values: readonly string[]): number {
    let n = 0;
    for (const v of values) {
      for (let i = v.indexOf(this.breakChar); i >= 0; i = v.indexOf(this.breakChar, i + 1)) n++;
    }
    return n;
  }
}

function csvErrorReason(e: CsvError): string {
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value starting on this row is never closed (missing ")';
    case 'INVALID_OPENING_QUOTE':
      return 'a value that is not wrapped in quotes contains a quote ("); wrap the value in quotes and double the quote ("")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows the closing quote of a value; a quote inside a quoted value must be doubled ("")';
    default:
      return e.message.replace(/ at line \d+/, '');
  }
}

/** Parses a CSV loan book. Structural CSV errors (unbalanced quotes) reject the whole file. */
export function parseLoansCsv(text: string): ImportResult {
  const buf = Buffer.from(text, 'utf8');
  const ends: number[] = [];
  let rows: string[][];
  try {
    rows = parse(buf, {
      bom: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      on_record: (record: string[], ctx) => {
        ends.push(ctx.bytes);
        return record;
      },
    });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const lines = new LineMap(buf);
    // the failing record starts at the first non-blank byte after the last good one
    let at = ends.at(-1) ?? 0;
    while (at < buf.length && (buf[at] === LF || buf[at] === CR)) at++;
    return { records: [], issues: [{ row: lines.lineOf(at), field: 'file', reason: csvErrorReason(e) }], rowsRead: 0 };
  }

  const lines = new LineMap(buf);
  const startLine = (k: number): number => lines.lineOf((ends[k] ?? 1) - 1) - lines.breaksIn(rows[k] ?? []);

  const header = rows[0];
  if (header === undefined) {
    return { records: [], issues: [{ row: 1, field: 'file', reason: 'is empty: expected a header line naming the columns' }], rowsRead: 0 };
  }
  const state = new FileState();
  const issues = state.issues;
  const headerLine = startLine(0);
  const rowsRead = rows.length - 1;

  // header
  const index = new Map<FlatColumn, number>();
  let fatal = false;
  header.forEach((raw, i) => {
    const name = raw.trim();
    const key = name.toLowerCase();
    if (name === '') {
      issues.push({ row: headerLine, field: `column ${i + 1}`, reason: 'has no name; its values are ignored' });
    } else if (!isFlatColumn(key)) {
      issues.push({ row: headerLine, field: name, reason: `is not a known column; its values are ignored${didYouMean(name, FLAT_COLUMNS)}` });
    } else if (index.has(key)) {
      issues.push({ row: headerLine, field: name, reason: `appears more than once (columns ${(index.get(key) ?? 0) + 1} and ${i + 1})` });
      fatal = true;
    } else {
      index.set(key, i);
    }
  });
  for (const column of REQUIRED_FLAT_COLUMNS) {
    if (!index.has(column)) {
      issues.push({ row: headerLine, field: column, reason: 'is a required column and is missing from the header' });
      fatal = true;
    }
  }
  if (fatal) return { records: [], issues, rowsRead };

  const columnAt: Partial<Record<FlatColumn, number>> = Object.fromEntries(index);
  const records: LoanRecord[] = [];
  for (let k = 1; k < rows.length; k++) {
    const values = rows[k] ?? [];
    const scope = new RowScope(startLine(k), issues);
    if (values.length !== header.length && !(values.length > header.length && values.slice(header.length).every((v) => v.trim() === ''))) {
      scope.bad('row', `has ${values.length} values but the header has ${header.length} columns`);
      continue;
    }
    const record = flatRow((c) => {
      const i = columnAt[c];
      return i === undefined ? undefined : values[i];
    }, scope, state);
    if (record) records.push(record);
  }
  return withPending({ records, issues, rowsRead }, state);
}

/**
 * Parses a JSON loan book: an array of objects, each either flat (the CSV column names as keys)
 * or nested (`{ id, principal, currency, disbursed, product: {…}, borrower: {…} }`).
 */
export function parseLoansJson(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { records: [], issues: [{ row: 0, field: 'file', reason: `is not valid JSON: ${(e as Error).message}` }], rowsRead: 0 };
  }
  if (!Array.isArray(data)) {
    return { records: [], issues: [{ row: 0, field: 'file', reason: 'must be a JSON array of loan objects' }], rowsRead: 0 };
  }
  const state = new FileState();
  const records: LoanRecord[] = [];
  data.forEach((item: unknown, i) => {
    const scope = new RowScope(i + 1, state.issues);
    if (!isRecord(item)) {
      scope.bad('row', `must be an object, got ${Array.isArray(item) ? 'an array' : JSON.stringify(item)}`);
      return;
    }
    let record: LoanRecord | null;
    if (isNested(item)) {
      record = nestedRow(item, scope, state);
    } else {
      for (const key of Object.keys(item)) {
        if (!isFlatColumn(key)) state.unknownKey(key, scope.row, FLAT_COLUMNS);
      }
      record = flatRow((c) => item[c], scope, state);
    }
    if (record) records.push(record);
  });
  return withPending({ records, issues: state.issues, rowsRead: data.length }, state);
}

/** The result with the rows still waiting for a phone-derived time zone, when there are any. */
function withPending(result: ImportResult, state: FileState): ImportResult {
  return state.pending.length > 0 ? { ...result, pending: state.pending } : result;
}

/** Picks the parser by the file name's extension (.csv or .json, any case). */
export function parseLoansFile(path: string, text: string): ImportResult {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return parseLoansCsv(text);
  if (lower.endsWith('.json')) return parseLoansJson(text);
  throw new ValidationError('file', `"${path}" must end in .csv or .json`);
}
