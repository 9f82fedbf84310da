/**
 * Day plans for field agents: the visit tasks of a date become an ordered route per field agent
 * (or per team of two when the rule pack needs two collectors), grouped by district or by
 * coordinates, ordered nearest-neighbour from the agent's start point, and cut at the end of the
 * visit hours; what does not fit one unit's day goes to another with time left. Pure and deterministic:
 * the same input gives the same plan. See docs/field-visits.md.
 */
import { ValidationError } from '../core/index.js';

export interface GeoPoint {
  lat: number;
  lon: number;
}

export interface VisitTask {
  /** the task id (or any unique id) */
  id: string;
  accountId: string;
  /** residential or id_card (the task's `address`) */
  address: string;
  district?: string;
  location?: GeoPoint;
  /** 1 (most urgent) … 9; ties between equally near stops go to the more urgent */
  priority?: number;
  /** the compliance gate blocks a visit to this account on the day (asked by the caller): left over with `gate_blocked` */
  blocked?: { rule: string | null; reason: string };
}

export interface FieldAgent {
  id: string;
  /** districts the agent covers; absent: every district */
  districts?: string[];
  /** where the day starts; required when grouping by coordinates */
  start?: GeoPoint;
}

export type GroupBy = 'district' | 'coordinates';

export interface PlanOptions {
  /** local visit hours, "HH:MM" (e.g. a pack's allowed-hours for channel visit) */
  window: { from: string; to: string };
  /** minutes spent at each visit (default 30) */
  minutesPerVisit?: number;
  /** travel speed in km/h (default 25) */
  speedKmh?: number;
  /** collectors per visit: 1, or 2 for a pack's field-visit rule with minCollectors 2 (default 1) */
  collectors?: number;
  /** default: coordinates when every visit and agent has them, else district */
  groupBy?: GroupBy;
  /** district grouping: travel minutes between two stops without coordinates (default 15) */
  districtTravelMinutes?: number;
}

export interface PlannedStop {
  seq: number;
  visitId: string;
  accountId: string;
  address: string;
  district: string | null;
  /** local "HH:MM" */
  arrival: string;
  departure: string;
  travelMinutes: number;
  /** km from the previous point, 2 decimals; null without coordinates */
  travelKm: number | null;
  /** the unit whose day it did not fit (a leftover reassigned to this unit) */
  reassignedFrom?: string;
}

export interface Route {
  /** the agent id, or `A+B` for a team */
  unit: string;
  agents: string[];
  stops: PlannedStop[];
  /** departure from the last stop ("HH:MM"); the window's start when there are no stops */
  endsAt: string;
  totalKm: number;
}

/**
 * `no_location`: neither coordinates nor a district (or, grouping by coordinates, no coordinates); `no_district`: coordinates but
 * no district, grouping by district, and no unit has a start point to plan it by coordinates.
 */
export type LeftOverReason = 'no_time_left' | 'no_agent_in_district' | 'no_location' | 'no_district' | 'no_agents' | 'gate_blocked';

export interface LeftOver {
  visitId: string;
  accountId: string;
  district: string | null;
  reason: LeftOverReason;
  /** gate_blocked: the rule and the gate's reason */
  rule?: string | null;
  detail?: string;
}

export interface DayPlan {
  window: { from: string; to: string };
  minutesPerVisit: number;
  speedKmh: number;
  collectors: number;
  groupBy: GroupBy;
  routes: Route[];
  leftOver: LeftOver[];
  /** agents left without a partner when visits need two collectors */
  unpairedAgents: string[];
}

const EARTH_KM = 6371;

/** Great-circle distance in km (haversine, mean Earth radius 6371 km). */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function isGeoPoint(v: unknown): v is GeoPoint {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.lat === 'number' && typeof p.lon === 'number' && Number.isFinite(p.lat) && Number.isFinite(p.lon)
    && p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180;
}

/** "HH:MM" → minutes after midnight; "24:00" is allowed as an end. */
export function parseClock(s: string, field: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || h > 24 || min > 59 || (h === 24 && min > 0)) throw new ValidationError(field, `must be a time HH:MM (00:00–24:00), got ${JSON.stringify(s)}`);
  return h * 60 + min;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

