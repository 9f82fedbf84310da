/**
 * A parsed, validated timeline: products, accounts and scripted events to run through the daily
 * cycle from `start` to `until`. Plain data; the runner executes it.
 */
import type { BusinessDate, Minor } from '../core/index.js';
import type { Attempt, Borrower } from '../contact/index.js';
import type { Account, BucketDef, Product } from '../ledger/index.js';

export interface Timeline {
  /** the file name the timeline was read from, as given to parseTimeline */
  file: string;
  start: BusinessDate;
  until: BusinessDate;
  /** keyed by the product id used in the file */
  products: Record<string, Product>;
  /** in file order */
  accounts: TimelineAccount[];
  /** sorted by date; events on the same date keep file order */
  events: TimelineEvent[];
  /** null = the ledger's default bucket table */
  buckets: BucketDef[] | null;
  /**
   * The `strategy:` key as written: a strategy name (`default` → `strategies/default.yaml` under
   * the project root) or a path to a YAML file relative to the timeline file; null when absent.
   * `resolveStrategyPath` turns it into a file path.
   */
  strategy: string | null;
}

export interface TimelineAccount {
  /** `productId` is the product key in `Timeline.products`; `borrowerId` is `borrower.id` */
  account: Account;
  borrower: Borrower;
}

interface EventBase {
  date: BusinessDate;
  accountId: string;
  /** 1-based line of the event in the file */
  line: number;
  /** 0-based position of the event in the file's `events` list */
  index: number;
}

export interface PaymentEvent extends EventBase {
  kind: 'payment';
  amount: Minor;
  /** idempotency key; `${accountId}:${date}:${index}` when the file gives none */
  key: string;
}

export interface PauseEvent extends EventBase {
  kind: 'pause';
  /** inclusive; ≥ date */
  until: BusinessDate;
  reason: string;
}

/**
 * A contact attempt and its outcome. Written in the file as an `attempt` event, or expanded from an
 * `attempts` event (one per attempt, each with the `line` and `index` of the source event).
 */
export interface AttemptEvent extends EventBase {
  kind: 'attempt';
  /** `attempt.accountId` and `attempt.date` equal the event's `accountId` and `date` */
  attempt: Attempt;
}

export type TimelineEvent = PaymentEvent | PauseEvent | AttemptEvent;
export type TimelineEventKind = TimelineEvent['kind'];
