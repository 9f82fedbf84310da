/**
 * Reading the field-plan inputs: the agents file and the visit-location mapping (account →
 * { lat, lon, district }; addresses carry no coordinates yet).
 */
import { isRecord, ValidationError } from '../core/index.js';
import { isGeoPoint, type FieldAgent, type GeoPoint } from './plan.js';

/** `[{ id, districts?, start?: { lat, lon } }]` or `{ agents: [...] }`. */
export function parseAgents(raw: unknown, prefix = 'agents'): FieldAgent[] {
  const list = isRecord(raw) ? raw.agents : raw;
  if (!Array.isArray(list)) throw new ValidationError(prefix, 'must be a list of { id, districts, start: { lat, lon } }');
  return list.map((a: unknown, i) => {
    const f = `${prefix}[${i}]`;
    if (!isRecord(a)) throw new ValidationError(f, 'must be a mapping { id, districts, start }');
    for (const k of Object.keys(a)) if (!['id', 'districts', 'start'].includes(k)) throw new ValidationError(`${f}.${k}`, 'is not a known field (known: id, districts, start)');
    if (typeof a.id !== 'string' || a.id.trim() === '') throw new ValidationError(`${f}.id`, 'is required (a non-empty string)');
    const agent: FieldAgent = { id: a.id };
    if (a.districts !== undefined) {
      if (!Array.isArray(a.districts) || !a.districts.every((d) => typeof d === 'string' && d !== '')) throw new ValidationError(`${f}.districts`, 'must be a list of district names');
      agent.districts = a.districts as string[];
    }
    if (a.start !== undefined) {
      if (!isGeoPoint(a.start)) throw new ValidationError(`${f}.start`, `must be { lat: -90…90, lon: -180…180 }, got ${JSON.stringify(a.start)}`);
      agent.start = { lat: a.start.lat, lon: a.start.lon };
    }
    return agent;
  });
}

export interface VisitLocation {
  location?: GeoPoint;
  district?: string;
}

/** `{ "L-1": { lat, lon, district } }`: lat and lon together or not at all; district optional. */
export function parseVisitLocations(raw: unknown, prefix = 'visits'): Map<string, VisitLocation> {
  if (!isRecord(raw)) throw new ValidationError(prefix, 'must be a mapping of account id → { lat, lon, district }');
  const out = new Map<string, VisitLocation>();
  for (const [account, v] of Object.entries(raw)) {
    const f = `${prefix}.${account}`;
    if (!isRecord(v)) throw new ValidationError(f, 'must be a mapping { lat, lon, district }');
    for (const k of Object.keys(v)) if (!['lat', 'lon', 'district'].includes(k)) throw new ValidationError(`${f}.${k}`, 'is not a known field (known: lat, lon, district)');
    const loc: VisitLocation = {};
    if (v.lat !== undefined || v.lon !== undefined) {
      if (!isGeoPoint(v)) throw new ValidationError(f, `lat must be -90…90 and lon -180…180 (both numbers), got ${JSON.stringify({ lat: v.lat, lon: v.lon })}`);
      loc.location = { lat: v.lat, lon: v.lon };
    }
    if (v.district !== undefined) {
      if (typeof v.district !== 'string' || v.district === '') throw new ValidationError(`${f}.district`, 'must be a non-empty string');
      loc.district = v.district;
    }
    out.set(account, loc);
  }
  return out;
}
