/**
 * Building a business date's work queue: pure. Call tasks are ranked by a priority formula and
 * dealt round-robin to the calling agents whose skills match, up to each agent's capacity for the
 * day; a task no agent can take stays unassigned with the reason. See docs/work-queues.md.
 */
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
  /** why the task cannot be queued at all (e.g. a party the queue cannot call yet); null: queueable */
  unqueueable?: string | null;
}

export type PriorityFn = (t: QueueTask) => number;

/** The propensity used when the account has none recorded. */
export const DEFAULT_PROPENSITY = 0.5;
/** The multiplier for an account with a broken promise. */
export const BROKEN_PROMISE_BUMP = 1.5;

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
}

export interface BuildOptions {
  priority?: PriorityFn;
  /** items each agent already holds for the date (a rebuild only adds) */
  alreadyAssigned?: ReadonlyMap<string, number>;
}

/** Whether a user's skills cover a task (an empty skill list covers anything). */
export function skillsMatch(u: User, t: QueueTask): boolean {
  const s = u.skills;
  if (s.buckets.length > 0 && !s.buckets.includes(t.bucket)) return false;
  if (s.jurisdictions.length > 0 && t.jurisdiction !== null && !t.jurisdiction.every((p) => s.jurisdictions.includes(p))) return false;
  if (s.languages.length > 0 && t.languages.length > 0 && !t.languages.some((l) => s.languages.includes(l))) return false;
  return true;
}

function skillText(t: QueueTask): string {
  return `bucket ${t.bucket}, jurisdiction ${t.jurisdiction === null ? '(none)' : t.jurisdiction.join('+')}${t.languages.length ? `, language ${t.languages.join('/')}` : ''}`;
}

/**
 * Ranks the tasks (priority descending, then task id) and deals them round-robin: each task goes to
 * the next agent after the last one served (agents in id order) whose skills match and who has
 * capacity left.
 */
export function buildQueue(tasks: readonly QueueTask[], users: readonly User[], opts: BuildOptions = {}): Assignment[] {
  const priority = opts.priority ?? defaultPriority;
  const agents = users.filter((u) => CALLING_ROLES.includes(u.role)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const load = new Map<string, number>(agents.map((a) => [a.id, opts.alreadyAssigned?.get(a.id) ?? 0]));
  const ranked = tasks.map((t) => ({ t, p: priority(t) })).sort((a, b) => b.p - a.p || a.t.taskId - b.t.taskId);
  let next = 0;
  const out: Assignment[] = [];
  for (const { t, p } of ranked) {
    const base = { taskId: t.taskId, accountId: t.accountId, priority: p };
    if (t.unqueueable) {
      out.push({ ...base, agentId: null, reason: t.unqueueable });
      continue;
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
    out.push({ ...base, agentId: a.id, reason: null });
  }
  return out;
}
