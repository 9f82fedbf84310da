/** Placement rules from plain data (a YAML/JSON rules file or CLI options). */
import { assertMinor, isRecord, ValidationError } from '../core/index.js';
import type { PlacementRule } from './allocate.js';
import { parseRegions } from './contract.js';

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) throw new ValidationError(field, 'must be a list of non-empty strings');
  return (v as string[]).map((x) => x.trim());
}

export function parsePlacementRule(raw: unknown, field = 'rule'): PlacementRule {
  if (!isRecord(raw)) throw new ValidationError(field, 'must be a mapping { id, bucket, minBalance, maxBalance, regions, agencies }');
  const { id, bucket, minBalance, maxBalance, regions, agencies } = raw;
  if (typeof id !== 'string' || id.trim() === '') throw new ValidationError(`${field}.id`, 'must be a non-empty string');
  if (typeof bucket !== 'string' || bucket.trim() === '') throw new ValidationError(`${field}.bucket`, 'must be a bucket name (e.g. M2)');
  const min = minBalance === undefined ? 0 : assertMinor(minBalance, `${field}.minBalance`);
  const max = maxBalance === undefined || maxBalance === null ? null : assertMinor(maxBalance, `${field}.maxBalance`);
  if (max !== null && max < min) throw new ValidationError(`${field}.maxBalance`, `must not be below minBalance (${min})`);
  const regionList = regions === undefined || regions === null || (Array.isArray(regions) && regions.length === 0) ? [] : parseRegions(regions, `${field}.regions`);
  return { id: id.trim(), bucket: bucket.trim(), minBalance: min, maxBalance: max, regions: regionList, agencies: stringList(agencies, `${field}.agencies`) };
}

export function parsePlacementRules(raw: unknown, field = 'rules'): PlacementRule[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError(field, 'must be a non-empty list of rules');
  const out = raw.map((r, i) => parsePlacementRule(r, `${field}[${i}]`));
  const ids = new Set<string>();
  out.forEach((r, i) => {
    if (ids.has(r.id)) throw new ValidationError(`${field}[${i}].id`, `duplicate rule id "${r.id}"`);
    ids.add(r.id);
  });
  return out;
}
