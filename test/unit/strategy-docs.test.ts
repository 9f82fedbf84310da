import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FACTS, updateFactsSection } from '../../src/strategy/index.js';

const path = new URL('../../docs/strategy.md', import.meta.url);

it('docs/strategy.md documents every fact exactly as catalogued (UPDATE_DOCS=1 rewrites it)', () => {
  const doc = readFileSync(path, 'utf8');
  const want = updateFactsSection(doc);
  if (process.env.UPDATE_DOCS === '1' && want !== doc) writeFileSync(path, want);
  else expect(doc).toBe(want);
  for (const f of FACTS) expect(doc.includes(`| \`${f.name}\` | ${f.type} |`), f.name).toBe(true);
});
