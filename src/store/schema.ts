/**
 * The database schema as Kysely sees it. Money columns are BIGINT minor units (parsed to checked
 * numbers); dates are `YYYY-MM-DD` text; structured data is JSON text (portable across dialects).
 */
import type { Generated } from 'kysely';
import type { AuditEntry } from '../audit/index.js';

export interface ProductsTable {
  id: string;
  /** ProductSpec JSON */
  spec: string;
}

export interface BorrowersTable {
  id: string;
  name: string;
  timezone: string;
  /** Borrower JSON (phones, e-mails, addresses) */
  data: string;
}

export interface AccountsTable {
  id: string;
  borrower_id: string;
  product_id: string;
  currency: string;
  principal: number;
  disbursed: string;
}

export interface AccountStateTable {
  account_id: string;
  as_of: string | null;
  status: string;
  dpd: number;
  bucket: string;
  delinquent_since: string | null;
  principal: number;
  interest: number;
  penalty: number;
  fees: number;
  total: number;
  overdue: number;
  credit: number;
  /** instalments and cost-cap state: a versioned Float64 blob (see codec.ts) */
  data: Uint8Array;
}

export interface PaymentsTable {
  id: Generated<number>;
  key: string;
  account_id: string;
  business_date: string;
  amount: number;
  /** the business date whose close applied it; null while pending */
  applied_date: string | null;
}

export interface PausesTable {
  id: Generated<number>;
  account_id: string;
  from_date: string;
  until_date: string;
  reason: string;
}

export interface LedgerEventsTable {
  id: Generated<number>;
  account_id: string;
  business_date: string;
  type: string;
  data: string;
}

export interface CycleRunsTable {
  business_date: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  accounts: number;
  cursor: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface AttemptsTable {
  id: Generated<number>;
  account_id: string;
  business_date: string;
  time: string | null;
  party: string;
  channel: string;
  outcome: string;
  promise_amount: number | null;
  promise_due: string | null;
}

export interface AccountStageTable {
  account_id: string;
  stage: string;
  since: string;
  /** name@version */
  strategy: string;
  variant: string | null;
}

export interface StageMovesTable {
  id: Generated<number>;
  account_id: string;
  business_date: string;
  from_stage: string | null;
  to_stage: string;
  strategy: string;
  variant: string | null;
  /** the `when` expression that fired */
  condition: string;
  /** the facts it saw, JSON */
  facts: string;
}

export interface TasksTable {
  id: Generated<number>;
  account_id: string;
  business_date: string;
  type: string;
  party: string | null;
  channel: string | null;
  template: string | null;
  priority: number;
  window: string | null;
  /** the stage that planned it */
  stage: string;
  /** 1..n among the tasks one action planned for the day */
  seq: number;
  /** visits: residential or id_card */
  address: string | null;
  status: string;
}

export interface GateDecisionsTable {
  id: Generated<number>;
  debt_id: string;
  party_id: string;
  party_kind: string;
  contact_point: string;
  channel: string;
  purpose: string;
  /** ISO instant of the attempt */
  at: string;
  /** 1 allowed, 0 blocked */
  allowed: number;
  rule: string | null;
  reason: string;
  next_allowed_at: string | null;
  /** rule ids evaluated, JSON */
  checked: string;
  /** the attempt's outcome once known; null while pending (and for blocked decisions) */
  outcome: string | null;
}

/** The audit log's rows are its entries (src/audit/chain.ts). */
export type AuditLogTable = AuditEntry;

export interface Database {
  products: ProductsTable;
  borrowers: BorrowersTable;
  accounts: AccountsTable;
  account_state: AccountStateTable;
  payments: PaymentsTable;
  pauses: PausesTable;
  ledger_events: LedgerEventsTable;
  cycle_runs: CycleRunsTable;
  settings: SettingsTable;
  attempts: AttemptsTable;
  account_stage: AccountStageTable;
  stage_moves: StageMovesTable;
  tasks: TasksTable;
  gate_decisions: GateDecisionsTable;
  audit_log: AuditLogTable;
}
