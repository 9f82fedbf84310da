/**
 * Collection letters at the store (docs/letters.md): a business date's letter tasks, each through
 * the compliance gate, printed into the date's batch PDF or listed as not printed, recorded so a
 * re-run asks the gate nothing and prints nothing twice.
 *
 * `runLetterBatch(store, opts)`:
 * 1. The date's tasks with channel `letter` that have no letter yet, in task order. Each gets its
 *    recipient (the task's party: the borrower, else the account's first party of that kind), the
 *    postal address (mailing, else residential), the language (the recipient's first language the
 *    template has, else en) and its text — all prepared and every letter rendered alone (SHA-256,
 *    pages) BEFORE the gate is asked, so a missing template or font refuses the batch untouched.
 * 2. Per letter: `decideAndRecord` (channel letter, the template's purpose, the address as the
 *    contact point, at 12:00 on the date in the borrower's zone). Allowed: one transaction under
 *    the debt's and party's locks records the contact result `sent` (src/store/outcomes.ts: the
 *    gate outcome, the contact attempt, its audit entry), the letter row (printed, its seq in the
 *    batch) and marks the task done. Blocked: the letter row with the rule and reason. No postal
 *    address: the letter row (`unaddressable`); the gate is not asked.
 * 3. The batch row (date, batch number, SHA-256 of the batch PDF, counts) and its audit entry.
 *
 * Re-runs: a task with a letter row is never decided again. A decision recorded for a task whose
 * letter row was not (a crash in between) is found again — same debt, party, channel, instant and
 * contact point, not yet used by a letter — and used instead of asking again. Letters recorded in a
 * batch that has no batch row yet (a crash before step 3) are completed into that batch. Tasks
 * added after a batch was stored go into the next, supplementary batch (2, 3, …). Every batch of
 * the date is rendered again from the stored letter contents; its SHA-256 must equal the stored one.
 */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { DomainError, parseDate, ValidationError, type BusinessDate, type Minor } from '../core/index.js';
import { attemptRequest, instantAt, type TemplateLanguage } from '../compliance/index.js';
import type { Address, Channel, PartyKind } from '../contact/index.js';
import { zonesOf } from '../channels/phone-zones.js';
import {
  addressLines, assembleLetter, batchStem, pickLanguage, postalAddress, type BatchManifest, type LetterTemplate, type ManifestLetter, type NotPrintedLetter,
} from '../channels/letters/batch.js';
import { renderLetterBatchPdf, renderLetterPdf, type LetterContent, type LetterHead, type PageSize } from '../channels/letters/letter-pdf.js';
import { appendAudit, changeOptions } from './audit.js';
import { rowToBorrower, rowToState } from './codec.js';
import type { Store } from './db.js';
import { decideAndRecord, type PacksFor } from './gate.js';
import { withLocks } from './locks.js';
import { checkContactResult, recordContactResultIn } from './outcomes.js';
import { listParties } from './parties.js';
import { chunks, type Db } from './repo.js';
import type { LettersTable } from './schema.js';

/** The rule packs and holidays for an account's contacts at an instant (the CLI loads them from `gate jurisdiction`). */
export type LetterPacksFor = PacksFor;

export interface LetterBatchOptions {
  date: BusinessDate;
  head: LetterHead;
  templates: ReadonlyMap<string, LetterTemplate>;
  packsFor: LetterPacksFor;
  cjkFont?: string | null;
  pageSize?: PageSize;
  actor?: string;
  /** ISO instant recorded as the letters' and batch's creation (default now); not printed */
  now?: string;
  /** called after each letter task handled */
  onProgress?: (done: number, total: number) => void;
}

/** One batch of the date, ready to write. */
export interface BatchOutput {
  manifest: BatchManifest;
  /** null when nothing in the batch was printed */
  pdf: Buffer | null;
}

