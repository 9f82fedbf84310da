/**
 * The compliance act a contact outcome implies (docs/outcomes-and-promises.md). Pure.
 *
 * - `refused_contact`: the person asks not to be contacted again. The borrower (or a co-borrower or
 *   guarantor, who owe the debt too) → a `cease` (the borrower's binds the whole debt; a co-obligor's
 *   binds that party); a reference or the employer → `refused_contact` for that party.
 * - `deceased`, `bankrupt` (→ `bankruptcy`), `attorney`: notices about the borrower received on the
 *   call, whoever gave them → the act for the whole debt (party null).
 * Every other outcome implies no act.
 */
import type { Channel, Outcome, PartyKind } from '../contact/index.js';
import type { ActKind, ActSource } from './acts.js';

export interface ImpliedAct {
  kind: ActKind;
  /** the party the act binds; null: the consumer / the whole debt */
  partyId: string | null;
}

const CONSUMERS: ReadonlySet<PartyKind> = new Set<PartyKind>(['co_borrower', 'guarantor']);

export function impliedAct(outcome: Outcome, party: { id: string; kind: PartyKind }): ImpliedAct | null {
  switch (outcome) {
    case 'refused_contact':
      if (party.kind === 'borrower') return { kind: 'cease', partyId: null };
      if (CONSUMERS.has(party.kind)) return { kind: 'cease', partyId: party.id };
      return { kind: 'refused_contact', partyId: party.id };
    case 'deceased': return { kind: 'deceased', partyId: null };
    case 'bankrupt': return { kind: 'bankruptcy', partyId: null };
    case 'attorney': return { kind: 'attorney', partyId: null };
    default: return null;
  }
}

/** The act source for a result recorded on a channel (a visit is reported by the field agent). */
export const CHANNEL_ACT_SOURCE: Readonly<Record<Channel, ActSource>> = { call: 'call', sms: 'sms', email: 'email', letter: 'letter', visit: 'agent' };
