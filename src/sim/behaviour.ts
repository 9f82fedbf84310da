/**
 * Borrower archetypes: how a borrower pays, with parameters drawn once per loan.
 * Per-instalment randomness (how many days early or late this month) is drawn later, from `seed`.
 */
import type { Rng } from './rng.js';

export type Archetype = 'prompt' | 'late-payer' | 'partial' | 'defaulter-cures' | 'defaulter';

export const ARCHETYPES: readonly Archetype[] = ['prompt', 'late-payer', 'partial', 'defaulter-cures', 'defaulter'];

/** Default archetype shares of a portfolio. */
export const ARCHETYPE_SHARES: Readonly<Record<Archetype, number>> = {
  prompt: 0.65,
  'late-payer': 0.15,
  partial: 0.07,
  'defaulter-cures': 0.05,
  defaulter: 0.08,
};

interface BehaviourBase {
  /** per-loan seed of the payment stream (derived from the portfolio seed and the account id) */
  readonly seed: number;
}

/** Pays each instalment on its due date or up to a few days before; now and then slips a few days. */
export interface PromptBehaviour extends BehaviourBase {
  readonly archetype: 'prompt';
  /** chance per instalment of paying 1–12 days late */
  readonly slipRate: number;
}

/** Pays every instalment in full, typically `daysLate` (5–40) days after it falls due. */
export interface LatePayerBehaviour extends BehaviourBase {
  readonly archetype: 'late-payer';
  readonly daysLate: number;
  /** standard deviation of the lateness, in days */
  readonly spread: number;
}

/** Pays a fixed `share` of the first instalment every month until the loan is repaid; arrears build up. */
export interface PartialBehaviour extends BehaviourBase {
  readonly archetype: 'partial';
  readonly share: number;
}

/** Pays `stopAfter` instalments, misses `missed`, then pays all arrears `cureDays` after the last missed one, then pays on time. */
export interface DefaulterCuresBehaviour extends BehaviourBase {
  readonly archetype: 'defaulter-cures';
  readonly stopAfter: number;
  readonly missed: number;
  readonly cureDays: number;
}

/** Pays `stopAfter` instalments, then makes `tokenPayments` small payments and stops for good. */
export interface DefaulterBehaviour extends BehaviourBase {
  readonly archetype: 'defaulter';
  readonly stopAfter: number;
  readonly tokenPayments: number;
}

export type Behaviour = PromptBehaviour | LatePayerBehaviour | PartialBehaviour | DefaulterCuresBehaviour | DefaulterBehaviour;

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Draws a behaviour for a loan of `termMonths` instalments. */
export function drawBehaviour(
  rng: Rng,
  termMonths: number,
  seed: number,
  shares: Readonly<Record<Archetype, number>> = ARCHETYPE_SHARES,
): Behaviour {
  const archetype = rng.weighted(ARCHETYPES.map((a) => [a, shares[a]] as const));
  switch (archetype) {
    case 'prompt':
      return { archetype, seed, slipRate: rng.chance(0.7) ? 0 : round2(rng.float(0.02, 0.1)) };
    case 'late-payer': {
      const daysLate = rng.int(5, 40);
      return { archetype, seed, daysLate, spread: Math.max(1, Math.round(daysLate * rng.float(0.1, 0.35))) };
    }
    case 'partial':
      return { archetype, seed, share: round2(rng.float(0.35, 0.85)) };
    case 'defaulter-cures': {
      const stopAfter = rng.int(0, Math.max(0, Math.min(termMonths - 2, 8)));
      const missed = rng.int(1, Math.max(1, Math.min(4, termMonths - stopAfter)));
      return { archetype, seed, stopAfter, missed, cureDays: rng.int(3, missed === 1 ? 45 : 25) };
    }
    case 'defaulter': {
      // first-payment default is the single most common case
      const stopAfter = termMonths <= 1 || rng.chance(0.25) ? 0 : rng.int(1, Math.min(termMonths - 1, 9));
      return { archetype, seed, stopAfter, tokenPayments: rng.weighted([[0, 0.6], [1, 0.25], [2, 0.15]] as const) };
    }
  }
}
