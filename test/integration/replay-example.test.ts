/**
 * The reference timeline, replayed through the real CLI, with balances checked to the cent.
 * Hand computation (p12: annuity 12%/12 months 30/360, penalty 0.0005/day on overdue principal, LD 5%):
 * - instalments 88849; #1 = 78849 principal + 10000 interest, #2 = 79637 + 9212, #3 = 80434 + 8415, #4 = 81238 + 7611
 * - 03-02: #2 one day late. penalty round(79637 × 0.0005 = 39.8185) = 40; LD round(0.05 × 88849 = 4442.45) = 4442;
 *   interest = 9212 billed + #3 accrued 1/31 × 8415 = 271.45 → 271 ⇒ 9483
 * - 04-19: penalty 31 days × 40 (03-02 … 04-01, #2 alone) + 18 days × round(160071 × 0.0005 = 80.0355) = 80 ⇒ 2680;
 *   LD #3 on 04-02 ⇒ fees 8884
 * - 04-20: 100000 pays #2 (LD 4442, its penalty 1240 + 18 × 40 = 1960, interest 9212, principal 79637 = 95251),
 *   the rest 4749 goes to #3 (LD 4442, penalty 307). Then the day's penalty on #3: round(80434 × 0.0005) = 40
 *   ⇒ penalty 720 − 307 + 40 = 453; interest = #3 8415 + #4 19/30 × 7611 = 4820.3 → 4820 ⇒ 13235
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../src/timeline/index.js';
import { replay } from '../../src/cycle/replay.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const FILE = 'timelines/example.yaml';

interface Row {
  date: string;
  account: string;
  dpd: number;
  bucket: string;
  delinquentSince: string | null;
  balances: { principal: number; interest: number; penalty: number; fees: number; total: number };
  overdue: number;
  events: { type: string; [k: string]: unknown }[];
}

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

describe('replay of the reference timeline', () => {
  const rows: Row[] = cli(['replay', FILE, '--format', 'json']).trim().split('\n').map((l) => JSON.parse(l) as Row);
  const on = (d: string): Row => {
    const r = rows.find((x) => x.date === d);
    if (!r) throw new Error(`no row for ${d}`);
    return r;
  };

  it('prints one row per account per day from start to until, keys in the documented order', () => {
    expect(rows).toHaveLength(181);
    expect(rows[0]?.date).toBe('2026-01-01');
    expect(rows.at(-1)?.date).toBe('2026-06-30');
    expect(Object.keys(rows[0] as object)).toEqual(['date', 'account', 'dpd', 'bucket', 'delinquentSince', 'balances', 'overdue', 'events']);
  });

  it('is current after the first instalment is paid on its due date', () => {
    const r = on('2026-02-01');
    expect([r.dpd, r.bucket, r.delinquentSince]).toEqual([0, 'C', null]);
    expect(r.balances).toEqual({ principal: 921151, interest: 0, penalty: 0, fees: 0, total: 921151 });
    expect(r.overdue).toBe(0);
    expect(r.events.map((e) => e.type)).toEqual(['instalment_due', 'payment']);
  });

  it('is DPD 1 on 2026-03-02 with one day of penalty and liquidated damages', () => {
    const r = on('2026-03-02');
    expect([r.dpd, r.bucket, r.delinquentSince]).toEqual([1, 'M1', '2026-03-02']);
    expect(r.balances).toEqual({ principal: 921151, interest: 9483, penalty: 40, fees: 4442, total: 935116 });
    expect(r.overdue).toBe(79637 + 9212 + 40 + 4442);
    expect(r.events).toContainEqual({ type: 'liquidated_damages', n: 2, amount: 4442 });
  });

  it('is DPD 49 on 2026-04-19', () => {
    const r = on('2026-04-19');
    expect([r.dpd, r.bucket, r.delinquentSince]).toEqual([49, 'M2', '2026-03-02']);
    expect(r.balances).toEqual({ principal: 921151, interest: 22194, penalty: 2680, fees: 8884, total: 954909 });
    expect(r.overdue).toBe(79637 + 9212 + 80434 + 8415 + 2680 + 8884);
  });

  it('the 2026-04-20 payment clears instalment 2 with its charges: DPD 19', () => {
    const r = on('2026-04-20');
    expect([r.dpd, r.bucket, r.delinquentSince]).toEqual([19, 'M1', '2026-03-02']);
    expect(r.balances).toEqual({ principal: 841514, interest: 13235, penalty: 453, fees: 0, total: 855202 });
    expect(r.overdue).toBe(80434 + 8415 + 453);
    expect(r.events).toContainEqual({
      type: 'payment', key: 'pay-7', amount: 100000,
      allocation: { fees: 8884, penalty: 2267, interest: 9212, principal: 79637, credit: 0, prepaid: 0 },
    });
  });

  it('ends 2026-06-30 in M3 with nothing paid since', () => {
    const r = on('2026-06-30');
    expect([r.dpd, r.bucket]).toEqual([90, 'M3']);
    expect(r.balances.principal).toBe(841514);
  });

  it('--until and --account filter, --format table is readable', () => {
    const some = cli(['replay', FILE, '--format', 'json', '--until', '2026-03-02', '--account', 'L-1']).trim().split('\n');
    expect(some).toHaveLength(61);
    const table = cli(['replay', FILE, '--until', '2026-03-02']);
    expect(table).toMatch(/2026-03-02\s+L-1\s+1\s+M1/);
    expect(table).toContain('LD #2 44.42');
  });

  it('the in-process runner gives the same rows as the CLI', async () => {
    const t = parseTimeline(readFileSync(FILE, 'utf8'), FILE);
    const r = await replay(t);
    expect(JSON.parse(JSON.stringify(r.rows))).toEqual(rows);
  });
});
