/**
 * Building a business date's work queue: pure. Call tasks are ranked by a priority formula and
 * dealt round-robin to the calling agents whose skills match, up to each agent's capacity for the
 * day; a task no agent can take stays unassigned with the reason. See docs/work-queues.md.
 */
import type { PartyKind } from '../contact/index.js';
import type { Purpose, RulePack } from '../compliance/index.js';
import { CALLING_ROLES, type User } from './users.js';

/** What the queue needs to know about one planned call task. */
export interface QueueTask {
  taskId: number;
  accountId: string;
  /** overdue amount in minor units */
  overdue: number;
  /** propensity to pay, 0..1; null: unknown (DEFAULT_PROPENSITY) */
  propensity: number | null;
  /** the account has a broken promise to pay */
  brokenPromise: boolean;
  bucket: string;
  /** the rule packs binding the borrower (accountJurisdiction); null: none set */
  jurisdiction: readonly string[] | null;
  /** the contactee's languages; empty: unknown */
  languages: readonly string[];
  /** why the task cannot be queued at all (e.g. no such party with a number in use); null: queueable */
  unqueueable?: string | null;
  /** the party the call is for (a party on file); null or omitted: the borrower */
  partyId?: string | null;
  /** omitted: borrower */
  partyKind?: PartyKind;
  /** the agency the account is placed with on the date (only that agency's agents work it); null or omitted: in house (only the lender's agents) */
  agencyId?: string | null;
}

export type PriorityFn = (t: QueueTask) => number;

/** The propensity used when the account has none recorded. */
export const DEFAULT_PROPENSITY = 0.5;
/** The multiplier for an account with a broken promise. */
export const BROKEN_PROMISE_BUMP = 1.5;
/** How far back the queue looks for broken promises (promises made in these days before the queue date; the strategy facts' look-back). */
export const PROMISE_LOOKBACK_DAYS = 120;
/** Days after a promise's due date during which a payment still keeps it, for the queue's broken-promise bump (the cycle's facts use 0 too). */
export const QUEUE_PROMISE_GRACE_DAYS = 0;

/** Default priority: overdue × propensity (DEFAULT_PROPENSITY when unknown), ×1.5 after a broken promise; rounded to 4 decimals. */
export const defaultPriority: PriorityFn = (t) => {
  const p = t.overdue * (t.propensity ?? DEFAULT_PROPENSITY) * (t.brokenPromise ? BROKEN_PROMISE_BUMP : 1);
  return Math.round(p * 10_000) / 10_000;
};

export interface Assignment {
  taskId: number;
  accountId: string;
  priority: number;
  /** null: unassigned */
  agentId: string | null;
  /** why it is unassigned; null when assigned */
  reason: string | null;
  /** the party to call (null: the borrower) */
  partyId: string | null;
  partyKind: PartyKind;
}

export interface BuildOptions {
  priority?: PriorityFn;
  /** items each agent already holds for the date (a rebuild only adds) */
  alreadyAssigned?: ReadonlyMap<string, number>;
  /** the agent already holding an item of an account for the date: the account's other calls go to them too */
  accountAgents?: ReadonlyMap<string, string>;
}

/** Why a user's skills do not cover a task, naming the skill; null when they do (an empty skill list covers anything). */
export function skillMismatch(u: User, t: Pick<QueueTask, 'bucket' | 'jurisdiction' | 'languages' | 'agencyId'>): string | null {
  const placedWith = t.agencyId ?? null;
  if (u.agencyId !== placedWith) {
    return placedWith === null ? `${u.id} works for agency ${u.agencyId ?? ''} and the account is not placed with it` : `the account is placed with agency ${placedWith}; ${u.id} ${u.agencyId === null ? 'is a lender agent' : `works for agency ${u.agencyId}`}`;
  }
  const s = u.skills;
  if (s.buckets.length > 0 && !s.buckets.includes(t.bucket)) return `bucket ${t.bucket} is not among ${u.id}'s buckets (${s.buckets.join(', ')})`;
  if (s.jurisdictions.length > 0 && t.jurisdiction !== null) {
    const missing = t.jurisdiction.filter((p) => !s.jurisdictions.includes(p));
    if (missing.length > 0) return `jurisdiction ${missing.join('+')} is not among ${u.id}'s jurisdictions (${s.jurisdictions.join(', ')})`;
  }
  if (s.languages.length > 0 && t.languages.length > 0 && !t.languages.some((l) => s.languages.includes(l))) {
    return `${u.id} speaks none of the contactee's languages (${t.languages.join(', ')}; ${u.id}: ${s.languages.join(', ')})`;
  }
  return null;
}

