/**
 * The demo's staff and partners as data: in-house agents with skills, a supervisor, field agents
 * (with the cities they cover and where their day starts), collection agencies with their contracts
 * and agents, and the placement rules. Fixed, not drawn from the seed: the seed decides what
 * happens to the portfolio, not who works it. The demo adds them once (src/cli/demo-staff.ts).
 */
import { hashString } from './rng.js';

export interface DemoUser {
  id: string;
  name: string;
  role: 'agent' | 'field_agent' | 'supervisor' | 'agency_agent';
  agencyId?: string;
  skills: { languages: string[]; jurisdictions: string[]; buckets: string[] };
  /** queue items per business date */
  capacity: number;
  /** the zone the user's working day (09:00–17:00) is in */
  zone: string;
}

export interface DemoFieldAgent extends DemoUser {
  role: 'field_agent';
  /** the rule pack the agent works under (its visit hours and collectors) */
  pack: string;
  /** cities (the `district` of a visit) the agent covers */
  districts: string[];
  /** where the day starts: a city centre */
  base: string;
}

export interface DemoAgency {
  id: string;
  name: string;
  commission: Record<string, string>;
  placementDays: number;
  capacity: number;
  regions: string[];
}

const EARLY = ['M1', 'M2'];
const LATE = ['M3', 'M4', 'M5', 'M6'];

/** In-house agents work the early buckets (M1–M2); the agencies take M3–M6 (see DEMO_PLACEMENT_RULES). */
export const DEMO_AGENTS: readonly DemoUser[] = [
  { id: 'ann', name: 'Ann Parker', role: 'agent', skills: { languages: ['en'], jurisdictions: ['us-regf'], buckets: EARLY }, capacity: 30, zone: 'America/New_York' },
  { id: 'ben', name: 'Ben Ortiz', role: 'agent', skills: { languages: ['en'], jurisdictions: ['us-regf'], buckets: EARLY }, capacity: 30, zone: 'America/Chicago' },
  { id: 'mei', name: 'Mei Lin', role: 'agent', skills: { languages: ['en', 'zh-CN'], jurisdictions: ['us-regf'], buckets: EARLY }, capacity: 30, zone: 'America/Los_Angeles' },
  { id: 'olivia', name: 'Olivia Hughes', role: 'agent', skills: { languages: ['en'], jurisdictions: ['uk-conc'], buckets: EARLY }, capacity: 30, zone: 'Europe/London' },
  { id: 'wei', name: 'Wang Wei', role: 'agent', skills: { languages: ['zh-CN'], jurisdictions: ['cn'], buckets: EARLY }, capacity: 30, zone: 'Asia/Shanghai' },
  { id: 'na', name: 'Li Na', role: 'agent', skills: { languages: ['zh-CN', 'en'], jurisdictions: ['cn'], buckets: EARLY }, capacity: 30, zone: 'Asia/Shanghai' },
];

export const DEMO_SUPERVISOR: DemoUser = {
  id: 'grace', name: 'Grace Okafor', role: 'supervisor', skills: { languages: ['en'], jurisdictions: [], buckets: [] }, capacity: 0, zone: 'America/New_York',
};

export const DEMO_AGENCIES: readonly DemoAgency[] = [
  { id: 'acme', name: 'Acme Recoveries', commission: { M3: '0.15', M4: '0.18', M5: '0.22', M6: '0.25' }, placementDays: 30, capacity: 300, regions: ['US'] },
  { id: 'thames', name: 'Thames Credit Services', commission: { M3: '0.16', M4: '0.2', M5: '0.24', M6: '0.28' }, placementDays: 45, capacity: 150, regions: ['GB'] },
  { id: 'huaxia', name: 'Huaxia Asset Services', commission: { M3: '0.12', M4: '0.15', M5: '0.2', M6: '0.25' }, placementDays: 60, capacity: 150, regions: ['CN'] },
];

