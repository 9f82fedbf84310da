import type { BusinessDate } from '../core/index.js';
import type { Borrower } from '../contact/index.js';
import type { Account, Product } from '../ledger/index.js';
import type { Behaviour } from './behaviour.js';

export interface SimLoan {
  account: Account;
  borrower: Borrower;
  behaviour: Behaviour;
}

export interface SimPortfolio {
  products: Record<string, Product>;
  loans: SimLoan[];
  /** the options it was generated with */
  seed: number;
  asOf: BusinessDate;
}