/** Whether a user's skills cover a task (an empty skill list covers anything). */
export function skillsMatch(u: User, t: Pick<QueueTask, 'bucket' | 'jurisdiction' | 'languages' | 'agencyId'>): boolean {
  return skillMismatch(u, t) === null;
}

const THIRD_PARTY_PURPOSES: readonly Purpose[] = ['location', 'message'];

/**
 * The purpose of a queued call to a party: `collect` for the borrower, a co-borrower or a guarantor
 * (they owe the debt); for a reference or the employer the first of `location`, `message` that every
 * pack's party-kind rules allow for that kind (us-regf: location; cn: message), else `location`.
 */
export function callPurpose(kind: PartyKind, packs: readonly RulePack[]): Purpose {
  if (kind !== 'reference' && kind !== 'employer') return 'collect';
  const allowed = (purpose: Purpose): boolean => packs.every((pack) => pack.rules.every((r) => {
    if (r.kind !== 'party-kind') return true;
    const e = r.params.allow.find((x) => x.kinds.includes(kind));
    return e !== undefined && (e.purposes === null || e.purposes.includes(purpose));
  }));
  return THIRD_PARTY_PURPOSES.find(allowed) ?? 'location';
}

function skillText(t: QueueTask): string {
  return `${t.agencyId ? `agency ${t.agencyId}, ` : ''}bucket ${t.bucket}, jurisdiction ${t.jurisdiction === null ? '(none)' : t.jurisdiction.join('+')}${t.languages.length ? `, language ${t.languages.join('/')}` : ''}`;
}

/**
 * Ranks the tasks (priority descending, then task id) and deals them round-robin: each task goes to
 * the next agent after the last one served (agents in id order) whose skills match and who has
 * capacity left — except that an account's further calls of the date go to the agent who already
 * holds one of them, when that agent's skills match and capacity allows.
 */
export function buildQueue(tasks: readonly QueueTask[], users: readonly User[], opts: BuildOptions = {}): Assignment[] {
  const priority = opts.priority ?? defaultPriority;
  const agents = users.filter((u) => CALLING_ROLES.includes(u.role)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const load = new Map<string, number>(agents.map((a) => [a.id, opts.alreadyAssigned?.get(a.id) ?? 0]));
  const ranked = tasks.map((t) => ({ t, p: priority(t) })).sort((a, b) => b.p - a.p || a.t.taskId - b.t.taskId);
  let next = 0;
  const out: Assignment[] = [];
  // one agent per account and date: several calls a day to one borrower (and to their references) are one agent's work
  const holder = new Map<string, string>(opts.accountAgents ?? []);
  const index = new Map(agents.map((a, i) => [a.id, i]));
  for (const { t, p } of ranked) {
    const base = { taskId: t.taskId, accountId: t.accountId, priority: p, partyId: t.partyId ?? null, partyKind: t.partyKind ?? 'borrower' };
    if (t.unqueueable) {
      out.push({ ...base, agentId: null, reason: t.unqueueable });
      continue;
    }
    const held = holder.get(t.accountId);
    const h = held === undefined ? undefined : index.get(held);
    if (h !== undefined) {
      const a = agents[h] as User;
      if (skillsMatch(a, t) && (load.get(a.id) ?? 0) < a.capacity) {
        load.set(a.id, (load.get(a.id) ?? 0) + 1);
        out.push({ ...base, agentId: a.id, reason: null });
        continue;
      }
    }
    let chosen = -1;
    let skilled = 0;
    for (let k = 0; k < agents.length; k++) {
      const i = (next + k) % agents.length;
      const a = agents[i] as User;
      if (!skillsMatch(a, t)) continue;
      skilled++;
      if ((load.get(a.id) ?? 0) < a.capacity) {
        chosen = i;
        break;
      }
    }
    if (chosen < 0) {
      out.push({ ...base, agentId: null, reason: skilled === 0 ? `no agent has the skills (${skillText(t)})` : `all ${skilled} agent(s) with the skills (${skillText(t)}) are at capacity` });
      continue;
    }
    const a = agents[chosen] as User;
    load.set(a.id, (load.get(a.id) ?? 0) + 1);
    next = (chosen + 1) % agents.length;
    if (!holder.has(t.accountId)) holder.set(t.accountId, a.id);
    out.push({ ...base, agentId: a.id, reason: null });
  }
  return out;
}