/** Agency agents: whatever is placed with their agency (the queue deals a placed account to its agency's agents only), in its region's pack. */
export const DEMO_AGENCY_AGENTS: readonly DemoUser[] = [
  { id: 'acme-kim', name: 'Kim Novak', role: 'agency_agent', agencyId: 'acme', skills: { languages: ['en'], jurisdictions: ['us-regf'], buckets: [] }, capacity: 25, zone: 'America/Chicago' },
  { id: 'acme-raj', name: 'Raj Mehta', role: 'agency_agent', agencyId: 'acme', skills: { languages: ['en'], jurisdictions: ['us-regf'], buckets: [] }, capacity: 25, zone: 'America/New_York' },
  { id: 'thames-tom', name: 'Tom Reid', role: 'agency_agent', agencyId: 'thames', skills: { languages: ['en'], jurisdictions: ['uk-conc'], buckets: [] }, capacity: 25, zone: 'Europe/London' },
  { id: 'huaxia-jun', name: 'Zhao Jun', role: 'agency_agent', agencyId: 'huaxia', skills: { languages: ['zh-CN'], jurisdictions: ['cn'], buckets: [] }, capacity: 25, zone: 'Asia/Shanghai' },
  { id: 'huaxia-yan', name: 'Chen Yan', role: 'agency_agent', agencyId: 'huaxia', skills: { languages: ['zh-CN'], jurisdictions: ['cn'], buckets: [] }, capacity: 25, zone: 'Asia/Shanghai' },
];

const field = (id: string, name: string, pack: string, zone: string, base: string, districts: string[], languages: string[]): DemoFieldAgent => ({
  id, name, role: 'field_agent', pack, zone, base, districts, capacity: 0,
  skills: { languages, jurisdictions: [pack], buckets: [] },
});

/** Field agents; the cn pack sends collectors in teams of two. */
export const DEMO_FIELD_AGENTS: readonly DemoFieldAgent[] = [
  field('f-sh-1', 'Xu Ming', 'cn', 'Asia/Shanghai', 'Shanghai', ['Shanghai', 'Hangzhou', 'Nanjing'], ['zh-CN']),
  field('f-sh-2', 'Sun Tao', 'cn', 'Asia/Shanghai', 'Shanghai', ['Shanghai', 'Hangzhou', 'Nanjing'], ['zh-CN']),
  field('f-gz-1', 'Huang Jie', 'cn', 'Asia/Shanghai', 'Guangzhou', ['Guangzhou', 'Shenzhen'], ['zh-CN']),
  field('f-gz-2', 'Deng Hui', 'cn', 'Asia/Shanghai', 'Guangzhou', ['Guangzhou', 'Shenzhen'], ['zh-CN']),
  field('f-nyc', 'Carlos Lopez', 'us-regf', 'America/New_York', 'New York, NY', ['New York, NY', 'Boston, MA', 'Philadelphia, PA'], ['en']),
  field('f-ldn', 'Harry Evans', 'uk-conc', 'Europe/London', 'London', ['London', 'Bristol', 'Cardiff', 'Birmingham'], ['en']),
];

export const DEMO_USERS: readonly DemoUser[] = [...DEMO_AGENTS, DEMO_SUPERVISOR, ...DEMO_AGENCY_AGENTS, ...DEMO_FIELD_AGENTS];

/** Caller numbers (caller ID) the lender and each agency show, from ranges reserved for fiction where one exists. */
export const DEMO_CALLER_NUMBERS: readonly { number: string; agencyId: string | null; label: string }[] = [
  { number: '+12125550199', agencyId: null, label: 'Collections US' },
  { number: '+442079460100', agencyId: null, label: 'Collections UK' },
  { number: '+862161234567', agencyId: null, label: 'Collections CN' },
  { number: '+13125550142', agencyId: 'acme', label: 'Acme Recoveries' },
  { number: '+441614960100', agencyId: 'thames', label: 'Thames Credit Services' },
  { number: '+8675512345678', agencyId: 'huaxia', label: 'Huaxia Asset Services' },
];

const LENDER_NUMBER_BY_PACK: Readonly<Record<string, string>> = { 'us-regf': '+12125550199', 'uk-conc': '+442079460100', cn: '+862161234567' };

/** The caller number a demo user shows: their agency's, else the lender's for their (first) jurisdiction; null: none. */
export function demoCallerNumber(u: Pick<DemoUser, 'agencyId' | 'skills'>): string | null {
  if (u.agencyId !== undefined) return DEMO_CALLER_NUMBERS.find((n) => n.agencyId === u.agencyId)?.number ?? null;
  const pack = u.skills.jurisdictions[0];
  return pack === undefined ? null : LENDER_NUMBER_BY_PACK[pack] ?? null;
}

/** One rule per late bucket; the contracts' regions send each account to its country's agency. */
export const DEMO_PLACEMENT_RULES = LATE.map((bucket) => ({ id: `late-${bucket}`, bucket, minBalance: 1 }));

const RELATIONS = ['spouse', 'parent', 'sibling', 'friend', 'colleague'] as const;

/**
 * A reference (contact person) for one in six delinquent accounts, deterministic by account id: a
 * relation and a number in the borrower's country (the borrower's number with other last digits).
 * null: none for this account.
 */
