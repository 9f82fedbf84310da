/**
 * Field visits, pure: the day plan (nearest-neighbour route on a hand-checked example, the visit
 * hours, teams of two, district grouping, left-over reasons), the pack's visit rules and visit
 * report validation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRulePack } from '../../src/compliance/index.js';
import type { Attempt } from '../../src/contact/index.js';
import { visitsOf } from '../../src/cycle/strategy-step.js';
import {
  contactOutcomeOf, haversineKm, parseAgents, parseVisitLocations, parseVisitReport, planDay, visitRules, VisitReportError, type VisitTask,
} from '../../src/field/index.js';
import { catchValidation } from '../support/errors.js';

// On the equator 0.01° ≈ 1.112 km. Start at (0, 0); at 60 km/h a km is a minute (travel rounded up).
//   B (0, 0.01)      1.11 km from the start    — nearest first
//   D (0, -0.015)    1.67 km from the start    — 2nd by distance from the start, but …
//   C (0.015, 0.01)  1.67 km from B            — … from B, C is nearest (D is 2.78 km)
//   A (0, 0.03)      2.78 km from C (D: 3.24)  — then A, and D (5.00 km) last
// Route: B 09:02–09:32, C 09:34–10:04, A 10:07–10:37, D 10:43–11:13.
const visit = (id: string, lat: number, lon: number, extra: Partial<VisitTask> = {}): VisitTask => ({
  id, accountId: `L-${id}`, address: 'residential', location: { lat, lon }, ...extra,
});
const square = [visit('A', 0, 0.03), visit('B', 0, 0.01), visit('C', 0.015, 0.01), visit('D', 0, -0.015)];
const origin = { lat: 0, lon: 0 };
const base = { window: { from: '09:00', to: '18:00' }, minutesPerVisit: 30, speedKmh: 60 };

describe('planDay', () => {
  it('haversine: 0.01° of longitude on the equator is 1.112 km; 1° of latitude 111.19 km', () => {
    expect(haversineKm(origin, { lat: 0, lon: 0.01 })).toBeCloseTo(1.112, 3);
    expect(haversineKm({ lat: 10, lon: 20 }, { lat: 11, lon: 20 })).toBeCloseTo(111.19, 2);
  });

  it('orders stops nearest-neighbour from the start point, with arrival times', () => {
    const p = planDay(square, [{ id: 'f1', start: origin }], base);
    expect(p.groupBy).toBe('coordinates');
    const r = p.routes[0];
    expect(r?.stops.map((s) => [s.visitId, s.arrival, s.departure, s.travelMinutes])).toEqual([
      ['B', '09:02', '09:32', 2], ['C', '09:34', '10:04', 2], ['A', '10:07', '10:37', 3], ['D', '10:43', '11:13', 6],
    ]);
    expect(r?.stops.map((s) => s.travelKm)).toEqual([1.11, 1.67, 2.78, 5]);
    expect(r?.endsAt).toBe('11:13');
    expect(p.leftOver).toEqual([]);
    // deterministic: input order does not matter
    expect(planDay([...square].reverse(), [{ id: 'f1', start: origin }], base)).toEqual(p);
  });

  it('keeps every visit inside the visit hours; what does not fit is left over with no_time_left', () => {
    const edge = planDay(square, [{ id: 'f1', start: origin }], { ...base, window: { from: '09:00', to: '10:37' } });
    expect(edge.routes[0]?.stops.map((s) => s.visitId)).toEqual(['B', 'C', 'A']);
    expect(edge.leftOver).toEqual([{ visitId: 'D', accountId: 'L-D', district: null, reason: 'no_time_left' }]);
    const shorter = planDay(square, [{ id: 'f1', start: origin }], { ...base, window: { from: '09:00', to: '10:36' } });
    expect(shorter.routes[0]?.stops.map((s) => s.visitId)).toEqual(['B', 'C']);
    expect(shorter.leftOver.map((l) => [l.visitId, l.reason])).toEqual([['A', 'no_time_left'], ['D', 'no_time_left']]);
    // 60 minutes a visit from 20:00 to 21:00: only the first fits (arrives 20:02, leaves 21:02 > 21:00: none)
    const late = planDay(square, [{ id: 'f1', start: origin }], { ...base, minutesPerVisit: 58, window: { from: '20:00', to: '21:00' } });
    expect(late.routes[0]?.stops.map((s) => [s.visitId, s.departure])).toEqual([['B', '21:00']]);
    for (const s of late.routes[0]?.stops ?? []) expect(s.departure <= '21:00').toBe(true);
  });

  it('reassigns what does not fit an overloaded agent\'s day to another agent with time left; only what fits nobody stays left over', () => {
    // every visit is nearest to f1's start; f2 starts 11.1 km east. f1's day ends 10:37: D does not fit f1 …
    const agents = [{ id: 'f2', start: { lat: 0, lon: 0.1 } }, { id: 'f1', start: origin }];
    const p = planDay(square, agents, { ...base, window: { from: '09:00', to: '10:37' } });
    expect(p.routes.map((r) => [r.unit, r.stops.map((s) => s.visitId)])).toEqual([['f1', ['B', 'C', 'A']], ['f2', ['D']]]);
    // … so f2 takes it: 0.115° = 12.79 km at 60 km/h = 13 minutes, 09:13–09:43
    expect(p.routes[1]?.stops[0]).toMatchObject({ seq: 1, visitId: 'D', arrival: '09:13', departure: '09:43', travelMinutes: 13, travelKm: 12.79, reassignedFrom: 'f1' });
    expect(p.leftOver).toEqual([]);
    expect(planDay([...square].reverse(), [...agents].reverse(), { ...base, window: { from: '09:00', to: '10:37' } })).toEqual(p);
    // f2 68 km away: it would arrive 10:09 and leave 10:39, after 10:37: D stays left over
    const tight = planDay(square, [{ id: 'f2', start: { lat: 0, lon: 0.6 } }, { id: 'f1', start: origin }], { ...base, window: { from: '09:00', to: '10:37' } });
    expect(tight.routes.map((r) => r.stops.length)).toEqual([3, 0]);
    expect(tight.leftOver.map((l) => [l.visitId, l.reason])).toEqual([['D', 'no_time_left']]);
  });

  it('reassigned leftovers prefer a unit working (or covering) the district, then the nearest; visits the gate blocks are left over with the rule', () => {
    const v = (id: string, district: string): VisitTask => ({ id, accountId: `L-${id}`, address: 'residential', district });
    const visits = [v('n1', 'north'), v('n2', 'north'), v('n3', 'north'), v('s1', 'south')];
    const agents = [{ id: 'a', districts: ['north'] }, { id: 'b', districts: ['south', 'north'] }, { id: 'c' }];
    // south → b; north → a (less loaded than b); a fits n1 09:00 and n2 09:45, n3 (10:30–11:00) does not fit by 10:30
    const p = planDay(visits, agents, { ...base, window: { from: '09:00', to: '10:30' } });
    // c is free from 09:00, but b covers north by name: n3 goes to b, 15 minutes after s1
    expect(p.routes.map((r) => [r.unit, r.stops.map((s) => `${s.visitId}@${s.arrival}${s.reassignedFrom ? `<${s.reassignedFrom}` : ''}`)])).toEqual([
      ['a', ['n1@09:00', 'n2@09:45']], ['b', ['s1@09:00', 'n3@09:45<a']], ['c', []],
    ]);
    expect(p.leftOver).toEqual([]);
    const blocked = planDay([...visits.slice(1), { ...v('n1', 'north'), blocked: { rule: 'uk-conc/policy-sundays-holidays', reason: 'No visits on Sundays' } }], agents, { ...base, window: { from: '09:00', to: '10:30' } });
    expect(blocked.leftOver).toEqual([{ visitId: 'n1', accountId: 'L-n1', district: 'north', reason: 'gate_blocked', rule: 'uk-conc/policy-sundays-holidays', detail: 'No visits on Sundays' }]);
  });

  it('travel time follows the speed', () => {
    // 25 km/h: 1.112 km → 2.67 min → 3
    const p = planDay(square, [{ id: 'f1', start: origin }], { ...base, speedKmh: 25 });
    expect(p.routes[0]?.stops[0]).toMatchObject({ visitId: 'B', arrival: '09:03', travelMinutes: 3 });
  });

  it('plans for teams of two when the pack needs two collectors; an odd agent out is reported', () => {
    const agents = [{ id: 'f3', start: origin }, { id: 'f1', start: origin }, { id: 'f2', start: origin }];
    const single = planDay(square, agents, base);
    expect(single.routes.map((r) => r.agents)).toEqual([['f1'], ['f2'], ['f3']]);
    const teams = planDay(square, agents, { ...base, collectors: 2 });
    expect(teams.routes.map((r) => [r.unit, r.agents])).toEqual([['f1+f2', ['f1', 'f2']]]);
    expect(teams.routes[0]?.stops.map((s) => s.visitId)).toEqual(['B', 'C', 'A', 'D']);
    expect(teams.unpairedAgents).toEqual(['f3']);
    // partners must share a district: n1 pairs with n2, s1 has nobody
    const byDistrict = planDay([], [{ id: 'n1', districts: ['north'] }, { id: 's1', districts: ['south'] }, { id: 'n2', districts: ['north', 'east'] }], { ...base, collectors: 2 });
    expect(byDistrict.routes.map((r) => r.unit)).toEqual(['n1+n2']);
    expect(byDistrict.unpairedAgents).toEqual(['s1']);
    // no agents at all: everything is left over
    expect(planDay(square, [{ id: 'f1', start: origin }], { ...base, collectors: 2 }).leftOver.map((l) => l.reason)).toEqual(['no_agents', 'no_agents', 'no_agents', 'no_agents']);
  });

  it('groups by district: whole districts per agent, the most constrained first; no agent in a district is a reason', () => {
    const v = (id: string, district: string, priority = 5): VisitTask => ({ id, accountId: `L-${id}`, address: 'residential', district, priority });
    const visits = [v('n1', 'north'), v('n2', 'north', 1), v('s1', 'south'), v('e1', 'east'), { id: 'x', accountId: 'L-x', address: 'id_card' }];
    const p = planDay(visits, [{ id: 'x1', districts: ['north', 'south'] }, { id: 'y1', districts: ['north'] }], { ...base, districtTravelMinutes: 20 });
    expect(p.groupBy).toBe('district');
    // south only x1 covers → x1; north (x1 or y1) → y1, the less loaded; more urgent n2 first, 20 minutes between stops
    expect(p.routes.map((r) => [r.unit, r.stops.map((s) => `${s.visitId}@${s.arrival}`)])).toEqual([
      ['x1', ['s1@09:00']], ['y1', ['n2@09:00', 'n1@09:50']],
    ]);
    expect(p.leftOver.map((l) => [l.visitId, l.reason])).toEqual([['e1', 'no_agent_in_district'], ['x', 'no_location']]);
  });

  it('by coordinates, each visit goes to the nearest start; a visit without coordinates is left over', () => {
    const p = planDay([...square, { id: 'Z', accountId: 'L-Z', address: 'residential' }], [{ id: 'w', start: { lat: 0, lon: -0.02 } }, { id: 'e', start: { lat: 0, lon: 0.02 } }], { ...base, groupBy: 'coordinates' });
    // B is 1.11 km from e's start and 3.34 km from w's; A and B are equally near e's start: the account id breaks the tie
    expect(p.routes.map((r) => [r.unit, r.stops.map((s) => s.visitId)])).toEqual([['e', ['A', 'B', 'C']], ['w', ['D']]]);
    expect(p.leftOver).toEqual([{ visitId: 'Z', accountId: 'L-Z', district: null, reason: 'no_location' }]);
  });

  it('a visit with coordinates but no district is planned by its coordinates (nearest start), in either grouping', () => {
    const visits: VisitTask[] = [
      { id: 'n1', accountId: 'L-n1', address: 'residential', district: 'north' },
      { id: 'c', accountId: 'L-c', address: 'residential', location: { lat: 0, lon: 0.03 } },
      { id: 'x', accountId: 'L-x', address: 'residential' },
    ];
    const agents = [{ id: 'w', districts: ['north'], start: { lat: 0, lon: -0.02 } }, { id: 'e', districts: ['south'], start: { lat: 0, lon: 0.02 } }];
    // n1 has no coordinates: grouping by district; c (no district) goes to e, whose start is nearest
    const p = planDay(visits, agents, base);
    expect(p.groupBy).toBe('district');
    expect(p.routes.map((r) => [r.unit, r.stops.map((s) => s.visitId)])).toEqual([['e', ['c']], ['w', ['n1']]]);
    expect(p.routes[0]?.stops[0]?.travelKm).toBeCloseTo(1.11, 1);
    expect(p.leftOver.map((l) => [l.visitId, l.reason])).toEqual([['x', 'no_location']]);
    // grouping by coordinates: a unit's districts do not exclude a visit whose district is unknown
    const byCoords = planDay([visits[1] as VisitTask], agents, { ...base, groupBy: 'coordinates' });
    expect(byCoords.routes.map((r) => [r.unit, r.stops.map((s) => s.visitId)])).toEqual([['e', ['c']], ['w', []]]);
    expect(byCoords.leftOver).toEqual([]);
    // no unit has a start point to plan it by: the reason says the district is missing
    const noStart = planDay(visits, [{ id: 'w', districts: ['north'] }], base);
    expect(noStart.leftOver.map((l) => [l.visitId, l.reason])).toEqual([['c', 'no_district'], ['x', 'no_location']]);
  });

  it('refuses bad options and inputs, naming the field', () => {
    expect(catchValidation(() => planDay(square, [], { ...base, window: { from: '18:00', to: '09:00' } })).field).toBe('window.to');
    expect(catchValidation(() => planDay(square, [], { ...base, window: { from: '9am', to: '18:00' } })).field).toBe('window.from');
    expect(catchValidation(() => planDay(square, [], { ...base, speedKmh: 0 })).field).toBe('speedKmh');
    expect(catchValidation(() => planDay(square, [], { ...base, collectors: 3 })).field).toBe('collectors');
    expect(catchValidation(() => planDay(square, [{ id: 'a' }], { ...base, groupBy: 'coordinates' })).field).toBe('agents[0].start');
    expect(catchValidation(() => planDay([square[0] as VisitTask, square[0] as VisitTask], [], base)).field).toBe('visits[1].id');
  });
});

describe('plan inputs and pack rules', () => {
  it('reads agents and the account → location mapping', () => {
    expect(parseAgents({ agents: [{ id: 'a', districts: ['n'], start: { lat: 1, lon: 2 } }] })).toEqual([{ id: 'a', districts: ['n'], start: { lat: 1, lon: 2 } }]);
    expect(catchValidation(() => parseAgents([{ id: 'a', start: { lat: 91, lon: 0 } }])).field).toBe('agents[0].start');
    expect(parseVisitLocations({ 'L-1': { lat: 1, lon: 2, district: 'n' }, 'L-2': { district: 's' } })).toEqual(new Map([
      ['L-1', { location: { lat: 1, lon: 2 }, district: 'n' }], ['L-2', { district: 's' }],
    ]));
    expect(catchValidation(() => parseVisitLocations({ 'L-1': { lat: 1 } })).field).toBe('visits.L-1');
  });

  it('takes the visit hours and collectors from the packs (cn: 08:00–22:00, two collectors, recording)', () => {
    const cn = loadRulePack(readFileSync('rule-packs/cn.yaml', 'utf8'), 'rule-packs/cn.yaml');
    const uk = loadRulePack(readFileSync('rule-packs/uk-conc.yaml', 'utf8'), 'rule-packs/uk-conc.yaml');
    expect(visitRules(cn.rules)).toMatchObject({ window: { from: '08:00', to: '22:00' }, collectors: 2, recording: true });
    expect(visitRules(uk.rules)).toMatchObject({ window: { from: '08:00', to: '21:00' }, collectors: 1, recording: false });
    expect(visitRules([...cn.rules, ...uk.rules])).toMatchObject({ window: { from: '08:00', to: '21:00' }, collectors: 2, recording: true });
  });
});

describe('parseVisitReport', () => {
  const good = {
    date: '2026-03-02', met: 'borrower', outcome: 'promise', promise: { amount: 50000, date: '2026-03-10' }, notes: 'will pay on payday',
    evidence: [{ name: 'door.jpg', mediaType: 'image/jpeg', size: 1_200_000 }, { name: 'talk.m4a', mediaType: 'audio/mp4', size: 3_000_000 }],
    checkIn: { lat: 31.2304, lon: 121.4737 }, collectors: ['f1', 'f2'],
  };

  it('accepts a complete report', () => {
    expect(parseVisitReport(good, { minCollectors: 2, recordingRequired: true })).toEqual({ ...good, address: 'residential', promise: { amount: 50000, date: '2026-03-10' } });
    // the address visited and the check-in instant
    expect(parseVisitReport({ ...good, address: 'id_card', checkIn: { ...good.checkIn, at: '2026-03-02T10:30:00+08:00' } })).toMatchObject({
      address: 'id_card', checkIn: { lat: 31.2304, lon: 121.4737, at: '2026-03-02T10:30:00+08:00' },
    });
    expect(parseVisitReport({ date: '2026-03-02', met: 'nobody', outcome: 'not_home', checkIn: { lat: 0, lon: 0 }, collectors: ['f1'] }))
      .toMatchObject({ promise: null, notes: null, evidence: [] });
  });

  const issues = (raw: unknown, opts = {}): string[] => {
    try {
      parseVisitReport(raw, opts);
    } catch (e) {
      if (e instanceof VisitReportError) return e.issues.map((i) => `${i.field}: ${i.rule}`);
      throw e;
    }
    throw new Error('expected a VisitReportError');
  };

  it('names the field and the rule of every problem', () => {
    expect(issues({ ...good, met: 'neighbour', outcome: 'maybe', checkIn: { lat: 95, lon: 0 }, extra: 1 })).toEqual([
      'extra: is not a known field (known: date, address, met, outcome, promise, notes, evidence, checkIn, collectors)',
      'met: must be one of borrower, relative, nobody, other, got "neighbour"',
      'outcome: must be one of promise, paid, refused_to_pay, dispute, hardship, message_left, not_home, moved, wrong_address, other, got "maybe"',
      'checkIn: is required, { lat: -90…90, lon: -180…180, at? }, got {"lat":95,"lon":0}',
    ]);
    expect(issues({ ...good, address: 'work', checkIn: { lat: 0, lon: 0, at: '2026-03-02 10:30' } })).toEqual([
      'address: must be one of residential, id_card, got "work"',
      'checkIn.at: must be an ISO instant with Z or an offset, e.g. 2026-03-02T10:30:00+08:00, got "2026-03-02 10:30"',
    ]);
    expect(issues({ ...good, promise: { amount: 12.5, date: '2026-03-01' } })).toEqual([
      'promise.amount: must be a whole number of minor units above 0, got 12.5',
      'promise.date: must not be before the visit date 2026-03-02',
    ]);
    expect(issues({ ...good, promise: undefined })).toEqual(['promise: is required when the outcome is promise']);
    expect(issues({ ...good, outcome: 'not_home' })).toEqual(['promise: is only for outcome promise, the outcome is not_home']);
    expect(issues({ ...good, met: 'nobody', outcome: 'refused_to_pay', promise: undefined })).toEqual(['outcome: "refused_to_pay" needs someone to have been met, but met is nobody']);
    expect(issues({ ...good, date: '2026-02-30', checkIn: undefined })).toEqual([
      'date: is required, a date YYYY-MM-DD, got "2026-02-30"', 'checkIn: is required, { lat: -90…90, lon: -180…180, at? }, got undefined',
    ]);
  });

  it('checks evidence against the media-type allow-list and the size limit', () => {
    const ev = (e: unknown[]): unknown => ({ ...good, evidence: e });
    expect(issues(ev([{ name: 'x.gif', mediaType: 'image/gif', size: 10 }, { name: 'big.mp4', mediaType: 'video/mp4', size: 25 * 1024 * 1024 + 1 }, { name: '../x.png', mediaType: 'image/png', size: 1 }]))).toEqual([
      'evidence[0].mediaType: must be one of image/jpeg, image/png, audio/mpeg, audio/mp4, video/mp4, got "image/gif"',
      `evidence[1].size: must be a whole number of bytes from 1 to ${25 * 1024 * 1024}, got ${25 * 1024 * 1024 + 1}`,
      'evidence[2].name: is required, a file name without a path',
    ]);
    expect(issues(ev([{ name: 'a.png', mediaType: 'image/png', size: 2000 }]), { maxEvidenceBytes: 1000 })).toEqual(['evidence[0].size: must be a whole number of bytes from 1 to 1000, got 2000']);
    expect(parseVisitReport(ev([{ name: 'a.png', mediaType: 'image/png', size: 1000 }]), { maxEvidenceBytes: 1000 }).evidence).toHaveLength(1);
  });

  it('applies the pack: two collectors and a recording', () => {
    const photoOnly = { ...good, evidence: [{ name: 'door.jpg', mediaType: 'image/jpeg', size: 10 }], collectors: ['f1'] };
    expect(issues(photoOnly, { minCollectors: 2, recordingRequired: true })).toEqual([
      'evidence: must include a recording (audio/mpeg, audio/mp4 or video/mp4): the rule pack requires one',
      'collectors: must name at least 2 collector(s), got 1',
    ]);
    const e = catchValidation(() => parseVisitReport(photoOnly, { minCollectors: 2 }));
    expect(e.field).toBe('collectors');
    expect(e.message).toBe('collectors: must name at least 2 collector(s), got 1');
  });
});

describe('visit reports as contact outcomes and facts', () => {
  it('records a report as the contact outcome of what happened and who was met', () => {
    expect(contactOutcomeOf({ met: 'relative', outcome: 'promise' })).toBe('promise');
    expect(contactOutcomeOf({ met: 'nobody', outcome: 'not_home' })).toBe('no_answer');
    expect(contactOutcomeOf({ met: 'relative', outcome: 'refused_to_pay' })).toBe('reached_person');
    expect(contactOutcomeOf({ met: 'borrower', outcome: 'refused_to_pay' })).toBe('refused_to_pay');
    expect(contactOutcomeOf({ met: 'borrower', outcome: 'paid' })).toBe('conversation');
  });

  it('counts reports, then visit attempts not recorded from a report (each once)', () => {
    const attempt = (date: string, outcome: Attempt['outcome'], channel: Attempt['channel'] = 'visit'): Attempt => ({ accountId: 'L-1', date, time: null, party: 'borrower', channel, outcome, promise: null });
    const reported = [{ date: '2026-03-02', address: 'residential' as const, result: 'failed' as const }];
    // the report's own attempt (03-02 no_answer) is skipped; a timeline's visit (03-09) counts, at the ID-card address after the failed residential one
    expect(visitsOf([attempt('2026-03-02', 'no_answer'), attempt('2026-03-05', 'no_answer', 'call'), attempt('2026-03-09', 'no_answer')], reported, ['2026-03-02|no_answer'])).toEqual([
      ...reported, { date: '2026-03-09', address: 'id_card', result: 'failed' },
    ]);
    // without reports: as before, residential first
    expect(visitsOf([attempt('2026-03-02', 'no_answer'), attempt('2026-03-09', 'conversation')])).toEqual([
      { date: '2026-03-02', address: 'residential', result: 'failed' }, { date: '2026-03-09', address: 'id_card', result: 'reached' },
    ]);
  });
});
