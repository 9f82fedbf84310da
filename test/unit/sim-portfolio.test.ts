import { describe, expect, it } from 'vitest';
import { addDays, currencyDigits } from '../../src/core/index.js';
import { parseBorrower } from '../../src/contact/index.js';
import { parseProduct, productToSpec } from '../../src/ledger/index.js';
import {
  accountId, ARCHETYPE_SHARES, ARCHETYPES, DEMO_PROFILES, demoProducts, generateLoan, generatePortfolio, idWidth,
} from '../../src/sim/index.js';
import type { Archetype, PortfolioOptions } from '../../src/sim/index.js';

const OPTS: PortfolioOptions = { count: 2_000, seed: 42, asOf: '2026-06-30', historyDays: 90 };

const ZONES: Record<string, readonly string[]> = {
  USD: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'],
  CNY: ['Asia/Shanghai'],
  GBP: ['Europe/London'],
};

describe('demo products', () => {
  it('are valid products covering annuity, equal principal, a capped bullet and a CNY product', () => {
    const products = demoProducts();
    const list = Object.values(products);
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.length).toBeLessThanOrEqual(4);
    for (const p of list) expect(parseProduct(p.id, productToSpec(p))).toEqual(p);
    expect(new Set(list.map((p) => p.method))).toEqual(new Set(['annuity', 'equal-principal', 'bullet']));
    expect(list.some((p) => p.method === 'bullet' && p.costCap !== null && p.termMonths <= 3)).toBe(true);
    expect(list.some((p) => p.dayCount === 'actual/365' && p.method === 'equal-principal')).toBe(true);
    const annuity = products['us-consumer-annuity'];
    expect(annuity?.dayCount).toBe('30/360');
    expect(annuity?.graceDays).toBe(3);
    expect(annuity?.liquidatedDamages?.kind).toBe('percent');
    expect(DEMO_PROFILES.some((p) => p.currency === 'CNY')).toBe(true);
    for (const prof of DEMO_PROFILES) expect(products[prof.productId]).toBeDefined();
  });
});

