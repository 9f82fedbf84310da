/**
 * Synthetic borrowers: plausible names, languages and time zones that match the loan's currency, E.164 phones in
 * ranges reserved for fiction where one exists (US 555-01xx, UK 07700 900xxx), e-mail at example domains.
 */
import type { Address, Borrower } from '../contact/index.js';
import type { Rng } from './rng.js';

const EN_FIRST = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Daniel', 'Emily', 'Matthew', 'Olivia', 'Anthony', 'Sophie', 'Mark', 'Grace', 'Oliver', 'Chloe',
  'George', 'Amelia', 'Harry', 'Isla', 'Jack', 'Ava', 'Carlos', 'Maria', 'Luis', 'Ana',
] as const;
const EN_LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White',
  'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Evans', 'Roberts',
  'Hughes', 'Patel', 'Khan', 'Murphy', 'Campbell', 'Nguyen', 'Lopez', 'Hill', 'Scott', 'Green',
] as const;
const ZH_SURNAME = [
  'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou',
  'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Gao', 'Lin', 'Luo',
  'Zheng', 'Liang', 'Xie', 'Song', 'Tang', 'Han', 'Feng', 'Deng', 'Cao', 'Peng',
] as const;
const ZH_GIVEN = [
  'Wei', 'Fang', 'Na', 'Xiuying', 'Min', 'Jing', 'Li', 'Qiang', 'Lei', 'Jun',
  'Yang', 'Yong', 'Yan', 'Jie', 'Juan', 'Tao', 'Ming', 'Chao', 'Xiulan', 'Xia',
  'Ping', 'Gang', 'Hui', 'Haoran', 'Zihan', 'Yuxuan', 'Xinyi', 'Jiahao', 'Yiting', 'Zhiwei',
] as const;

interface Region {
  readonly timezone: string;
  readonly weight: number;
  /** area codes (US) or city names used in addresses */
  readonly areaCodes: readonly string[];
  readonly cities: readonly string[];
}

const US_REGIONS: readonly Region[] = [
  { timezone: 'America/New_York', weight: 0.47, areaCodes: ['212', '718', '646', '617', '215', '404', '305', '202'], cities: ['New York, NY', 'Boston, MA', 'Philadelphia, PA', 'Atlanta, GA', 'Miami, FL'] },
  { timezone: 'America/Chicago', weight: 0.29, areaCodes: ['312', '773', '214', '713', '512', '612'], cities: ['Chicago, IL', 'Dallas, TX', 'Houston, TX', 'Austin, TX', 'Minneapolis, MN'] },
  { timezone: 'America/Denver', weight: 0.07, areaCodes: ['303', '720', '801', '505'], cities: ['Denver, CO', 'Salt Lake City, UT', 'Albuquerque, NM'] },
  { timezone: 'America/Los_Angeles', weight: 0.17, areaCodes: ['213', '310', '415', '206', '503', '702'], cities: ['Los Angeles, CA', 'San Francisco, CA', 'Seattle, WA', 'Portland, OR', 'Las Vegas, NV'] },
];
const US_REGION_PAIRS = US_REGIONS.map((r) => [r, r.weight] as const);
const US_STREETS = ['Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Park Ave', 'Washington St', 'Lake Rd', 'Elm St', 'Pine St', 'Hillcrest Rd'] as const;
const UK_STREETS = ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Manor Road', 'Park Road', 'Queens Road'] as const;
const UK_TOWNS = ['London', 'Manchester', 'Birmingham', 'Leeds', 'Glasgow', 'Bristol', 'Liverpool', 'Cardiff'] as const;
const CN_CITIES = ['Shanghai', 'Beijing', 'Shenzhen', 'Guangzhou', 'Hangzhou', 'Chengdu', 'Wuhan', 'Nanjing'] as const;
const CN_ROADS = ['Renmin Lu', 'Jiefang Lu', 'Zhongshan Lu', 'Nanjing Lu', 'Jianshe Lu', 'Heping Lu'] as const;
const CN_MOBILE_PREFIXES = ['138', '139', '136', '150', '151', '158', '186', '187', '188', '135'] as const;

const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'] as const;

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

function emailFor(rng: Rng, given: string, family: string): string {
  const local = `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, '');
  return `${local}${rng.int(1, 999)}@${rng.pick(EMAIL_DOMAINS)}`;
}

/** A borrower whose time zone, phone and address match the currency of their loan. */
export function makeBorrower(rng: Rng, id: string, currency: string): Borrower {
  const addresses: Address[] = [];
  let name: string;
  let timezone: string;
  let phone: string;
  let email: string;
  // languages follow the draws already made (no extra draw: the rest of a seed's portfolio stays as it was)
  let languages: string[];
  if (currency === 'CNY') {
    const family = rng.pick(ZH_SURNAME);
    const given = rng.pick(ZH_GIVEN);
    name = `${family} ${given}`;
    timezone = 'Asia/Shanghai';
    languages = ['zh-CN'];
    phone = `+86${rng.pick(CN_MOBILE_PREFIXES)}${digits(rng, 8)}`;
    email = emailFor(rng, given, family);
    addresses.push({ kind: 'residential', line: `${rng.int(1, 888)} ${rng.pick(CN_ROADS)}, ${rng.pick(CN_CITIES)}`, country: 'CN' });
  } else if (currency === 'GBP') {
    const given = rng.pick(EN_FIRST);
    const family = rng.pick(EN_LAST);
    name = `${given} ${family}`;
    timezone = 'Europe/London';
    languages = ['en'];
    phone = `+447700900${digits(rng, 3)}`;
    email = emailFor(rng, given, family);
    addresses.push({ kind: 'residential', line: `${rng.int(1, 240)} ${rng.pick(UK_STREETS)}, ${rng.pick(UK_TOWNS)}`, country: 'GB' });
  } else {
    // USD (and anything else): a US borrower, one in ten with a Chinese name
    const zh = rng.chance(0.1);
    // the US borrowers with a Chinese name speak Mandarin first, and English
    languages = zh ? ['zh-CN', 'en'] : ['en'];
    const given = zh ? rng.pick(ZH_GIVEN) : rng.pick(EN_FIRST);
    const family = zh ? rng.pick(ZH_SURNAME) : rng.pick(EN_LAST);
    name = `${given} ${family}`;
    const region = rng.weighted(US_REGION_PAIRS);
    timezone = region.timezone;
    phone = `+1${rng.pick(region.areaCodes)}55501${digits(rng, 2)}`;
    email = emailFor(rng, given, family);
    addresses.push({ kind: 'residential', line: `${rng.int(10, 9999)} ${rng.pick(US_STREETS)}, ${rng.pick(region.cities)}`, country: 'US' });
  }
  const phones = [phone];
  if (rng.chance(0.3)) {
    // a second (work) number in the same region
    const second = phone.slice(0, -2) + digits(rng, 2);
    if (second !== phone) phones.push(second);
  }
  return { id, name, timezone, phones, emails: rng.chance(0.85) ? [email] : [], addresses, languages };
}
