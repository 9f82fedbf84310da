/**
 * Parties at the store: added (validated, audited), listed, counted per account for the strategy
 * (`contact.referencesOnFile`), and a number retired after a wrong-number outcome.
 */
import { ValidationError } from '../core/index.js';
import { isReferenceOnFile, parseParty, retireNumber, type Party } from '../contact/index.js';
import { atomically, audit } from './audit.js';
import { existingAccountIds, type Db } from './repo.js';
import type { PartiesTable } from './schema.js';

function toRow(p: Party): PartiesTable {
  const { id, accountId, kind, name, ...rest } = p;
  return { id, account_id: accountId, kind, name, data: JSON.stringify(rest), references_on_file: isReferenceOnFile(p) ? 1 : 0 };
}

function fromRow(r: PartiesTable): Party {
  return parseParty({ id: r.id, accountId: r.account_id, kind: r.kind, name: r.name, ...(JSON.parse(r.data) as object) }, `parties[${r.id}]`);
}

/** Adds parties (validated; an id already used is refused); one audit entry per party, all in one transaction. */
export async function addParties(db: Db, raw: readonly unknown[], actor = 'system'): Promise<Party[]> {
  const parties = raw.map((r, i) => parseParty(r, `parties[${i}]`));
  const accounts = await existingAccountIds(db, [...new Set(parties.map((p) => p.accountId))]);
  parties.forEach((p, i) => {
    if (!accounts.has(p.accountId)) throw new ValidationError(`parties[${i}].accountId`, `unknown account ${p.accountId}`);
  });
  return atomically(db, async (tx) => {
    const ids = parties.map((p) => p.id);
    const taken = ids.length === 0 ? [] : await tx.selectFrom('parties').select('id').where('id', 'in', ids).execute();
    if (taken.length > 0) throw new ValidationError('parties.id', `already used: ${taken.map((t) => t.id).join(', ')} (a party is added once; its contact points change through their own acts)`);
    if (parties.length > 0) await tx.insertInto('parties').values(parties.map(toRow)).execute();
    for (const p of parties) await audit(tx, 'party.added', `account:${p.accountId}`, { party: p.id, kind: p.kind, relation: p.relation }, actor);
    return parties;
  });
}

export async function listParties(db: Db, accountId: string): Promise<Party[]> {
  return (await db.selectFrom('parties').selectAll().where('account_id', '=', accountId).orderBy('id').execute()).map(fromRow);
}

export async function getParty(db: Db, id: string): Promise<Party | null> {
  const r = await db.selectFrom('parties').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

/** References with a number in use, per account, for accounts first..last (the cycle's page range). */
export async function referencesOnFileBetween(db: Db, first: string, last: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('parties').select(['account_id', (eb) => eb.fn.sum<number>('references_on_file').as('n')])
    .where('account_id', '>=', first).where('account_id', '<=', last).groupBy('account_id').execute();
  return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
}

/** Retires a party's number after a wrong-number outcome (audited); false when it was not theirs or already retired. */
export async function retirePartyNumber(db: Db, partyId: string, number: string, at: string, actor = 'system'): Promise<boolean> {
  return atomically(db, (tx) => retirePartyNumberIn(tx, partyId, number, at, actor));
}

/** retirePartyNumber inside the caller's transaction (or lock: src/store/locks.ts). */
export async function retirePartyNumberIn(tx: Db, partyId: string, number: string, at: string, actor = 'system'): Promise<boolean> {
  const p = await getParty(tx, partyId);
  if (!p) return false;
  const next = retireNumber(p, number, at);
  if (next === p) return false;
  const row = toRow(next);
  await tx.updateTable('parties').set({ data: row.data, references_on_file: row.references_on_file }).where('id', '=', partyId).execute();
  await audit(tx, 'party.number_retired', `account:${p.accountId}`, { party: partyId, number, at }, actor);
  return true;
}