interface RouteState {
  unit: Unit;
  stops: PlannedStop[];
  /** where the unit is (its start, then its last stop with coordinates) */
  at: GeoPoint | null;
  district: string | null;
  /** minutes after midnight when it is free again */
  clock: number;
  totalKm: number;
}

interface Unit {
  id: string;
  agents: string[];
  districts: Set<string> | null;
  start: GeoPoint | null;
}

function positive(v: number | undefined, dflt: number, field: string, max: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x <= 0 || x > max) throw new ValidationError(field, `must be a number above 0 and at most ${max}, got ${String(v)}`);
  return x;
}

/** Teams of two: agents in id order, each paired with the next unpaired agent covering a common district. */
function formUnits(agents: readonly FieldAgent[], collectors: number): { units: Unit[]; unpaired: string[] } {
  const sorted = [...agents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const single = (a: FieldAgent): Unit => ({ id: a.id, agents: [a.id], districts: a.districts ? new Set(a.districts) : null, start: a.start ?? null });
  if (collectors === 1) return { units: sorted.map(single), unpaired: [] };
  const used = new Set<string>();
  const units: Unit[] = [];
  const unpaired: string[] = [];
  for (const a of sorted) {
    if (used.has(a.id)) continue;
    used.add(a.id);
    const partner = sorted.find((b) => !used.has(b.id) && (!a.districts || !b.districts || a.districts.some((d) => b.districts?.includes(d))));
    if (!partner) {
      unpaired.push(a.id);
      continue;
    }
    used.add(partner.id);
    let districts: Set<string> | null = null;
    if (a.districts && partner.districts) districts = new Set(a.districts.filter((d) => partner.districts?.includes(d)));
    else if (a.districts ?? partner.districts) districts = new Set(a.districts ?? partner.districts);
    units.push({ id: `${a.id}+${partner.id}`, agents: [a.id, partner.id], districts, start: a.start ?? partner.start ?? null });
  }
  return { units, unpaired };
}

/** a visit without a district (planned by its coordinates) is covered by every unit: its district cannot be checked */
const covers = (u: Unit, v: VisitTask): boolean => u.districts === null || v.district === undefined || u.districts.has(v.district);
/** the unit whose start is nearest to `loc`, among the units covering `v` (units in id order: ties keep the first) */
function nearestUnit(units: readonly Unit[], v: VisitTask, loc: GeoPoint): Unit | null {
  let best: Unit | null = null;
  let bestKm = Infinity;
  for (const u of units) {
    if (!covers(u, v) || !u.start) continue;
    const km = haversineKm(u.start, loc);
    if (km < bestKm) [best, bestKm] = [u, km];
  }
  return best;
}
/** a < b, element by element */
function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  return false;
}
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** urgency, then account, then id: the tie-break wherever two visits are otherwise equal */
const cmpVisit = (a: VisitTask, b: VisitTask): number => (a.priority ?? 5) - (b.priority ?? 5) || cmpStr(a.accountId, b.accountId) || cmpStr(a.id, b.id);

function validate(visits: readonly VisitTask[], agents: readonly FieldAgent[]): void {
  const seen = new Set<string>();
  visits.forEach((v, i) => {
    if (seen.has(v.id)) throw new ValidationError(`visits[${i}].id`, `must be unique, "${v.id}" appears twice`);
    seen.add(v.id);
    if (v.location !== undefined && !isGeoPoint(v.location)) throw new ValidationError(`visits[${i}].location`, 'must be { lat: -90…90, lon: -180…180 }');
  });
  const ids = new Set<string>();
  agents.forEach((a, i) => {
    if (a.id.trim() === '') throw new ValidationError(`agents[${i}].id`, 'is required');
    if (ids.has(a.id)) throw new ValidationError(`agents[${i}].id`, `must be unique, "${a.id}" appears twice`);
    ids.add(a.id);
    if (a.start !== undefined && !isGeoPoint(a.start)) throw new ValidationError(`agents[${i}].start`, 'must be { lat: -90…90, lon: -180…180 }');
  });
}