export function demoReference(accountId: string, borrowerPhone: string | undefined): { id: string; accountId: string; kind: 'reference'; relation: string; name: string; phones: string[] } | null {
  const h = hashString(`ref|${accountId}`);
  if (h % 6 !== 0 || borrowerPhone === undefined || borrowerPhone.length < 6) return null;
  const digits = String(10 + ((h >>> 8) % 90));
  const phone = borrowerPhone.slice(0, -2) + (borrowerPhone.endsWith(digits) ? String((Number(digits) + 1) % 90 + 10) : digits);
  return {
    id: `R-${accountId.replace(/^L-/, '')}`, accountId, kind: 'reference', relation: RELATIONS[(h >>> 4) % RELATIONS.length] as string,
    name: `Reference of ${accountId}`, phones: [phone],
  };
}

/** City centres of the simulator's addresses (src/sim/people.ts). */
export const CITY_CENTRES: Readonly<Record<string, { lat: number; lon: number }>> = {
  Shanghai: { lat: 31.2304, lon: 121.4737 }, Beijing: { lat: 39.9042, lon: 116.4074 }, Shenzhen: { lat: 22.5431, lon: 114.0579 },
  Guangzhou: { lat: 23.1291, lon: 113.2644 }, Hangzhou: { lat: 30.2741, lon: 120.1551 }, Chengdu: { lat: 30.5728, lon: 104.0668 },
  Wuhan: { lat: 30.5928, lon: 114.3055 }, Nanjing: { lat: 32.0603, lon: 118.7969 },
  London: { lat: 51.5072, lon: -0.1276 }, Manchester: { lat: 53.4808, lon: -2.2426 }, Birmingham: { lat: 52.4862, lon: -1.8904 },
  Leeds: { lat: 53.8008, lon: -1.5491 }, Glasgow: { lat: 55.8642, lon: -4.2518 }, Bristol: { lat: 51.4545, lon: -2.5879 },
  Liverpool: { lat: 53.4084, lon: -2.9916 }, Cardiff: { lat: 51.4816, lon: -3.1791 },
  'New York, NY': { lat: 40.7128, lon: -74.006 }, 'Boston, MA': { lat: 42.3601, lon: -71.0589 }, 'Philadelphia, PA': { lat: 39.9526, lon: -75.1652 },
  'Atlanta, GA': { lat: 33.749, lon: -84.388 }, 'Miami, FL': { lat: 25.7617, lon: -80.1918 }, 'Chicago, IL': { lat: 41.8781, lon: -87.6298 },
  'Dallas, TX': { lat: 32.7767, lon: -96.797 }, 'Houston, TX': { lat: 29.7604, lon: -95.3698 }, 'Austin, TX': { lat: 30.2672, lon: -97.7431 },
  'Minneapolis, MN': { lat: 44.9778, lon: -93.265 }, 'Denver, CO': { lat: 39.7392, lon: -104.9903 }, 'Salt Lake City, UT': { lat: 40.7608, lon: -111.891 },
  'Albuquerque, NM': { lat: 35.0844, lon: -106.6504 }, 'Los Angeles, CA': { lat: 34.0522, lon: -118.2437 },
  'San Francisco, CA': { lat: 37.7749, lon: -122.4194 }, 'Seattle, WA': { lat: 47.6062, lon: -122.3321 }, 'Portland, OR': { lat: 45.5152, lon: -122.6784 },
  'Las Vegas, NV': { lat: 36.1699, lon: -115.1398 },
};

/** The city of a simulated address line (`12 Main St, Boston, MA` → `Boston, MA`); null when unknown. */
export function cityOf(line: string): string | null {
  const i = line.indexOf(', ');
  if (i < 0) return null;
  const city = line.slice(i + 2);
  return CITY_CENTRES[city] ? city : null;
}

/**
 * Where a simulated address is: its city centre moved by up to ~4 km, the same for an account every
 * time (addresses carry no coordinates yet; see docs/field-visits.md).
 */
export function addressLocation(accountId: string, line: string): { district: string; lat: number; lon: number } | null {
  const city = cityOf(line);
  if (city === null) return null;
  const c = CITY_CENTRES[city] as { lat: number; lon: number };
  const h = hashString(`loc|${accountId}`);
  const dLat = ((h & 0xffff) / 0xffff - 0.5) * 0.07;
  const dLon = (((h >>> 16) & 0xffff) / 0xffff - 0.5) * 0.07;
  return { district: city, lat: Math.round((c.lat + dLat) * 1e5) / 1e5, lon: Math.round((c.lon + dLon) * 1e5) / 1e5 };
}