export interface LetterBatchResult {
  date: BusinessDate;
  /** every batch of the date, in order */
  batches: BatchOutput[];
  /** letter tasks handled by this run (0: a re-run) */
  handled: number;
  /** the batch this run stored, if any */
  stored: number | null;
}

/** The minute of the day letter decisions are made at (local, the borrower's zone). */
export const LETTER_DECISION_MINUTE = 12 * 60;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Prepared {
  taskId: number;
  accountId: string;
  partyId: string;
  partyKind: PartyKind;
  template: LetterTemplate;
  language: TemplateLanguage;
  recipient: string;
  address: string[];
  /** the address as the gate's contact point (the address line); null: no postal address */
  contactPoint: string | null;
  content: LetterContent | null;
  message: ReturnType<typeof assembleLetter>['message'] | null;
  sha256: string | null;
  pages: number | null;
  at: string;
  zones: string[];
  phones: string[];
  emails: string[];
  addresses: Address[];
}

/** The oldest unpaid instalment's due date on or before `asOf`. */
function oldestUnpaidDue(state: ReturnType<typeof rowToState>, asOf: BusinessDate): BusinessDate | null {
  for (const i of state.instalments) {
    if (i.due > asOf) break;
    const owed = i.principal + i.interestAccrued + i.penalty + i.fees - i.paidPrincipal - i.paidInterest - i.paidPenalty - i.paidFees;
    if (owed > 0) return i.due;
  }
  return null;
}

interface TaskRow {
  id: number;
  account_id: string;
  party: string | null;
  template: string | null;
}

/** The accounts' borrower and state rows, read in chunks (one query per 1,000 accounts, not one per letter). */
async function accountRows(db: Db, ids: readonly string[]) {
  const out = new Map<string, Awaited<ReturnType<typeof accountChunk>>[number]>();
  for (const c of chunks([...new Set(ids)])) for (const r of await accountChunk(db, c)) out.set(r.account_id, r);
  return out;
}

function accountChunk(db: Db, ids: readonly string[]) {
  return db.selectFrom('accounts').innerJoin('borrowers', 'borrowers.id', 'accounts.borrower_id')
    .innerJoin('account_state', 'account_state.account_id', 'accounts.id')
    .select(['accounts.id as account_id', 'accounts.currency', 'borrowers.id', 'borrowers.name', 'borrowers.timezone', 'borrowers.data',
      'account_state.as_of', 'account_state.status', 'account_state.dpd', 'account_state.bucket', 'account_state.delinquent_since',
      'account_state.credit', 'account_state.data as state', 'account_state.total', 'account_state.overdue'])
    .where('accounts.id', 'in', ids).execute();
}

