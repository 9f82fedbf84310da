/**
 * The compliance gate's acceptance tests: every rule of every shipped rule pack has a timeline
 * `timelines/rules/<pack>/<id>.yaml` that shows both sides of the rule's limit with `expect:` on
 * its attempts (the last allowed, the first blocked), and every such timeline replays with every
 * expectation met — on SQLite, and on PostgreSQL when ARREARS_TEST_PG_URL is set.
 *
 * Checked here, per rule:
 * - the file exists (a missing one fails naming the rule), its jurisdiction includes the pack, it
 *   has an attempt with `expect: allowed` and one with `expect: <the rule id>`, and it expects no
 *   other rule (only the rule under test may block in it);
 * - replayed through the gate (`decideAndRecord`, the dialer's path) no decision differs from its
 *   `expect:`;
 * - every expected block has a reason; a rule that frees the attempt by itself (caps, hours,
 *   cooldowns, excluded days, inconvenient times) gives a nextAllowedAt, any other one none (only a
 *   recorded act frees it); when the file has the same attempt (party, channel) at a block's
 *   nextAllowedAt it must be expected allowed, and for a rule that frees by itself (or a hold with a
 *   length) at least one block's nextAllowedAt must be probed that way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRulePack, type LoadedPack, type Rule } from '../../src/compliance/index.js';
import { loadTimelineGate } from '../../src/cli/packs.js';
import { replay } from '../../src/cycle/replay.js';
import type { Store } from '../../src/store/db.js';
import { expectationFailures, parseTimeline, type Timeline, type TraceDecision, type TraceRow } from '../../src/timeline/index.js';
import { BACKENDS, type Backend } from '../support/stores.js';

const PACK_DIR = 'rule-packs';
const RULES_DIR = join('timelines', 'rules');

/**
 * Rules whose limit a timeline cannot express yet: the gate reads the fact from a request or context
 * field that has no timeline syntax. Each is reported as a todo; remove an entry when its timeline
 * lands (a listed rule that has a file fails, so the list cannot go stale).
 */
const NOT_YET_EXPRESSIBLE: Readonly<Record<string, string>> = {
  // 'pack/rule': 'the request or context field that has no timeline syntax',
};

/** Rule kinds that free a blocked attempt by themselves, with time: their blocks carry a nextAllowedAt. */
const FREES_BY_ITSELF: ReadonlySet<Rule['kind']> = new Set<Rule['kind']>([
  'window-cap', 'conversation-cooldown', 'allowed-hours', 'excluded-days', 'outcome-cooldown', 'inconvenient-times',
]);

/** A hold with a length of its own (Breathing Space): some of its blocks end by themselves, some (in treatment) do not. */
function holdWithLength(rule: Rule): boolean {
  return rule.kind === 'hold' && (rule.params.defaultDays !== null || rule.params.afterTreatmentDays !== null);
}

function loadShippedPacks(): LoadedPack[] {
  return readdirSync(PACK_DIR).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => loadRulePack(readFileSync(join(PACK_DIR, f), 'utf8'), join(PACK_DIR, f)));
}

/** `us-regf/7-in-7` → `timelines/rules/us-regf/7-in-7.yaml` */
function timelineFile(pack: string, ruleId: string): string {
  return join(RULES_DIR, pack, `${ruleId.slice(pack.length + 1)}.yaml`);
}

function inJurisdiction(t: Timeline, pack: string): boolean {
  return (t.jurisdiction ?? []).some((j) => j === pack || basename(j) === `${pack}.yaml`);
}

/** The `expect:` values of a timeline's attempts. */
function expectations(t: Timeline): string[] {
  return t.events.flatMap((e) => (e.kind === 'attempt' && e.gate.expect !== null ? [e.gate.expect] : []));
}

/**
 * What is wrong with the coverage of `rules` (of pack `pack`): one line per problem, each naming the
 * rule. `read` returns a file's text, or null when it does not exist.
 */
function coverageProblems(pack: string, rules: readonly Rule[], read: (file: string) => string | null): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    if (NOT_YET_EXPRESSIBLE[rule.id] !== undefined) continue;
    const file = timelineFile(pack, rule.id);
    const text = read(file);
    if (text === null) {
      out.push(`${rule.id}: no timeline ${file} (every rule needs one showing both sides of its limit)`);
      continue;
    }
    let t: Timeline;
    try {
      t = parseTimeline(text, file);
    } catch (e) {
      out.push(`${rule.id}: ${file} does not parse: ${(e as Error).message}`);
      continue;
    }
    if (!inJurisdiction(t, pack)) out.push(`${rule.id}: ${file}: jurisdiction ${JSON.stringify(t.jurisdiction)} does not include ${pack}`);
    const exp = expectations(t);
    if (!exp.includes('allowed')) out.push(`${rule.id}: ${file} has no attempt with expect: allowed`);
    if (!exp.includes(rule.id)) out.push(`${rule.id}: ${file} has no attempt with expect: ${rule.id}`);
    const others = [...new Set(exp.filter((x) => x !== 'allowed' && x !== rule.id))];
    if (others.length > 0) out.push(`${rule.id}: ${file} expects other outcomes than allowed and ${rule.id}: ${others.join(', ')} (only the rule under test may block)`);
  }
  return out;
}

