/**
 * The facts table of docs/strategy.md, generated from the catalogue. A test keeps the document
 * equal to this output (run it with UPDATE_DOCS=1 to rewrite the section).
 */
import { FACTS } from './facts.js';

export const FACTS_BEGIN = '<!-- facts:begin (generated from src/strategy/facts.ts; do not edit by hand) -->';
export const FACTS_END = '<!-- facts:end -->';

export function renderFactsTable(): string {
  const rows = FACTS.map((f) => `| \`${f.name}\` | ${f.type} | ${f.unit || '—'} | ${f.meaning.replace(/\|/g, '\\|')} |`);
  return ['| fact | CEL type | unit | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** `doc` with its facts section replaced by the generated table. */
export function updateFactsSection(doc: string): string {
  const b = doc.indexOf(FACTS_BEGIN);
  const e = doc.indexOf(FACTS_END);
  if (b < 0 || e < b) throw new Error(`docs/strategy.md must contain ${FACTS_BEGIN} … ${FACTS_END}`);
  return `${doc.slice(0, b + FACTS_BEGIN.length)}\n${renderFactsTable()}\n${doc.slice(e)}`;
}