async function prepare(db: Db, tasks: readonly TaskRow[], o: LetterBatchOptions): Promise<Prepared[]> {
  const out: Prepared[] = [];
  const rows = await accountRows(db, tasks.map((t) => t.account_id));
  for (const t of tasks) {
    if (t.template === null) throw new ValidationError('tasks.template', `letter task ${t.id} (account ${t.account_id}) names no template`);
    const template = o.templates.get(t.template);
    if (!template) throw new ValidationError('tasks.template', `letter task ${t.id} (account ${t.account_id}) uses template "${t.template}", which is not in templates/letters (known: ${[...o.templates.keys()].join(', ')})`);
    const row = rows.get(t.account_id);
    if (!row) throw new ValidationError('tasks.account_id', `letter task ${t.id}: unknown account ${t.account_id}`);
    const borrower = rowToBorrower(row);
    const kind = (t.party ?? 'borrower') as PartyKind;
    let who: { id: string; name: string; languages: string[]; timezone: string; phones: string[]; emails: string[]; addresses: Address[] };
    if (kind === 'borrower') {
      who = { id: borrower.id, name: borrower.name, languages: borrower.languages, timezone: borrower.timezone, phones: borrower.phones, emails: borrower.emails, addresses: borrower.addresses };
    } else {
      const party = (await listParties(db, t.account_id)).find((p) => p.kind === kind);
      if (!party) throw new ValidationError('tasks.party', `letter task ${t.id} is for a ${kind} of ${t.account_id}, and the account has none on file (\`arrears party add\`)`);
      who = {
        id: party.id, name: party.name, languages: party.languages, timezone: party.timezone ?? borrower.timezone,
        phones: party.phones.filter((p) => p.retiredAt === null).map((p) => p.number), emails: party.emails, addresses: party.addresses,
      };
    }
    const language = pickLanguage(template, who.languages);
    const postal = postalAddress(who.addresses);
    const address = postal ? addressLines(postal) : [];
    const state = rowToState({ ...row, data: row.state });
    const total: Minor = Number(row.total) - Number(row.credit);
    const assembled = postal ? assembleLetter(template, {
      date: o.date, accountId: t.account_id, currency: row.currency, total: Math.max(0, total), overdue: Number(row.overdue), dpd: Number(row.dpd),
      dueDate: oldestUnpaidDue(state, o.date), recipientName: who.name, address, language, head: o.head,
    }) : null;
    const at = new Date(instantAt(o.date, LETTER_DECISION_MINUTE, borrower.timezone)).toISOString();
    out.push({
      taskId: t.id, accountId: t.account_id, partyId: who.id, partyKind: kind, template, language: assembled ? assembled.message.language : language,
      recipient: who.name, address, contactPoint: postal?.line ?? null, content: assembled?.content ?? null, message: assembled?.message ?? null,
      sha256: null, pages: null, at, zones: await zonesOf([who.timezone], who.phones), phones: who.phones, emails: who.emails, addresses: who.addresses,
    });
  }
  return out;
}

/** A decision recorded for this letter's attempt but used by no letter (the run crashed before recording the letter). */
async function orphanDecision(db: Db, p: Prepared): Promise<{ id: number; allowed: boolean; rule: string | null; reason: string } | null> {
  const rows = await db.selectFrom('gate_decisions').select(['id', 'allowed', 'rule', 'reason'])
    .where('debt_id', '=', p.accountId).where('party_id', '=', p.partyId).where('channel', '=', 'letter' satisfies Channel)
    .where('at', '=', p.at).where('contact_point', '=', p.contactPoint ?? '').orderBy('id').execute();
  if (rows.length === 0) return null;
  const used = new Set((await db.selectFrom('letters').select('decision_id').where('decision_id', 'in', rows.map((r) => Number(r.id))).execute()).map((r) => Number(r.decision_id)));
  const free = rows.find((r) => !used.has(Number(r.id)));
  return free ? { id: Number(free.id), allowed: free.allowed === 1, rule: free.rule, reason: free.reason } : null;
}

/** The batch letters of the date go into now: one with letters but no batch row (interrupted), else the next number. */
async function openBatch(db: Db, date: BusinessDate): Promise<number> {
  const [letters, batches] = await Promise.all([
    db.selectFrom('letters').select('batch').distinct().where('business_date', '=', date).execute(),
    db.selectFrom('letter_batches').select('batch').where('business_date', '=', date).execute(),
  ]);
  const stored = new Set(batches.map((b) => Number(b.batch)));
  const open = letters.map((l) => Number(l.batch)).filter((b) => !stored.has(b)).sort((a, b) => a - b)[0];
  if (open !== undefined) return open;
  return Math.max(0, ...letters.map((l) => Number(l.batch)), ...stored) + 1;
}

type LetterRow = Selectable<LettersTable>;

interface RecordContext {
  date: BusinessDate;
  batch: number;
  packsFor: LetterPacksFor;
  actor: string;
  now: string;
}

