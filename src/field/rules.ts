/**
 * What the rule packs in force say about field visits: the visit hours (the strictest
 * allowed-hours rule covering channel visit) and the collectors and recording a visit needs
 * (the strictest field-visit rule).
 */
import type { Rule } from '../compliance/index.js';

export interface VisitRules {
  /** null: no allowed-hours rule covers visits */
  window: { from: string; to: string } | null;
  collectors: number;
  recording: boolean;
  /** the rule ids the answer came from */
  sources: string[];
}

export function visitRules(rules: readonly Rule[]): VisitRules {
  let from: string | null = null;
  let to: string | null = null;
  let collectors = 1;
  let recording = false;
  const sources: string[] = [];
  for (const r of rules) {
    if (r.kind === 'allowed-hours' && (r.params.channels === null || r.params.channels.includes('visit'))) {
      if (from === null || r.params.from > from) from = r.params.from;
      if (to === null || r.params.to < to) to = r.params.to;
      sources.push(r.id);
    } else if (r.kind === 'field-visit') {
      collectors = Math.max(collectors, r.params.minCollectors);
      recording ||= r.params.recording;
      sources.push(r.id);
    }
  }
  return { window: from !== null && to !== null ? { from, to } : null, collectors, recording, sources };
}
