/**
 * The edge half of the time-zone rule for imported borrowers: rows the pure parser left `pending`
 * (no time zone, no single-zone address country, but phone numbers) get the zone their numbers
 * point to when the numbers agree (libphonenumber's metadata, src/channels/phone-zones.ts), or an
 * issue naming the time-zone field and why it could not be derived.
 */
import { phoneZones } from '../../channels/phone-zones.js';
import { deriveTimezone, type PhoneZones } from '../../contact/index.js';
import { parseLoansFile } from './parse.js';
import type { ImportResult, LoanRecord } from './types.js';

/** Settles `result.pending`: each becomes a record (zone from the phones) or an issue. Records stay in file order. */
export async function deriveTimezones(result: ImportResult): Promise<ImportResult> {
  const pending = result.pending ?? [];
  if (pending.length === 0) return { records: result.records, issues: result.issues, rowsRead: result.rowsRead };
  const records: LoanRecord[] = [...result.records];
  const issues = [...result.issues];
  for (const p of pending) {
    const phones: PhoneZones[] = [];
    for (const number of p.record.borrower.phones) phones.push({ number, zones: await phoneZones(number) });
    const d = deriveTimezone(p.record.borrower.addresses, phones);
    if (d.timezone === null) {
      issues.push({ row: p.record.row, field: p.field, reason: d.reason });
    } else {
      records.push({ ...p.record, borrower: { ...p.record.borrower, timezone: d.timezone }, timezoneFrom: d.from });
    }
  }
  records.sort((a, b) => a.row - b.row);
  issues.sort((a, b) => a.row - b.row);
  return { records, issues, rowsRead: result.rowsRead };
}

/** parseLoansFile and deriveTimezones: the whole import check of a file, ready to insert `records`. */
export async function readLoansFile(path: string, text: string): Promise<ImportResult> {
  return deriveTimezones(parseLoansFile(path, text));
}