/** Decides (or finds the decision of an interrupted run) and records one letter; see the module comment. */
async function recordLetter(store: Store, p: Prepared, c: RecordContext): Promise<void> {
  const base = {
    business_date: c.date, task_id: p.taskId, account_id: p.accountId, party_id: p.partyId, party_kind: p.partyKind, template: p.template.id, language: p.language,
    batch: c.batch, recipient: p.recipient, address: JSON.stringify(p.address), created_at: c.now,
  };
  if (p.content === null || p.contactPoint === null || p.message === null) {
    await store.db.insertInto('letters').values({
      ...base, seq: null, status: 'unaddressable', decision_id: null, rule: null,
      reason: `${p.recipient} (${p.partyKind} ${p.partyId}) has no mailing or residential address`, content: null, sha256: null, pages: null,
    }).execute();
    return;
  }
  const decision = await orphanDecision(store.db, p) ?? await decideAndRecord(store, attemptRequest(
    { id: p.partyId, kind: p.partyKind, zones: p.zones, flags: {}, phones: p.phones, emails: p.emails, addresses: p.addresses },
    { accountId: p.accountId, channel: 'letter', at: p.at, to: p.contactPoint, purpose: p.template.purpose, template: p.message },
  ), { ...await c.packsFor(p.accountId, p.at), holds: [], optOuts: [], workplaceForbidden: false, refusedContact: false });
  await withLocks(store, [`debt:${p.accountId}`, `party:${p.partyId}`], async (db, dialect) => {
    if (await db.selectFrom('letters').select('id').where('task_id', '=', p.taskId).executeTakeFirst()) {
      throw new DomainError('letters.concurrent', `letter task ${p.taskId} was handled by another run at the same time`);
    }
    if (!decision.allowed) {
      await db.insertInto('letters').values({
        ...base, seq: null, status: 'blocked', decision_id: decision.id, rule: decision.rule, reason: decision.reason, content: null, sha256: null, pages: null,
      }).execute();
      return;
    }
    // the gate outcome `sent`, the contact attempt and its audit entry, with the letter row: one transaction
    await recordContactResultIn(db, dialect, checkContactResult({ decisionId: decision.id, outcome: 'sent' }), { actor: c.actor, now: c.now });
    const last = await db.selectFrom('letters').select((eb) => eb.fn.max('seq').as('seq')).where('business_date', '=', c.date).where('batch', '=', c.batch).executeTakeFirst();
    await db.insertInto('letters').values({
      ...base, seq: Number(last?.seq ?? 0) + 1, status: 'printed', decision_id: decision.id, rule: null, reason: null,
      content: JSON.stringify(p.content), sha256: p.sha256, pages: p.pages,
    }).execute();
    await db.updateTable('tasks').set({ status: 'done' }).where('id', '=', p.taskId).execute();
  });
}

function rowToManifest(rows: readonly LetterRow[]): { letters: ManifestLetter[]; notPrinted: NotPrintedLetter[] } {
  const letters: ManifestLetter[] = [];
  const notPrinted: NotPrintedLetter[] = [];
  let page = 1;
  for (const r of rows) {
    if (r.status === 'printed') {
      letters.push({
        seq: Number(r.seq), firstPage: page, taskId: Number(r.task_id), account: r.account_id, party: r.party_id, partyKind: r.party_kind, recipient: r.recipient,
        address: JSON.parse(r.address) as string[], template: r.template, language: r.language, pages: Number(r.pages), sha256: r.sha256 ?? '',
      });
      page += Number(r.pages);
    } else {
      notPrinted.push({
        taskId: Number(r.task_id), account: r.account_id, party: r.party_id, partyKind: r.party_kind, template: r.template,
        status: r.status as NotPrintedLetter['status'], rule: r.rule, reason: r.reason ?? '',
      });
    }
  }
  return { letters, notPrinted };
}

