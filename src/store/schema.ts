/**
 * The database schema as Kysely sees it. Money columns are BIGINT minor units (parsed to checked
 * numbers); dates are `YYYY-MM-DD` text; structured data is JSON text (portable across dialects).
 */
import type { ColumnType, Generated } from 'kysely';
import type { AuditEntry } from '../audit/index.js';

/** A nullable column added by a later migration: selected as T | null, may be left out of an insert (NULL). */
export type AddedColumn<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface ProductsTable {
  id: string;
  /** ProductSpec JSON */
  spec: string;
}

export interface BorrowersTable {
  id: string;
  name: string;
  timezone: string;
  /** Borrower JSON (phones, e-mails, addresses, languages; rows from before languages have none: read as []) */
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
  /** ledger events and payments applied so far for the date (migration 005; cumulative across resumed runs) */
  events: Generated<number>;
  payments: Generated<number>;
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
  /** migration 013 (src/store/outcomes.ts): the gate decision the result belongs to (unique), the party, who made it, a note */
  decision_id: AddedColumn<number>;
  party_id: AddedColumn<string>;
  agent_id: AddedColumn<string>;
  agency_id: AddedColumn<string>;
  note: AddedColumn<string>;
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
  /** who makes the attempt (migration 005; complaint rates); null when not given */
  agent_id: string | null;
  agency_id: string | null;
  /** 1: a personal contact point (residence, cell, a number given as personal); 0: not; null: not recorded (read as personal) */
  personal: number | null;
  /** the caller number (caller ID) the attempt showed (migration 014); null when not given */
  caller_number: AddedColumn<string>;
}

/** Compliance acts (migration 005, src/store/acts.ts): the facts holds, opt-outs and flags come from. */
export interface ComplianceActsTable {
  id: Generated<number>;
  debt_id: string;
  /** null: the consumer / the whole debt */
  party_id: string | null;
  kind: string;
  /** ISO instant (UTC, `toISOString`) the act was received / took effect */
  at: string;
  source: string;
  channel: string | null;
  contact_point: string | null;
  variant: string | null;
  treatment_ended_at: string | null;
  note: string | null;
  actor: string;
  /** ISO instant it was recorded */
  recorded_at: string;
}

/** Complaints (migration 005, src/store/complaints.ts). */
export interface ComplaintsTable {
  id: Generated<number>;
  account_id: string;
  party_id: string | null;
  category: string;
  status: string;
  received_on: string;
  /** received_on + response_days */
  due_on: string;
  response_days: number;
  /** which pack (or the default) set the response days */
  deadline_source: string;
  summary: string | null;
  root_cause: string | null;
  resolution: string | null;
  opened_at: string;
  updated_at: string;
}

/** What a complaint names: `attempt` (a gate decision id), `agent`, `agency`. */
export interface ComplaintLinksTable {
  complaint_id: number;
  kind: string;
  ref: string;
}

/** A complaint's history: opened, linked, status changes (each also in the audit log). */
export interface ComplaintEventsTable {
  id: Generated<number>;
  complaint_id: number;
  at: string;
  actor: string;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  /** JSON */
  data: string;
}

/** US validation notices sent (migration 006, src/store/notices.ts). */
export interface ValidationNoticesTable {
  id: Generated<number>;
  /** the account id */
  debt_id: string;
  sent_on: string;
  assumed_receipt: string;
  validation_period_ends: string;
  itemization_date: string;
  /** 1006.34(b)(3) reference: last-payment, transaction, … */
  itemization_reference: string;
  current_amount: number;
  currency: string;
  /** SHA-256 (hex) of the PDF sent */
  file_hash: string;
  /** ISO instant */
  recorded_at: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead';

/** Outgoing messages (migration 009, src/store/outbox.ts; sent by src/channels/dispatcher.ts). */
export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  channel: 'sms' | 'email';
  /** the message's `to` */
  recipient: string;
  /** the message's `from`; null: the channel's default */
  sender: string | null;
  subject: string | null;
  body: string;
  account_id: string | null;
  task_id: number | null;
  status: OutboxStatus;
  /** claims so far (each claim is one send attempt) */
  attempts: number;
  /** ISO instant: when a pending or failed row is due; for a sending row, when its lease expires */
  next_attempt_at: string;
  last_error: string | null;
  provider_id: string | null;
  created_at: string;
  updated_at: string;
  /** migration 016 (src/store/receipts.ts): the delivery status the gateway last reported, its own word, when */
  delivery_status?: string | null;
  delivery_provider_status?: string | null;
  delivery_updated_at?: string | null;
}

/** The audit log's rows are its entries (src/audit/chain.ts). */
export type AuditLogTable = AuditEntry;

export interface PartiesTable {
  id: string;
  account_id: string;
  kind: string;
  name: string;
  /** the rest of the Party (relation, timezone, languages, phones, emails, addresses, forbidsCalls), JSON */
  data: string;
  /** 1 when a reference with a number in use (summed per account for `contact.referencesOnFile`) */
  references_on_file: number;
}

/** Agency contracts (migration 010, src/store/agencies.ts). */
export interface AgenciesTable {
  id: string;
  name: string;
  /** { bucket: "0.185" } JSON: decimal rates as text, exact */
  commission: string;
  placement_days: number;
  capacity: number;
  /** JSON list of region codes */
  regions: string;
  created_at: string;
}