/**
 * Plans one day. Visits are assigned to units (an agent, or a team of two): by district, each
 * district as a whole to the least-loaded unit covering it (districts with the fewest covering
 * units first, then the biggest, then by name); by coordinates, each visit to the
 * covering unit whose start is nearest. Each unit's route then starts at its start point and goes
 * to the nearest remaining visit (same district first when grouping by district) while the visit
 * still ends within the window. What does not fit its unit's day is offered, most urgent first, to the other
 * units covering it that still have time for it (appended to the route: one already working that district, or
 * covering it by name, first, then the nearest, then the one with the most time left, then by id); only what
 * fits nobody is left over with `no_time_left`. Visits the caller found blocked by the gate (`blocked`) are
 * left over with `gate_blocked`.
 */
export function planDay(visits: readonly VisitTask[], agents: readonly FieldAgent[], opts: PlanOptions): DayPlan {
  validate(visits, agents);
  const from = parseClock(opts.window.from, 'window.from');
  const to = parseClock(opts.window.to, 'window.to');
  if (to <= from) throw new ValidationError('window.to', `must be after window.from (${opts.window.from}), got ${opts.window.to}`);
  const minutesPerVisit = positive(opts.minutesPerVisit, 30, 'minutesPerVisit', 24 * 60);
  const speedKmh = positive(opts.speedKmh, 25, 'speedKmh', 1000);
  const districtTravel = opts.districtTravelMinutes ?? 15;
  if (!Number.isInteger(districtTravel) || districtTravel < 0) throw new ValidationError('districtTravelMinutes', `must be a whole number ≥ 0, got ${districtTravel}`);
  const collectors = opts.collectors ?? 1;
  if (collectors !== 1 && collectors !== 2) throw new ValidationError('collectors', `must be 1 or 2, got ${collectors}`);
  const groupBy: GroupBy = opts.groupBy ?? (visits.every((v) => v.location) && agents.every((a) => a.start) ? 'coordinates' : 'district');
  if (groupBy === 'coordinates') {
    agents.forEach((a, i) => {
      if (!a.start) throw new ValidationError(`agents[${i}].start`, 'is required when grouping by coordinates');
    });
  }

  const { units, unpaired } = formUnits(agents, collectors);
  const leftOver: LeftOver[] = [];
  const left = (v: VisitTask, reason: LeftOverReason): void => {
    leftOver.push({ visitId: v.id, accountId: v.accountId, district: v.district ?? null, reason });
  };
  const assigned = new Map<string, VisitTask[]>(units.map((u) => [u.id, []]));
  const ordered: VisitTask[] = [];
  for (const v of [...visits].sort(cmpVisit)) {
    if (v.blocked) leftOver.push({ visitId: v.id, accountId: v.accountId, district: v.district ?? null, reason: 'gate_blocked', rule: v.blocked.rule, detail: v.blocked.reason });
    else ordered.push(v);
  }

  if (groupBy === 'coordinates') {
    for (const v of ordered) {
      if (!v.location) {
        left(v, 'no_location');
        continue;
      }
      const best = nearestUnit(units, v, v.location);
      if (best) assigned.get(best.id)?.push(v);
      else left(v, units.length === 0 ? 'no_agents' : 'no_agent_in_district');
    }
  } else {
    const byDistrict = new Map<string, VisitTask[]>();
    for (const v of ordered) {
      if (v.district === undefined) {
        // coordinates without a district: planned by its coordinates, to the unit whose start is nearest
        if (!v.location) left(v, 'no_location');
        else {
          const best = nearestUnit(units, v, v.location);
          if (best) assigned.get(best.id)?.push(v);
          else left(v, units.length === 0 ? 'no_agents' : 'no_district');
        }
        continue;
      }
      byDistrict.set(v.district, [...(byDistrict.get(v.district) ?? []), v]);
    }
    const candidatesOf = (d: string): Unit[] => units.filter((u) => u.districts === null || u.districts.has(d));
    // the most constrained districts first (fewest units covering them), then the biggest, then by name
    const districts = [...byDistrict.keys()].sort((a, b) => candidatesOf(a).length - candidatesOf(b).length
      || (byDistrict.get(b)?.length ?? 0) - (byDistrict.get(a)?.length ?? 0) || cmpStr(a, b));
    for (const d of districts) {
      const group = byDistrict.get(d) ?? [];
      const candidates = candidatesOf(d);
      if (candidates.length === 0) {
        for (const v of group) left(v, units.length === 0 ? 'no_agents' : 'no_agent_in_district');
        continue;
      }
      const load = (u: Unit): number => assigned.get(u.id)?.length ?? 0;
      const best = candidates.reduce((a, b) => (load(b) < load(a) ? b : a));
      assigned.get(best.id)?.push(...group);
    }
  }

  // routes: from the unit's start, the nearest remaining visit while it still ends within the window
  const states: RouteState[] = units.map((u) => ({ unit: u, stops: [], at: u.start, district: null, clock: from, totalKm: 0 }));
  const travelFrom = (r: RouteState, v: VisitTask): { km: number | null; minutes: number } => {
    const km = r.at && v.location ? haversineKm(r.at, v.location) : null;
    const minutes = km !== null ? Math.ceil((km / speedKmh) * 60) : r.stops.length === 0 && r.at === null ? 0 : districtTravel;
    return { km, minutes };
  };
  const addStop = (r: RouteState, v: VisitTask, reassignedFrom: string | null): void => {
    const { km, minutes } = travelFrom(r, v);
    const arrival = r.clock + minutes;
    const departure = arrival + minutesPerVisit;
    r.stops.push({
      seq: r.stops.length + 1, visitId: v.id, accountId: v.accountId, address: v.address, district: v.district ?? null,
      arrival: formatClock(arrival), departure: formatClock(departure), travelMinutes: minutes, travelKm: km === null ? null : Math.round(km * 100) / 100,
      ...(reassignedFrom !== null ? { reassignedFrom } : {}),
    });
    if (km !== null) r.totalKm += km;
    r.clock = departure;
    r.at = v.location ?? r.at;
    r.district = v.district ?? null;
  };
  const overflow: { v: VisitTask; from: string }[] = [];
  for (const r of states) {
    const remaining = [...(assigned.get(r.unit.id) ?? [])];
    while (remaining.length > 0) {
      // same district first (district grouping), then the nearest, then urgency / account / id
      let bestI = 0;
      let bestKey: [number, number] = [Infinity, Infinity];
      remaining.forEach((v, i) => {
        const other = groupBy === 'district' && r.district !== null && v.district !== r.district ? 1 : 0;
        const km = r.at && v.location ? haversineKm(r.at, v.location) : Infinity;
        const key: [number, number] = [other, km];
        const better = key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && cmpVisit(v, remaining[bestI] as VisitTask) < 0)));
        if (i === 0 || better) [bestI, bestKey] = [i, key];
      });
      const v = remaining[bestI] as VisitTask;
      if (r.clock + travelFrom(r, v).minutes + minutesPerVisit > to) break; // the nearest does not fit: a farther one cannot either
      remaining.splice(bestI, 1);
      addStop(r, v, null);
    }
    for (const v of remaining) overflow.push({ v, from: r.unit.id });
  }

  // leftovers: what did not fit its unit's day goes, most urgent first, to another unit covering it that still has
  // time for it (appended to its route): one already working that district (or covering it by name) first, then
  // the nearest (from where its route ends), then the one with the most time left, then by unit id
  overflow.sort((a, b) => cmpVisit(a.v, b.v));
  for (const { v, from: origin } of overflow) {
    let best: RouteState | null = null;
    let bestKey: number[] = [];
    for (const r of states) {
      if (r.unit.id === origin || !covers(r.unit, v)) continue;
      const t = travelFrom(r, v);
      if (r.clock + t.minutes + minutesPerVisit > to) continue;
      const sameArea = v.district !== undefined && (r.stops.some((s) => s.district === v.district) || (r.unit.districts?.has(v.district) ?? false)) ? 0 : 1;
      const key = [sameArea, t.km ?? Infinity, t.minutes, r.clock];
      if (best === null || lexLess(key, bestKey)) [best, bestKey] = [r, key]; // units are in id order: ties keep the first
    }
    if (best) addStop(best, v, origin);
    else left(v, 'no_time_left');
  }

  const routes: Route[] = states.map((r) => ({
    unit: r.unit.id, agents: r.unit.agents, stops: r.stops, endsAt: formatClock(r.clock), totalKm: Math.round(r.totalKm * 100) / 100,
  }));
  leftOver.sort((a, b) => cmpStr(a.accountId, b.accountId) || cmpStr(a.visitId, b.visitId));
  return { window: { from: opts.window.from, to: opts.window.to }, minutesPerVisit, speedKmh, collectors, groupBy, routes, leftOver, unpairedAgents: unpaired };
}