async function batchRows(db: Db, date: BusinessDate, batch: number): Promise<LetterRow[]> {
  const rows = await db.selectFrom('letters').selectAll().where('business_date', '=', date).where('batch', '=', batch).execute();
  // printed letters by seq, then the others by task
  return (rows as LetterRow[]).sort((a, b) => (a.seq === null ? 1 : 0) - (b.seq === null ? 1 : 0) || Number(a.seq ?? 0) - Number(b.seq ?? 0) || Number(a.task_id) - Number(b.task_id));
}

async function renderBatch(rows: readonly LetterRow[], date: BusinessDate, batch: number, o: Pick<LetterBatchOptions, 'cjkFont' | 'pageSize'>): Promise<BatchOutput> {
  const { letters, notPrinted } = rowToManifest(rows);
  const contents = rows.filter((r) => r.status === 'printed').map((r) => JSON.parse(r.content ?? 'null') as LetterContent);
  const rendered = contents.length === 0 ? null : await renderLetterBatchPdf(contents, { date, cjkFont: o.cjkFont ?? null, pageSize: o.pageSize ?? 'LETTER' });
  rendered?.pages.forEach((n, i) => {
    const l = letters[i];
    if (l && l.pages !== n) throw new DomainError('letters.pages', `letter ${l.seq} of batch ${batch} of ${date} takes ${n} page(s) in the batch but ${l.pages} alone`);
  });
  return {
    pdf: rendered?.bytes ?? null,
    manifest: {
      date, batch, file: `${batchStem(date, batch)}.pdf`, sha256: rendered ? sha256(rendered.bytes) : null,
      pages: letters.reduce((n, l) => n + l.pages, 0), letters, notPrinted,
    },
  };
}

/** Runs (or re-runs) the date's letter batch; see the module comment. */
export async function runLetterBatch(store: Store, opts: LetterBatchOptions): Promise<LetterBatchResult> {
  const date = parseDate(opts.date, 'date');
  const { actor, now } = changeOptions({ ...(opts.actor ? { actor: opts.actor } : {}), ...(opts.now ? { now: opts.now } : {}) });
  const db = store.db;
  const tasks = await db.selectFrom('tasks').leftJoin('letters', 'letters.task_id', 'tasks.id')
    .select(['tasks.id', 'tasks.account_id', 'tasks.party', 'tasks.template'])
    .where('tasks.business_date', '=', date).where('tasks.channel', '=', 'letter').where('letters.id', 'is', null)
    .orderBy('tasks.id').execute();
  const fresh = tasks.map((t) => ({ ...t, id: Number(t.id) }));

  let stored: number | null = null;
  if (fresh.length > 0) {
    const prepared = await prepare(db, fresh, { ...opts, date });
    // every letter rendered alone first: a font or layout problem refuses the batch before the gate is asked
    for (const p of prepared.filter((x) => x.content !== null)) {
      const r = await renderLetterPdf(p.content as LetterContent, { date, cjkFont: opts.cjkFont ?? null, pageSize: opts.pageSize ?? 'LETTER' });
      p.sha256 = sha256(r.bytes);
      p.pages = r.pages;
    }
    const batch = await openBatch(db, date);
    let done = 0;
    for (const p of prepared) {
      await recordLetter(store, p, { date, batch, packsFor: opts.packsFor, actor, now });
      opts.onProgress?.(++done, prepared.length);
    }
  }

  // batches with letters but no batch row: store them (the one this run filled, or an interrupted one)
  const [numbers, have] = await Promise.all([
    db.selectFrom('letters').select('batch').distinct().where('business_date', '=', date).execute(),
    db.selectFrom('letter_batches').selectAll().where('business_date', '=', date).execute(),
  ]);
  const storedRows = new Map(have.map((b) => [Number(b.batch), b]));
  const all = [...new Set(numbers.map((n) => Number(n.batch)))].sort((a, b) => a - b);
  const batches: BatchOutput[] = [];
  for (const n of all) {
    const out = await renderBatch(await batchRows(db, date, n), date, n, opts);
    const had = storedRows.get(n);
    if (had) {
      if ((had.sha256 ?? null) !== out.manifest.sha256) {
        throw new DomainError('letters.changed', `batch ${n} of ${date} renders to sha256 ${out.manifest.sha256 ?? 'none'}, but ${had.sha256 ?? 'none'} was stored (a different font, page size or program version?); the stored batch cannot be reproduced`);
      }
    } else {
      await withLocks(store, [`letters:${date}`], async (tx, dialect) => {
        if (await tx.selectFrom('letter_batches').select('id').where('business_date', '=', date).where('batch', '=', n).executeTakeFirst()) return;
        await tx.insertInto('letter_batches').values({
          business_date: date, batch: n, sha256: out.manifest.sha256, letters: out.manifest.letters.length, not_printed: out.manifest.notPrinted.length,
          pages: out.manifest.pages, actor, created_at: now,
        }).execute();
        await appendAudit(tx, dialect, [{
          at: now, actor, kind: 'letters.batch', entity: `letters:${date}`,
          data: JSON.stringify({
            date, batch: n, sha256: out.manifest.sha256, letters: out.manifest.letters.length, pages: out.manifest.pages,
            notPrinted: out.manifest.notPrinted.map((x) => ({ task: x.taskId, account: x.account, status: x.status, rule: x.rule })),
          }),
        }]);
      });
      stored = n;
    }
    batches.push(out);
  }
  return { date, batches, handled: fresh.length, stored };
}

