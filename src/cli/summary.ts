import { formatMinorGrouped } from '../core/index.js';
import type { Store } from '../store/db.js';
import { portfolioSummary, stageSummary, type BucketSummary, type StageSummary } from '../store/repo.js';
import { lastClosedDate } from '../cycle/index.js';
import { CONVERSATION_OUTCOMES } from '../contact/index.js';
import type { Db } from '../store/repo.js';
import { commissionReport } from '../store/agencies.js';
import { outboxCounts } from '../store/outbox.js';
import { table } from './shared.js';

/** A plain-text table of open accounts and balances per bucket and currency. */
export function formatSummary(rows: readonly BucketSummary[], asOf: string | null): string {
  const head = ['bucket', 'currency', 'accounts', 'share', 'balance', 'overdue'];
  const totalAccounts = rows.reduce((n, r) => n + r.accounts, 0);
  const body = rows.map((r) => [
    r.bucket, r.currency, String(r.accounts),
    totalAccounts ? `${((100 * r.accounts) / totalAccounts).toFixed(1)}%` : '-',
    formatMinorGrouped(r.total, r.currency), formatMinorGrouped(r.overdue, r.currency),
  ]);
  body.push(['all', '', String(totalAccounts), '100%', '', '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [
    `Portfolio as of ${asOf ?? '(no business date closed yet)'} — open accounts by bucket`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

/** Open accounts per ladder stage, worst first as far as the default ladder goes. */
export function formatStageSummary(rows: readonly StageSummary[]): string {
  const order = ['paused', 'bad_debt', 'legal', 'field_visit', 'contact_persons', 'intensified', 'promised', 'negotiating', 'in_plan', 'reminder', 'current'];
  const variants = [...new Set(rows.map((r) => r.variant ?? '-'))].sort();
  const count = new Map<string, number>();
  for (const r of rows) count.set(`${r.stage}|${r.variant ?? '-'}`, (count.get(`${r.stage}|${r.variant ?? '-'}`) ?? 0) + r.accounts);
  const rank = (s: string): number => (order.includes(s) ? order.indexOf(s) : order.length);
  const stages = [...new Set(rows.map((r) => r.stage))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const width = Math.max(5, ...stages.map((s) => s.length));
  const experiment = variants.length > 1 || variants[0] !== '-';
  const head = experiment ? `${'stage'.padEnd(width)}  ${variants.map((v) => v.padStart(10)).join('  ')}` : null;
  const line = (s: string): string => `${s.padEnd(width)}  ${variants.map((v) => String(count.get(`${s}|${v}`) ?? 0).padStart(experiment ? 10 : 8)).join('  ')}`;
  return ['Open accounts by ladder stage' + (experiment ? ' and variant' : ''), ...(head ? [head] : []), ...stages.map(line)].join('\n');
}

export interface StaffLine {
  user: string;
  role: string;
  agency: string | null;
  attempts: number;
  allowed: number;
  blocked: number;
  /** right-party contacts: allowed attempts that ended in a conversation with the borrower */
  rpcs: number;
  promises: number;
}

export interface AgencyLine {
  agency: string;
  placements: number;
  open: number;
  currency: string;
  placed: number;
  recovered: number;
  commission: number;
}

export interface StaffSummary {
  staff: StaffLine[];
  agencies: AgencyLine[];
  visits: { planned: number; reported: number };
  queue: { done: number; skipped: number; open: number };
  outbox: { sent: number; waiting: number; dead: number };
}

/** Per user: gate decisions (attempts, allowed, blocked), right-party contacts and promises; per agency: placements, recovered, commission; field visits; queue items. */
export async function staffSummary(db: Db, asOf: string | null): Promise<StaffSummary> {
  const users = await db.selectFrom('users').select(['id', 'role', 'agency_id']).orderBy('id').execute();
  const decisions = await db.selectFrom('gate_decisions').select(['agent_id', 'allowed', 'outcome']).select((eb) => eb.fn.countAll<number>().as('n'))
    .where('agent_id', 'is not', null).groupBy(['agent_id', 'allowed', 'outcome']).execute();
  const by = new Map<string, StaffLine>(users.map((u) => [u.id, { user: u.id, role: u.role, agency: u.agency_id, attempts: 0, allowed: 0, blocked: 0, rpcs: 0, promises: 0 }]));
  for (const d of decisions) {
    const id = d.agent_id as string;
    const line = by.get(id) ?? { user: id, role: '?', agency: null, attempts: 0, allowed: 0, blocked: 0, rpcs: 0, promises: 0 };
    const n = Number(d.n);
    line.attempts += n;
    if (Number(d.allowed) === 1) line.allowed += n;
    else line.blocked += n;
    if (d.outcome !== null && (CONVERSATION_OUTCOMES as ReadonlySet<string>).has(d.outcome)) line.rpcs += n;
    if (d.outcome === 'promise') line.promises += n;
    by.set(id, line);
  }
  const agencies = new Map<string, AgencyLine>();
  for (const a of await db.selectFrom('agencies').select('id').orderBy('id').execute()) agencies.set(a.id, { agency: a.id, placements: 0, open: 0, currency: '', placed: 0, recovered: 0, commission: 0 });
  if (asOf !== null && agencies.size > 0) {
    for (const c of await commissionReport(db, { asOf })) {
      const a = agencies.get(c.agencyId);
      if (!a) continue;
      a.placements += 1;
      if (c.open) a.open += 1;
      a.currency = a.currency === '' || a.currency === c.currency ? c.currency : 'mixed';
      a.placed += c.balance;
      a.recovered += c.recovered;
      a.commission += c.commission;
    }
  }
  const planned = await db.selectFrom('field_plans').select((eb) => eb.fn.sum<number>('stops').as('n')).executeTakeFirst();
  const reported = await db.selectFrom('visit_reports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const items = await db.selectFrom('queue_items').select('status').select((eb) => eb.fn.countAll<number>().as('n')).where('agent_id', 'is not', null).groupBy('status').execute();
  const q = { done: 0, skipped: 0, open: 0 };
  for (const i of items) if (i.status === 'done' || i.status === 'skipped' || i.status === 'open') q[i.status] += Number(i.n);
  const ob = await outboxCounts(db);
  return {
    outbox: { sent: ob.sent, waiting: ob.pending + ob.sending + ob.failed, dead: ob.dead },
    staff: [...by.values()].filter((l) => l.attempts > 0 || l.role === 'agent' || l.role === 'agency_agent'),
    agencies: [...agencies.values()],
    visits: { planned: Number(planned?.n ?? 0), reported: Number(reported?.n ?? 0) },
    queue: q,
  };
}

const money = (amount: number, currency: string): string => (currency === '' || currency === 'mixed' ? String(amount) : `${formatMinorGrouped(amount, currency)} ${currency}`);

/** The staff section of the summary: short tables; empty when nobody works the accounts yet. */
export function formatStaffSummary(s: StaffSummary): string {
  if (s.staff.length === 0 && s.agencies.length === 0) return '';
  const out: string[] = [];
  if (s.staff.length > 0) {
    out.push('Staff — gate decisions by who made the attempt (RPC: right-party contact)');
    out.push(table(['user', 'role', 'agency', 'attempts', 'allowed', 'blocked', 'RPCs', 'promises'], s.staff.map((l) => [
      l.user, l.role, l.agency ?? '-', String(l.attempts), String(l.allowed), String(l.blocked), String(l.rpcs), String(l.promises),
    ])).trimEnd());
    out.push(`Queue items: ${s.queue.done} done, ${s.queue.skipped} skipped, ${s.queue.open} open`);
  }
  if (s.agencies.length > 0) {
    out.push('', 'Agencies — placements, recovered while placed, commission to date');
    out.push(table(['agency', 'placed', 'open', 'balance placed', 'recovered', 'commission'], s.agencies.map((a) => [
      a.agency, String(a.placements), String(a.open), money(a.placed, a.currency), money(a.recovered, a.currency), money(a.commission, a.currency),
    ])).trimEnd());
  }
  out.push('', `Field visits: ${s.visits.planned} planned, ${s.visits.reported} reported. Outbox: ${s.outbox.sent} sent, ${s.outbox.waiting} waiting, ${s.outbox.dead} dead.`);
  return out.join('\n');
}

export async function printSummary(store: Store): Promise<void> {
  const rows = await portfolioSummary(store.db);
  const asOf = await lastClosedDate(store.db);
  process.stdout.write(`${formatSummary(rows, asOf)}\n`);
  const stages = await stageSummary(store.db);
  if (stages.length > 0) process.stdout.write(`\n${formatStageSummary(stages)}\n`);
  const staff = formatStaffSummary(await staffSummary(store.db, asOf));
  if (staff !== '') process.stdout.write(`\n${staff}\n`);
}