describe('generatePortfolio', () => {
  it('is deterministic: same seed → identical, different seed → different', () => {
    const a = generatePortfolio(OPTS);
    const b = generatePortfolio(OPTS);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = generatePortfolio({ ...OPTS, seed: 43 });
    expect(c.loans.map((l) => l.account.id)).toEqual(a.loans.map((l) => l.account.id));
    let same = 0;
    for (let i = 0; i < a.loans.length; i++) {
      if (JSON.stringify(a.loans[i]) === JSON.stringify(c.loans[i])) same++;
    }
    expect(same).toBe(0);
  });

  it('generates any one loan on its own, identical to the portfolio', () => {
    const p = generatePortfolio(OPTS);
    for (const i of [0, 1, 17, 999, 1_999]) expect(generateLoan(i, OPTS)).toEqual(p.loans[i]);
  });

  it('pads ids so lexical order is numeric order', () => {
    const p = generatePortfolio({ ...OPTS, count: 1_200 });
    const ids = p.loans.map((l) => l.account.id);
    expect(ids[0]).toBe('L-0000001');
    expect(ids[1_199]).toBe('L-0001200');
    for (const id of ids) expect(id).toMatch(/^L-\d{7}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const l of p.loans) {
      expect(l.borrower.id).toMatch(/^B-\d{7}$/);
      expect(l.account.borrowerId).toBe(l.borrower.id);
    }
    expect(idWidth(12_345_678)).toBe(8);
    expect(accountId(9, idWidth(12_345_678))).toBe('L-00000010');
  });

  it('makes valid borrowers whose time zone, phone and address match the currency', () => {
    const p = generatePortfolio(OPTS);
    const zh = /^(Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Zhu|Hu|Guo|He|Gao|Lin|Luo|Zheng|Liang|Xie|Song|Tang|Han|Feng|Deng|Cao|Peng) /;
    for (const { account, borrower } of p.loans) {
      expect(parseBorrower(borrower)).toEqual(borrower);
      expect(ZONES[account.currency]).toContain(borrower.timezone);
      expect(borrower.phones.length).toBeGreaterThan(0);
      const phone = borrower.phones[0] ?? '';
      if (account.currency === 'USD') expect(phone).toMatch(/^\+1\d{3}55501\d{2}$/);
      if (account.currency === 'GBP') expect(phone).toMatch(/^\+447700900\d{3}$/);
      if (account.currency === 'CNY') {
        expect(phone).toMatch(/^\+861\d{10}$/);
        expect(borrower.name).toMatch(zh);
      }
      for (const e of borrower.emails) expect(e).toMatch(/@example\.(com|org|net)$/);
    }
  });

  it('gives borrowers languages from the seed: CN zh-CN, UK en, US en or (a share, the Chinese names) zh-CN first then en', () => {
    const p = generatePortfolio(OPTS);
    const seen = new Map<string, number>();
    for (const { account, borrower } of p.loans) {
      const key = `${account.currency} ${borrower.languages.join('+')}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      // the US borrowers with a Chinese given name first (see people.ts) are the zh-CN speakers
      if (account.currency === 'USD') expect(borrower.languages[0] === 'zh-CN').toBe(/^(Wei|Fang|Na|Xiuying|Min|Jing|Li|Qiang|Lei|Jun|Yang|Yong|Yan|Jie|Juan|Tao|Ming|Chao|Xiulan|Xia|Ping|Gang|Hui|Haoran|Zihan|Yuxuan|Xinyi|Jiahao|Yiting|Zhiwei) /.test(borrower.name));
    }
    expect([...seen.keys()].sort()).toEqual(['CNY zh-CN', 'GBP en', 'USD en', 'USD zh-CN+en']);
    const usZh = (seen.get('USD zh-CN+en') ?? 0) / ((seen.get('USD zh-CN+en') ?? 0) + (seen.get('USD en') ?? 0));
    expect(usZh).toBeGreaterThan(0.05);
    expect(usZh).toBeLessThan(0.15);
    // the same seed, the same languages
    expect(generatePortfolio(OPTS).loans.map((l) => l.borrower.languages)).toEqual(p.loans.map((l) => l.borrower.languages));
  });

  it('draws principals in range and disbursements in the window', () => {
    const p = generatePortfolio(OPTS);
    const first = addDays(OPTS.asOf, -OPTS.historyDays - 360);
    const last = addDays(OPTS.asOf, -20);
    const byProduct = new Map<string, number>();
    for (const { account } of p.loans) {
      const prof = DEMO_PROFILES.find((x) => x.productId === account.productId);
      expect(prof).toBeDefined();
      if (!prof) continue;
      expect(account.currency).toBe(prof.currency);
      const unit = 10 ** currencyDigits(prof.currency);
      expect(Number.isSafeInteger(account.principal)).toBe(true);
      expect(account.principal).toBeGreaterThanOrEqual(prof.principalMin * unit);
      expect(account.principal).toBeLessThanOrEqual(prof.principalMax * unit);
      expect((account.principal / unit - prof.principalMin) % prof.step).toBe(0);
      expect(account.disbursed >= first && account.disbursed <= last).toBe(true);
      byProduct.set(account.productId, (byProduct.get(account.productId) ?? 0) + 1);
    }
    const total = DEMO_PROFILES.reduce((s, x) => s + x.share, 0);
    for (const prof of DEMO_PROFILES) {
      expect((byProduct.get(prof.productId) ?? 0) / p.loans.length).toBeCloseTo(prof.share / total, 1);
    }
  });

  it('draws archetypes in the configured shares over 10k loans, with sane parameters', () => {
    const p = generatePortfolio({ ...OPTS, count: 10_000 });
    const products = p.products;
    const tally: Record<Archetype, number> = { prompt: 0, 'late-payer': 0, partial: 0, 'defaulter-cures': 0, defaulter: 0 };
    for (const { account, behaviour: b } of p.loans) {
      tally[b.archetype]++;
      const term = products[account.productId]?.termMonths ?? 0;
      expect(Number.isInteger(b.seed) && b.seed >= 0 && b.seed <= 0xffffffff).toBe(true);
      switch (b.archetype) {
        case 'late-payer':
          expect(b.daysLate).toBeGreaterThanOrEqual(5);
          expect(b.daysLate).toBeLessThanOrEqual(40);
          break;
        case 'partial':
          expect(b.share > 0 && b.share < 1).toBe(true);
          break;
        case 'defaulter-cures':
          expect(b.missed).toBeGreaterThanOrEqual(1);
          expect(b.stopAfter + b.missed).toBeLessThanOrEqual(Math.max(1, term));
          break;
        case 'defaulter':
          expect(b.stopAfter).toBeLessThan(Math.max(1, term));
          break;
        case 'prompt':
          expect(b.slipRate).toBeLessThan(0.2);
      }
    }
    for (const a of ARCHETYPES) expect(Math.abs(tally[a] / 10_000 - ARCHETYPE_SHARES[a])).toBeLessThan(0.025);
    expect(new Set(p.loans.map((l) => l.behaviour.seed)).size).toBeGreaterThan(9_990);
  });

  it('takes custom archetype shares and rejects bad options', () => {
    const p = generatePortfolio({ ...OPTS, count: 300, shares: { prompt: 0, 'late-payer': 0, partial: 0, 'defaulter-cures': 0, defaulter: 1 } });
    expect(p.loans.every((l) => l.behaviour.archetype === 'defaulter')).toBe(true);
    expect(() => generatePortfolio({ ...OPTS, count: -1 })).toThrow(/count/);
    expect(() => generatePortfolio({ ...OPTS, asOf: '2026-02-30' })).toThrow(/asOf/);
    expect(() => generatePortfolio({ ...OPTS, historyDays: 1.5 })).toThrow(/historyDays/);
    expect(generatePortfolio({ ...OPTS, count: 0 }).loans).toEqual([]);
  });
});