const readIfExists = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);

const PACKS = loadShippedPacks();
const RULES: { pack: string; rule: Rule; file: string }[] = PACKS.flatMap((p) => p.rules.map((rule) => ({ pack: p.id, rule, file: timelineFile(p.id, rule.id) })));
const COVERED = RULES.filter((r) => NOT_YET_EXPRESSIBLE[r.rule.id] === undefined && existsSync(r.file));

async function replayFile(file: string, text: string, open: () => Promise<Store>): Promise<TraceRow[]> {
  const t = parseTimeline(text, file);
  const gate = loadTimelineGate(t);
  if (gate === null) throw new Error(`${file} has no jurisdiction`);
  return (await replay(t, { gate, openStore: open })).rows;
}

/** The decisions of a replay with the account they belong to. */
function decisionsOf(rows: readonly TraceRow[]): (TraceDecision & { account: string })[] {
  return rows.flatMap((r) => (r.decisions ?? []).map((d) => ({ ...d, account: r.account })));
}

/** Problems with the expected blocks of `ruleId` in a replay: reasons, nextAllowedAt, and the attempts at nextAllowedAt. */
function blockProblems(rule: Rule, file: string, rows: readonly TraceRow[]): string[] {
  const out: string[] = [];
  const all = decisionsOf(rows);
  const blocks = all.filter((d) => d.expected === rule.id && !d.allowed && d.rule === rule.id);
  const freesItself = FREES_BY_ITSELF.has(rule.kind);
  let probed = 0;
  for (const d of blocks) {
    const at = `${file}:${d.line ?? '?'} (${d.time} ${d.party} ${d.channel})`;
    if (typeof d.reason !== 'string' || d.reason.trim() === '') out.push(`${at}: blocked by ${rule.id} without a reason`);
    if (freesItself && d.nextAllowedAt === null) out.push(`${at}: ${rule.id} (${rule.kind}) frees the attempt by itself but gave no nextAllowedAt`);
    if (!freesItself && !holdWithLength(rule) && d.nextAllowedAt !== null) {
      out.push(`${at}: ${rule.id} (${rule.kind}) is lifted only by an act, yet gave nextAllowedAt ${d.nextAllowedAt}`);
    }
    if (d.nextAllowedAt === null) continue;
    const next = Date.parse(d.nextAllowedAt);
    const same = all.filter((x) => x.account === d.account && x.party === d.party && x.channel === d.channel && Date.parse(x.time) === next);
    for (const x of same) {
      if (x.expected !== 'allowed') out.push(`${at}: the attempt at its nextAllowedAt ${d.nextAllowedAt} (line ${x.line ?? '?'}) should be expected allowed, is expected ${x.expected ?? 'nothing'}`);
    }
    if (same.length > 0) probed++;
  }
  if ((freesItself || holdWithLength(rule)) && blocks.length > 0 && probed === 0) {
    out.push(`${file}: no blocked attempt's nextAllowedAt is tried in the file (add the same attempt at that instant with expect: allowed)`);
  }
  return out;
}

describe('rule timelines: coverage of the shipped packs', () => {
  it('loads every shipped pack', () => {
    expect(PACKS.map((p) => p.id).sort()).toEqual(['cn', 'uk-conc', 'us-ma', 'us-regf']);
    expect(RULES.length).toBeGreaterThan(0);
  });

  for (const p of PACKS) {
    it(`every rule of ${p.id} has a timeline with both sides of its limit`, () => {
      expect(coverageProblems(p.id, p.rules, readIfExists)).toEqual([]);
    });
  }

  it('the list of rules not yet expressible names shipped rules that have no timeline yet', () => {
    const ids = new Set(RULES.map((r) => r.rule.id));
    for (const id of Object.keys(NOT_YET_EXPRESSIBLE)) {
      expect(ids.has(id), `${id} is not a rule of a shipped pack`).toBe(true);
      const r = RULES.find((x) => x.rule.id === id);
      expect(r && existsSync(r.file), `${id} now has ${r?.file}: remove it from NOT_YET_EXPRESSIBLE`).toBe(false);
    }
  });

  it('every timeline under timelines/rules/ belongs to a rule of its pack', () => {
    const known = new Set(RULES.map((r) => r.file));
    const stray: string[] = [];
    for (const dir of readdirSync(RULES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(join(RULES_DIR, dir.name)).filter((x) => x.endsWith('.yaml'))) {
        const file = join(RULES_DIR, dir.name, f);
        if (!known.has(file)) stray.push(file);
      }
    }
    expect(stray).toEqual([]);
  });

  for (const [id, missing] of Object.entries(NOT_YET_EXPRESSIBLE)) it.todo(`${id}: not expressible in a timeline yet — ${missing}`);
});

/**
 * Runs `f` after every earlier call has settled. Replays run concurrently, each on a database of its
 * own, but creating and dropping PostgreSQL schemas is serialised: the migrator's catalogue
 * introspection fails ("schema … does not exist") while another schema is being dropped.
 */
