/**
 * Which rules of a list of packs act on a kind of compliance act — so that recording an act no pack
 * in force enforces (a cease under a pack without a cease hold, a workplace prohibition under a pack
 * without a workplace rule) can be flagged instead of silently doing nothing at the gate.
 *
 * A rule acts on an act kind when the gate reads what the act records:
 * - holds (`cease`, `dispute`, `attorney`, `breathing_space`, `deceased`, `bankruptcy`) and the acts
 *   lifting them: a `hold` rule for that hold kind;
 * - `opt_out` / `opt_in`: an `opt-out` rule (covering the act's channel, when one is given);
 * - `workplace_forbidden` / `workplace_allowed`: a `workplace` rule with `condition: employer_forbids`
 *   (an `always` rule does not read the prohibition);
 * - `refused_contact`: a `party-kind` rule with an entry `notAfterRefusal`.
 */
import type { Channel } from '../contact/index.js';
import { LIFTS, PLACES, type ActKind } from './acts.js';
import type { Rule, RulePack } from './types.js';

type PackRules = Pick<RulePack, 'id' | 'rules'>;

function actsOn(rule: Rule, kind: ActKind, channel: Channel | undefined): boolean {
  const hold = PLACES[kind] ?? LIFTS[kind];
  if (hold !== undefined) return rule.kind === 'hold' && rule.params.hold === hold;
  switch (kind) {
    case 'opt_out':
    case 'opt_in':
      return rule.kind === 'opt-out' && (channel === undefined || rule.params.channels.includes(channel));
    case 'workplace_forbidden':
    case 'workplace_allowed':
      return rule.kind === 'workplace' && rule.params.condition === 'employer_forbids';
    case 'refused_contact':
      return rule.kind === 'party-kind' && rule.params.allow.some((e) => e.notAfterRefusal);
    default:
      return false;
  }
}

/** The full ids (`pack/rule`) of the rules of `packs` that act on acts of `kind` (on `channel`, for opt-outs). */
export function rulesActingOn(kind: ActKind, packs: readonly PackRules[], channel?: Channel): string[] {
  return packs.flatMap((p) => p.rules.filter((r) => actsOn(r, kind, channel)).map((r) => r.id));
}

/** The ids of the packs that have a rule acting on acts of `kind` (on `channel`, for opt-outs). */
export function packsActingOn(kind: ActKind, packs: readonly PackRules[], channel?: Channel): string[] {
  return packs.filter((p) => p.rules.some((r) => actsOn(r, kind, channel))).map((p) => p.id);
}

/**
 * The note to show after recording an act no pack in force acts on, or null when some pack does (or
 * no packs are known: nothing to say about them).
 */
export function unenforcedActNote(kind: ActKind, packs: readonly PackRules[], channel?: Channel): string | null {
  if (packs.length === 0 || packsActingOn(kind, packs, channel).length > 0) return null;
  const what = channel !== undefined && (kind === 'opt_out' || kind === 'opt_in') ? `${kind} on ${channel}` : kind;
  return `none of the packs in force (${packs.map((p) => p.id).join(', ')}) has a rule for ${what}; the gate will not act on it`;
}
