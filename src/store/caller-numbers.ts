/**
 * Caller numbers at the store (docs/dialer.md): the numbers a call may show (caller ID), each owned
 * by the lender or one agency, registered and retired at an instant (audited). The gate
 * (src/store/gate.ts) blocks an attempt showing a number not registered, retired, or owned by
 * someone else (rule `registered-caller-number`).
 */
import type { Selectable } from 'kysely';
import { ValidationError } from '../core/index.js';
import { callerNumberProblem, e164, LENDER, normalisePhone, type CallerNumberRegistration } from '../channels/dialer.js';
import { atomically, audit, changeOptions, type ChangeOptions } from './audit.js';
import type { Db } from './repo.js';
import type { CallerNumbersTable } from './schema.js';

export interface CallerNumber extends CallerNumberRegistration {
  id: number;
}

function fromRow(r: Selectable<CallerNumbersTable>): CallerNumber {
  return { id: Number(r.id), number: r.number, owner: r.owner, label: r.label, registeredAt: r.registered_at, retiredAt: r.retired_at };
}

export interface NewCallerNumber {
  number: string;
  /** the agency that may show it; omitted or null: the lender's own agents */
  agencyId?: string | null;
  label?: string | null;
}

/**
 * Registers a caller number (normalised to E.164) for the lender or an agency, in use from
 * `o.now` (default now). A number in use already (not retired) is refused.
 */
export async function addCallerNumber(db: Db, n: NewCallerNumber, o: ChangeOptions = {}): Promise<CallerNumber> {
  const number = e164(n.number, 'number');
  const { actor, now } = changeOptions(o);
  const agency = n.agencyId ?? null;
  if (agency === LENDER) throw new ValidationError('agency', `"${LENDER}" names the lender's own numbers: leave --agency out for them`);
  const label = n.label === undefined || n.label === null || n.label.trim() === '' ? null : n.label.trim();
  if (label !== null && label.length > 200) throw new ValidationError('label', 'must be at most 200 characters');
  return atomically(db, async (tx) => {
    if (agency !== null && !(await tx.selectFrom('agencies').select('id').where('id', '=', agency).executeTakeFirst())) {
      throw new ValidationError('agency', `unknown agency "${agency}" (add it with \`arrears agency add\`)`);
    }
    const live = await tx.selectFrom('caller_numbers').selectAll().where('number', '=', number).where('retired_at', 'is', null).executeTakeFirst();
    if (live) throw new ValidationError('number', `${number} is registered already (to ${live.owner === LENDER ? 'the lender' : `agency ${live.owner}`} since ${live.registered_at}); retire it first to register it again`);
    const owner = agency ?? LENDER;
    const row = await tx.insertInto('caller_numbers').values({ number, owner, label, registered_at: now, retired_at: null }).returning('id').executeTakeFirstOrThrow();
    await audit(tx, 'caller_number.added', `caller_number:${number}`, { number, owner, label }, actor, now);
    return { id: Number(row.id), number, owner, label, registeredAt: now, retiredAt: null };
  });
}

/** Retires a number in use, from `o.now` (default now); calls showing it are blocked from then on. */
export async function retireCallerNumber(db: Db, raw: string, o: ChangeOptions = {}): Promise<CallerNumber> {
  const number = e164(raw, 'number');
  const { actor, now } = changeOptions(o);
  return atomically(db, async (tx) => {
    const live = await tx.selectFrom('caller_numbers').selectAll().where('number', '=', number).where('retired_at', 'is', null).executeTakeFirst();
    if (!live) throw new ValidationError('number', `${number} is not a caller number in use`);
    if (live.registered_at > now) throw new ValidationError('now', `${number} was registered at ${live.registered_at}, after ${now}`);
    await tx.updateTable('caller_numbers').set({ retired_at: now }).where('id', '=', live.id).execute();
    await audit(tx, 'caller_number.retired', `caller_number:${number}`, { number, owner: live.owner }, actor, now);
    return { ...fromRow(live), retiredAt: now };
  });
}

/** Registered numbers, by number then registration; `inUse`: only those not retired; `owner`: `lender` or an agency id. */
export async function listCallerNumbers(db: Db, f: { inUse?: boolean; owner?: string } = {}): Promise<CallerNumber[]> {
  let q = db.selectFrom('caller_numbers').selectAll();
  if (f.inUse === true) q = q.where('retired_at', 'is', null);
  if (f.owner !== undefined) q = q.where('owner', '=', f.owner);
  return (await q.orderBy('number').orderBy('registered_at').orderBy('id').execute()).map(fromRow);
}

/**
 * Why an attempt at `at` (ISO) by `agencyId` (null: the lender's own agents) may not show `number`,
 * or null when it may (src/channels/dialer.ts `callerNumberProblem`).
 */
export async function checkCallerNumber(db: Db, number: string, agencyId: string | null, at: string): Promise<string | null> {
  const n = normalisePhone(number);
  const rows = n === null ? [] : (await db.selectFrom('caller_numbers').selectAll().where('number', '=', n).execute()).map(fromRow);
  return callerNumberProblem(number, rows, agencyId, Date.parse(at));
}
