/**
 * The audit log's hash chain. Each entry's hash covers its own content and the previous entry's
 * hash, so editing any entry breaks its hash, and deleting one breaks the sequence and the link.
 */
import { createHash } from 'node:crypto';

export interface AuditEntry {
  /** 1, 2, 3, … without gaps */
  seq: number;
  /** ISO instant */
  at: string;
  /** who did it: a user, `cycle`, `gate`, an agency user… */
  actor: string;
  /** what happened, e.g. `gate.decision`, `dispute.recorded` */
  kind: string;
  /** what it happened to, e.g. `account:L-1`, `party:B-1` */
  entity: string;
  /** JSON text of the details */
  data: string;
  /** hash of the previous entry ('' for the first) */
  prev: string;
  hash: string;
}

export type NewAuditEntry = Pick<AuditEntry, 'at' | 'actor' | 'kind' | 'entity' | 'data'>;

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256')
    .update(JSON.stringify([e.seq, e.at, e.actor, e.kind, e.entity, e.data, e.prev]))
    .digest('hex');
}

/** Links new entries after `last` (null for an empty log). */
export function chain(last: Pick<AuditEntry, 'seq' | 'hash'> | null, entries: readonly NewAuditEntry[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? '';
  for (const e of entries) {
    seq += 1;
    const base = { seq, at: e.at, actor: e.actor, kind: e.kind, entity: e.entity, data: e.data, prev };
    const hash = entryHash(base);
    out.push({ ...base, hash });
    prev = hash;
  }
  return out;
}

export interface ChainCheck {
  ok: boolean;
  /** entries checked */
  checked: number;
  /** the first entry found wrong, and why */
  problem: { seq: number; reason: string } | null;
}

/**
 * Verifies a run of entries in `seq` order that continues after `before` (null: from the start).
 * Stops at the first problem.
 */
export function verifyChain(entries: readonly AuditEntry[], before: Pick<AuditEntry, 'seq' | 'hash'> | null = null): ChainCheck {
  let expectSeq = (before?.seq ?? 0) + 1;
  let prev = before?.hash ?? '';
  let checked = 0;
  for (const e of entries) {
    if (e.seq !== expectSeq) {
      return { ok: false, checked, problem: { seq: expectSeq, reason: `entry ${expectSeq} is missing (the next entry is ${e.seq}): deleted` } };
    }
    if (e.prev !== prev) return { ok: false, checked, problem: { seq: e.seq, reason: `entry ${e.seq} does not link to entry ${e.seq - 1}: an entry was deleted or replaced` } };
    if (entryHash(e) !== e.hash) return { ok: false, checked, problem: { seq: e.seq, reason: `entry ${e.seq} was edited: its content does not match its hash` } };
    prev = e.hash;
    expectSeq += 1;
    checked += 1;
  }
  return { ok: true, checked, problem: null };
}