/** Accounts placed with agencies (migration 010); the agency's window is [placed_on, recalled_on ?? ends_on). */
export interface PlacementsTable {
  id: Generated<number>;
  account_id: string;
  agency_id: string;
  rule_id: string;
  /** bucket and balance at placement (the commission rate and the recovery cap come from them) */
  bucket: string;
  balance: number;
  currency: string;
  placed_on: string;
  ends_on: string;
  /** null while open */
  recalled_on: string | null;
  recall_reason: string | null;
  recall_ref: string | null;
  seed: string;
  placed_at: string;
}

/** Users who work accounts (migration 011, src/store/queues.ts). */
export interface UsersTable {
  id: string;
  name: string;
  /** agent | field_agent | supervisor | agency_agent */
  role: string;
  agency_id: string | null;
  /** { languages, jurisdictions, buckets } JSON */
  skills: string;
  /** queue items per business date */
  capacity: number;
  created_at: string;
}

/** Work-queue items, one per planned call task (migration 011); agent_id null: unassigned, with the reason. */
export interface QueueItemsTable {
  id: Generated<number>;
  task_id: number;
  business_date: string;
  account_id: string;
  agent_id: string | null;
  priority: number;
  /** open | done | skipped */
  status: string;
  reason: string | null;
  /** wrap-up: the gate decision of the attempt and its outcome */
  decision_id: number | null;
  outcome: string | null;
  updated_at: string;
  /** migration 013: the party the call is for (null: the borrower, for items queued before 013) */
  party_id: AddedColumn<string>;
  party_kind: AddedColumn<string>;
}

/** Field-visit day plans (migration 012, src/store/field.ts). */
export interface FieldPlansTable {
  id: Generated<number>;
  business_date: string;
  /** the DayPlan JSON (src/field) */
  data: string;
  stops: number;
  left_over: number;
  actor: string;
  created_at: string;
}

/** Field-visit reports (migration 012, src/store/field.ts). */
export interface VisitReportsTable {
  id: Generated<number>;
  account_id: string;
  visit_date: string;
  met: string;
  outcome: string;
  /** the VisitReport JSON (src/field) */
  data: string;
  actor: string;
  recorded_at: string;
  /** migration 017: the allowed gate decision taken at check-in (unique), the address visited (residential | id_card) */
  decision_id: AddedColumn<number>;
  address: AddedColumn<string>;
}

/** API bearer tokens (migration 016, src/store/tokens.ts): only the SHA-256 of a token is kept. */
export interface ApiTokensTable {
  id: Generated<number>;
  user_id: string;
  /** SHA-256 of the token, hex */
  token_hash: string;
  label: string | null;
  created_at: string;
  created_by: string;
  /** null while the token works */
  revoked_at: string | null;
  revoked_by: string | null;
}

/** Caller numbers (caller ID) calls may show (migration 014, src/store/caller-numbers.ts). */
export interface CallerNumbersTable {
  id: Generated<number>;
  /** E.164 */
  number: string;
  /** `lender` or an agency id */
  owner: string;
  label: string | null;
  /** ISO instants: in use from registered_at until retired_at (exclusive; null: still in use) */
  registered_at: string;
  retired_at: string | null;
}

/** Calls a dialer reported (migration 014, src/store/dialer.ts): one per dialer call id. */
export interface DialerCallsTable {
  call_id: string;
  decision_id: number;
  /** SHA-256 (hex) of the row's normalised content */
  row_hash: string;
  account_id: string;
  party_id: string;
  number: string;
  export_row_id: string | null;
  /** 1: the gate allowed the call; 0: blocked (a compliance exception) */
  allowed: number;
  imported_at: string;
}

/** Field check-ins (migration 018, src/store/field.ts): the visiting team of a visit's gate decision. */
export interface FieldCheckinsTable {
  decision_id: number;
  account_id: string;
  /** JSON list of the collectors' user ids, in the order given at check-in */
  collectors: string;
}

/** Collection letters (migration 015, src/store/letters.ts): one per letter task handled. */
export interface LettersTable {
  id: Generated<number>;
  business_date: string;
  task_id: number;
  account_id: string;
  party_id: string;
  party_kind: string;
  template: string;
  language: string;
  /** the print batch of the date it belongs to (1, then supplementary 2, 3, …) */
  batch: number;
  /** position in the batch PDF (printed letters only) */
  seq: number | null;
  /** printed | blocked | unaddressable */
  status: string;
  decision_id: number | null;
  rule: string | null;
  reason: string | null;
  recipient: string;
  /** JSON list of address lines */
  address: string;
  /** the LetterContent JSON drawn (printed letters) */
  content: string | null;
  sha256: string | null;
  pages: number | null;
  created_at: string;
}

/** Print batches (migration 015): one per business date and batch number. */
export interface LetterBatchesTable {
  id: Generated<number>;
  business_date: string;
  batch: number;
  /** SHA-256 of the batch PDF; null when nothing in it was printed */
  sha256: string | null;
  letters: number;
  not_printed: number;
  pages: number;
  actor: string;
  created_at: string;
}

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
  parties: PartiesTable;
  compliance_acts: ComplianceActsTable;
  complaints: ComplaintsTable;
  complaint_links: ComplaintLinksTable;
  complaint_events: ComplaintEventsTable;
  validation_notices: ValidationNoticesTable;
  agencies: AgenciesTable;
  placements: PlacementsTable;
  outbox: OutboxTable;
  field_plans: FieldPlansTable;
  visit_reports: VisitReportsTable;
  field_checkins: FieldCheckinsTable;
  users: UsersTable;
  queue_items: QueueItemsTable;
  letters: LettersTable;
  letter_batches: LetterBatchesTable;
  caller_numbers: CallerNumbersTable;
  dialer_calls: DialerCallsTable;
  api_tokens: ApiTokensTable;
}