/** A letter as listed. */
export interface LetterSummary {
  id: number;
  date: BusinessDate;
  batch: number;
  seq: number | null;
  taskId: number;
  accountId: string;
  partyId: string;
  partyKind: string;
  recipient: string;
  address: string[];
  template: string;
  language: string;
  status: string;
  decisionId: number | null;
  rule: string | null;
  reason: string | null;
  pages: number | null;
  sha256: string | null;
}

function summary(r: LetterRow): LetterSummary {
  return {
    id: Number(r.id), date: r.business_date, batch: Number(r.batch), seq: r.seq === null ? null : Number(r.seq), taskId: Number(r.task_id), accountId: r.account_id,
    partyId: r.party_id, partyKind: r.party_kind, recipient: r.recipient, address: JSON.parse(r.address) as string[], template: r.template, language: r.language,
    status: r.status, decisionId: r.decision_id === null ? null : Number(r.decision_id), rule: r.rule, reason: r.reason,
    pages: r.pages === null ? null : Number(r.pages), sha256: r.sha256,
  };
}

/** Letters of a date and/or an account, by date, batch and seq. */
export async function listLetters(db: Db, q: { date?: BusinessDate; accountId?: string } = {}): Promise<LetterSummary[]> {
  let query = db.selectFrom('letters').selectAll();
  if (q.date !== undefined) query = query.where('business_date', '=', parseDate(q.date, 'date'));
  if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
  const rows = await query.orderBy('business_date').orderBy('batch').orderBy('id').execute();
  return (rows as LetterRow[]).map(summary);
}

/** One letter with the content it was printed with (null when not printed). */
export async function getLetter(db: Db, id: number): Promise<{ letter: LetterSummary; content: LetterContent | null } | null> {
  const r = await db.selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  return { letter: summary(r as LetterRow), content: r.content === null ? null : JSON.parse(r.content) as LetterContent };
}

/** The batches stored for a date. */
export async function listBatches(db: Db, date: BusinessDate): Promise<{ batch: number; sha256: string | null; letters: number; notPrinted: number; pages: number; createdAt: string }[]> {
  const rows = await db.selectFrom('letter_batches').selectAll().where('business_date', '=', parseDate(date, 'date')).orderBy('batch').execute();
  return rows.map((b) => ({ batch: Number(b.batch), sha256: b.sha256, letters: Number(b.letters), notPrinted: Number(b.not_printed), pages: Number(b.pages), createdAt: b.created_at }));
}
