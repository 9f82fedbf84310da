/**
 * Template folders shared by letters (templates/letters) and messages (templates/messages): where
 * the shipped ones are, loading a folder of YAML templates by id, and choosing a recipient's language.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../core/index.js';
import { TEMPLATE_LANGUAGES, type TemplateLanguage } from '../compliance/index.js';

/** The shipped `templates/<kind>` at the repository root (found from src/channels and from dist/src/channels). */
export function shippedTemplateDirectory(kind: 'letters' | 'messages'): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../templates', kind), resolve(here, '../../../templates', kind)];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new Error(`${kind} templates not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Every `*.yaml` template in `dir`, parsed by `parse`, by id (the file name must be the id). */
export function loadTemplateFolder<T extends { id: string }>(dir: string, parse: (raw: unknown, file: string) => T): Map<string, T> {
  if (!existsSync(dir)) throw new ValidationError('templates', `no such folder: ${dir}`);
  const out = new Map<string, T>();
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/i.test(x)).sort()) {
    const t = parse(parseYaml(readFileSync(join(dir, f), 'utf8')), f);
    if (t.id !== f.replace(/\.ya?ml$/i, '')) throw new ValidationError(`${f}: id`, `must match the file name (got ${t.id})`);
    out.set(t.id, t);
  }
  return out;
}

/** The recipient's first language the template has (`zh`, `zh-Hans…` count as zh-CN; `en-GB` as en), else en. */
export function templateLanguage(t: { texts: Partial<Record<TemplateLanguage, unknown>> }, languages: readonly string[]): TemplateLanguage {
  for (const l of languages) {
    const low = l.toLowerCase();
    const norm = low === 'zh' || low.startsWith('zh-hans') ? 'zh-cn' : low;
    const hit = TEMPLATE_LANGUAGES.find((x) => x.toLowerCase() === norm || x.toLowerCase() === norm.split('-')[0]);
    if (hit && t.texts[hit]) return hit;
  }
  return 'en';
}
