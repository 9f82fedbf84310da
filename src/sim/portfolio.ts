/**
 * Synthetic portfolios: accounts, borrowers and behaviours, a pure function of (seed, index).
 * Loan i can be generated on its own (`generateLoan`), so a benchmark can stream millions of
 * accounts without holding them all.
 */
import { currencyDigits, fromEpochDay, parseDate, toEpochDay, ValidationError } from '../core/index.js';
import type { BusinessDate } from '../core/index.js';
import type { Account, Product } from '../ledger/index.js';
import { ARCHETYPE_SHARES, drawBehaviour } from './behaviour.js';
import type { Archetype } from './behaviour.js';
import { makeBorrower } from './people.js';
import { DEMO_PROFILES, demoProducts } from './products.js';
import type { ProductProfile } from './products.js';
import { hashString, mixSeeds, Rng, seedWord } from './rng.js';
import type { SimLoan, SimPortfolio } from './types.js';

export interface PortfolioOptions {
  count: number;
  seed: number;
  /** the business date the portfolio is as of: every loan is disbursed at least 20 days before it */
  asOf: BusinessDate;
  /** loans are disbursed from asOf − historyDays − 360 days on */
  historyDays: number;
  /** archetype shares (default ARCHETYPE_SHARES) */
  shares?: Readonly<Record<Archetype, number>>;
  /** product mix (default DEMO_PROFILES, with demoProducts()) */
  profiles?: readonly ProductProfile[];
  products?: Record<string, Product>;
}

/** Minimum width of the numeric part of ids (L-0000001): zero padding keeps lexical order = numeric order. */
export const ID_DIGITS = 7;

export function idWidth(count: number): number {
  return Math.max(ID_DIGITS, String(Math.max(0, count)).length);
}

export function accountId(index: number, width = ID_DIGITS): string {
  return `L-${String(index + 1).padStart(width, '0')}`;
}

export function borrowerId(index: number, width = ID_DIGITS): string {
  return `B-${String(index + 1).padStart(width, '0')}`;
}

/** Everything generateLoan needs, checked and precomputed once per portfolio. */
export interface LoanFactory {
  readonly products: Record<string, Product>;
  loan(index: number): SimLoan;
}

export function loanFactory(opts: PortfolioOptions): LoanFactory {
  if (!Number.isSafeInteger(opts.count) || opts.count < 0) throw new ValidationError('count', `must be a whole number ≥ 0, got ${opts.count}`);
  if (!Number.isSafeInteger(opts.historyDays) || opts.historyDays < 0) {
    throw new ValidationError('historyDays', `must be a whole number ≥ 0, got ${opts.historyDays}`);
  }
  const asOf = parseDate(opts.asOf, 'asOf');
  const products = opts.products ?? demoProducts();
  const profiles = opts.profiles ?? DEMO_PROFILES;
  for (const p of profiles) {
    if (!products[p.productId]) throw new ValidationError('profiles', `product ${p.productId} is not among the products`);
    currencyDigits(p.currency);
  }
  const profilePairs = profiles.map((p) => [p, p.share] as const);
  const shares = opts.shares ?? ARCHETYPE_SHARES;
  const seed = seedWord(opts.seed);
  const width = idWidth(opts.count);
  const last = toEpochDay(asOf) - 20;
  const first = toEpochDay(asOf) - opts.historyDays - 360;

  return {
    products,
    loan(index: number): SimLoan {
      const rng = new Rng(seed, index);
      const profile = rng.weighted(profilePairs);
      const product = products[profile.productId] as Product;
      const id = accountId(index, width);
      // principal: skewed towards the small end of the range, in whole steps
      const steps = Math.floor((profile.principalMax - profile.principalMin) / profile.step);
      const major = profile.principalMin + profile.step * Math.floor(Math.pow(rng.next(), 1.8) * (steps + 1));
      const account: Account = {
        id,
        borrowerId: borrowerId(index, width),
        productId: product.id,
        currency: profile.currency,
        principal: major * 10 ** currencyDigits(profile.currency),
        disbursed: fromEpochDay(rng.int(first, last)),
      };
      const borrower = makeBorrower(rng, account.borrowerId, profile.currency);
      const behaviour = drawBehaviour(rng, product.termMonths, mixSeeds(seed, hashString(id)), shares);
      return { account, borrower, behaviour };
    },
  };
}

/** One loan of the portfolio `generatePortfolio(opts)` would make, without making the others. */
export function generateLoan(index: number, opts: PortfolioOptions): SimLoan {
  return loanFactory(opts).loan(index);
}

export function generatePortfolio(opts: PortfolioOptions): SimPortfolio {
  const f = loanFactory(opts);
  const loans: SimLoan[] = new Array<SimLoan>(opts.count);
  for (let i = 0; i < opts.count; i++) loans[i] = f.loan(i);
  return { products: f.products, loans, seed: opts.seed, asOf: opts.asOf };
}