let setupChain: Promise<unknown> = Promise.resolve();
function serially<T>(f: () => Promise<T>): Promise<T> {
  const out = setupChain.then(f, f);
  setupChain = out.catch(() => undefined);
  return out;
}

function openSerially(backend: Backend): () => Promise<Store> {
  return async () => {
    const store = await serially(() => backend.open());
    return { ...store, close: () => serially(() => store.close()) };
  };
}

describe.each(BACKENDS)('rule timelines replay on $name', (backend) => {
  for (const { rule, file } of COVERED) {
    it.concurrent(`${rule.id} (${file})`, async ({ expect }) => {
      const rows = await replayFile(file, readFileSync(file, 'utf8'), openSerially(backend));
      expect(expectationFailures(rows, file)).toEqual([]);
      expect(blockProblems(rule, file, rows)).toEqual([]);
    });
  }
});

describe('rule timelines: the check is not vacuous', () => {
  const rule = RULES.find((r) => r.rule.id === 'us-regf/7-in-7');
  const sqlite = BACKENDS[0];

  it('reports a blocked attempt expected allowed, with its file and line', async () => {
    if (!rule || !sqlite) throw new Error('us-regf/7-in-7 or the SQLite backend is missing');
    const text = readFileSync(rule.file, 'utf8');
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('expect: us-regf/7-in-7'));
    expect(i).toBeGreaterThanOrEqual(0);
    lines[i] = (lines[i] as string).replace('expect: us-regf/7-in-7', 'expect: allowed');
    const rows = await replayFile(rule.file, lines.join('\n'), () => sqlite.open());
    const failures = expectationFailures(rows, rule.file);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(`${rule.file}:${i + 1}:`);
    expect(failures[0]).toContain('expected allowed, got blocked by us-regf/7-in-7');
  });

  it('reports an allowed attempt expected blocked', async () => {
    if (!rule || !sqlite) throw new Error('us-regf/7-in-7 or the SQLite backend is missing');
    const text = readFileSync(rule.file, 'utf8');
    const lines = text.split('\n');
    // the last allowed call before the first block: the 7th counted call
    const blocked = lines.findIndex((l) => l.includes('expect: us-regf/7-in-7'));
    const seventh = lines.slice(0, blocked).map((l, n) => [l, n] as const).filter(([l]) => l.includes('expect: allowed') && l.includes('channel: call')).pop();
    expect(seventh).toBeDefined();
    const [line, n] = seventh as readonly [string, number];
    lines[n] = line.replace('expect: allowed', 'expect: us-regf/7-in-7');
    const failures = expectationFailures(await replayFile(rule.file, lines.join('\n'), () => sqlite.open()), rule.file);
    expect(failures).toEqual([expect.stringContaining(`${rule.file}:${n + 1}: `)]);
    expect(failures[0]).toContain('expected us-regf/7-in-7, got allowed');
  });

  it('a missing timeline fails naming the rule, and so do a wrong jurisdiction and one-sided expectations', () => {
    const p = PACKS.find((x) => x.id === 'us-regf');
    if (!p || !rule) throw new Error('us-regf is missing');
    const ghost = { ...rule.rule, id: 'us-regf/no-such-rule' } as Rule;
    expect(coverageProblems('us-regf', [ghost], () => null)).toEqual([expect.stringMatching(/^us-regf\/no-such-rule: no timeline timelines[/\\]rules[/\\]us-regf[/\\]no-such-rule\.yaml/)]);
    const text = readFileSync(rule.file, 'utf8');
    const wrongPack = text.replace('jurisdiction: us-regf', 'jurisdiction: cn');
    expect(coverageProblems('us-regf', [rule.rule], () => wrongPack)).toEqual([expect.stringContaining('does not include us-regf')]);
    const onlyAllowed = text.replaceAll('expect: us-regf/7-in-7', 'expect: allowed');
    expect(coverageProblems('us-regf', [rule.rule], () => onlyAllowed)).toEqual([expect.stringContaining('has no attempt with expect: us-regf/7-in-7')]);
  });

  it('the nextAllowedAt check catches a probe that is not expected allowed', async () => {
    if (!rule || !sqlite) throw new Error('us-regf/7-in-7 or the SQLite backend is missing');
    const text = readFileSync(rule.file, 'utf8');
    const all = decisionsOf(await replayFile(rule.file, text, () => sqlite.open()));
    const block = all.find((d) => d.rule === rule.rule.id && d.nextAllowedAt !== null);
    const probe = all.find((d) => block && d.nextAllowedAt === null && d.party === block.party && d.channel === block.channel && d.time === block.nextAllowedAt);
    expect(probe?.line).toBeDefined();
    const lines = text.split('\n');
    const n = (probe?.line as number) - 1;
    lines[n] = (lines[n] as string).replace('expect: allowed', 'expect: blocked');
    const rows = await replayFile(rule.file, lines.join('\n'), () => sqlite.open());
    expect(blockProblems(rule.rule, rule.file, rows).join('\n')).toContain(`(line ${n + 1}) should be expected allowed, is expected blocked`);
  });
});
