/**
 * A borrower's time zone when none was given: the country of their address when that country has
 * a single zone, else the zones their phone numbers point to when those agree. Pure: the country's
 * zones come from the runtime's ICU/CLDR data (`Intl.Locale#getTimeZones`, the same data that
 * validates zone names); the phones' zones are looked up by the caller (src/channels/phone-zones.ts
 * reads libphonenumber's metadata) and handed in.
 */
import type { Address } from './party.js';

/** `Intl.Locale` as Node 20 (the `timeZones` getter) and later runtimes (`getTimeZones()`) spell it. */
interface LocaleZones {
  getTimeZones?: () => string[];
  timeZones?: string[];
}

const countryCache = new Map<string, readonly string[]>();
const canonicalCache = new Map<string, string>();

/** The IANA zones of an ISO 3166-1 alpha-2 country (CLDR), sorted; [] for a code CLDR has no zones for. */
export function countryZones(country: string): readonly string[] {
  let zones = countryCache.get(country);
  if (zones === undefined) {
    let found: string[];
    try {
      const l = new Intl.Locale(`und-${country}`) as unknown as LocaleZones;
      found = (typeof l.getTimeZones === 'function' ? l.getTimeZones() : l.timeZones) ?? [];
    } catch {
      found = [];
    }
    zones = Object.freeze([...found].sort());
    if (countryCache.size < 1000) countryCache.set(country, zones);
  }
  return zones;
}

/** The runtime's canonical name of a zone (Asia/Kolkata and Asia/Calcutta are one zone), for comparing zones from different sources. */
function canonicalZone(zone: string): string {
  let c = canonicalCache.get(zone);
  if (c === undefined) {
    try {
      c = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      c = zone;
    }
    if (canonicalCache.size < 10_000) canonicalCache.set(zone, c);
  }
  return c;
}

/** The country of the residential address, else of the first address that has one; null when no address has a country. */
export function addressCountry(addresses: readonly Address[]): string | null {
  return addresses.find((a) => a.kind === 'residential' && a.country !== undefined)?.country
    ?? addresses.find((a) => a.country !== undefined)?.country
    ?? null;
}

/** One phone number and the zones it points to ([] when unknown). */
export interface PhoneZones {
  number: string;
  zones: readonly string[];
}

export type DerivedZone =
  | { timezone: string; from: 'address' | 'phones' }
  /** `reason`: why no zone could be derived, worded to follow the field name `timezone` */
  | { timezone: null; reason: string };

function list(zones: readonly string[], max = 4): string {
  return zones.length <= max ? zones.join(', ') : `${zones.slice(0, max).join(', ')} and ${zones.length - max} more`;
}

/**
 * The zone of the address's country when it has exactly one; otherwise null and what the country
 * says (its zones, or that no address has a country). Needs no phone lookup.
 */
export function zoneFromAddress(addresses: readonly Address[]): { timezone: string } | { timezone: null; country: string | null; zones: readonly string[] } {
  const country = addressCountry(addresses);
  if (country === null) return { timezone: null, country: null, zones: [] };
  const zones = countryZones(country);
  const only = zones[0];
  return zones.length === 1 && only !== undefined ? { timezone: only } : { timezone: null, country, zones };
}

/**
 * A borrower's time zone from their addresses and phones:
 * 1. the residential (else any) address's country, when it has exactly one zone;
 * 2. else the zones of the phone numbers, when the numbers whose zone is known all point to one
 *    and the same zone (and, when the address has a country, a zone of that country);
 * 3. else none, with the reason.
 */
export function deriveTimezone(addresses: readonly Address[], phones: readonly PhoneZones[]): DerivedZone {
  const byAddress = zoneFromAddress(addresses);
  if (byAddress.timezone !== null) return { timezone: byAddress.timezone, from: 'address' };
  const { country, zones: countryList } = byAddress;
  const because = country === null
    ? 'no address has a country'
    : countryList.length === 0 ? `no time zone is known for the address's country ${country}` : `${country} has ${countryList.length} time zones`;
  if (phones.length === 0) return { timezone: null, reason: `is not given and could not be derived: ${because} and the borrower has no phone number` };
  const known = phones.filter((p) => p.zones.length > 0);
  if (known.length === 0) return { timezone: null, reason: `is not given and could not be derived: ${because} and the phones' zones are unknown (${phones.map((p) => p.number).join(', ')})` };
  const all = [...new Set(known.flatMap((p) => p.zones))];
  const zone = all[0];
  if (all.length !== 1 || zone === undefined) {
    const each = known.map((p) => `${p.number}: ${list(p.zones, 3)}`).join('; ');
    const why = known.length === 1 ? `the phone's area code spans several zones (${each})` : `the phones' area codes do not agree on one zone (${each})`;
    return { timezone: null, reason: `is not given and could not be derived: ${because} and ${why}` };
  }
  if (country !== null && countryList.length > 0) {
    const canon = new Set(countryList.map(canonicalZone));
    if (!canon.has(canonicalZone(zone))) {
      return { timezone: null, reason: `is not given and could not be derived: ${because} and the phones point to ${zone}, which is not a zone of ${country}` };
    }
  }
  return { timezone: zone, from: 'phones' };
}
