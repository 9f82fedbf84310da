/**
 * What an import of a loan book produces: validated records ready to insert, and the issues that
 * kept other rows out. Parsing is pure: text in, data out; the store inserts `records`.
 */
import type { Borrower } from '../../contact/index.js';
import type { Account, Product } from '../../ledger/index.js';

/** One good loan from the file, with everything needed to insert it. */
export interface LoanRecord {
  account: Account;
  /** Shared by every record that names the same product (same object). */
  product: Product;
  /** As this row describes the borrower; several rows may describe the same borrower. */
  borrower: Borrower;
  /** Where the loan is in the file: CSV line number (header = line 1), or 1-based JSON array index. */
  row: number;
  /**
   * Where the borrower's time zone came from: the row (`given`), the address's country (`address`:
   * a single-zone country) or the phone numbers (`phones`, set by deriveTimezones).
   */
  timezoneFrom: 'given' | 'address' | 'phones';
}

/**
 * A row that is good except that its borrower's time zone is still to be derived from the phone
 * numbers (an asynchronous lookup; see deriveTimezones in zones.ts). `record.borrower.timezone` is
 * not meaningful yet.
 */
export interface PendingZone {
  record: Omit<LoanRecord, 'timezoneFrom'>;
  /** the field an issue names when no zone can be derived: `timezone` (flat) or `borrower.timezone` (nested) */
  field: string;
}

/**
 * A problem found in the file.
 * `row`: CSV — the line number an editor shows (the header is line 1, the first data row line 2;
 * a quoted value spanning lines is reported at the line where its row starts).
 * JSON — the 1-based index of the object in the array; 0 means the file as a whole.
 * `field`: the CSV column or JSON key (dotted path for the nested JSON form); `row` for problems
 * with the row as a whole; `file` for problems with the file as a whole.
 */
export interface ImportIssue {
  row: number;
  field: string;
  reason: string;
}

/**
 * `records` holds exactly the data rows that had no issue (and need no phone lookup: see
 * `pending`); every other data row has at least one issue naming it or is in `pending`. Issues on
 * the CSV header line or JSON row 0 concern columns or the file.
 */
export interface ImportResult {
  records: LoanRecord[];
  issues: ImportIssue[];
  /** Data rows read (CSV rows after the header, skipping blank lines; JSON array elements). */
  rowsRead: number;
  /**
   * Rows without a time zone whose borrower's zone must come from the phone numbers; absent when
   * there are none. `deriveTimezones` (zones.ts) turns each into a record or an issue.
   */
  pending?: PendingZone[];
}
