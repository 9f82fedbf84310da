import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'arrears-strategy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('arrears strategy', () => {
  it('check passes the shipped default and fails a broken file with file:line:col', () => {
    const ok = run('strategy', 'check', 'default');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/default\.yaml: 0 error\(s\)/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, [
      'name: bad',
      'version: 1',
      'stages:',
      '  - name: late',
      '    when: dpd >= + 1',
      '    actions: [{ task: call }]',
      '  - name: all',
      '    when: "true"',
      '    actions: [{ task: teleport }]',
      '',
    ].join('\n'));
    const r = run('strategy', 'check', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:5:\d+: stages\[0\]\.when: /);
    expect(r.stderr).toMatch(/bad\.yaml:9:\d+: stages\[1\]\.actions\[0\]\.task: /);
  });

  it('activate makes the cycle evaluate the ladder and store stages and tasks', async () => {
    const db = join(dir, 'a.db');
    expect(run('--db', db, 'import', 'test/fixtures/import/loans.csv').status).toBe(0);
    expect(run('--db', db, 'strategy', 'status').stdout).toContain('no strategy active');
    const act = run('--db', db, 'strategy', 'activate', 'default');
    expect(act.status, act.stderr).toBe(0);
    expect(act.stdout).toContain('strategy default@1 is active');
    expect(run('--db', db, 'strategy', 'status').stdout).toContain('active: default@1');
    expect(run('--db', db, 'cycle', 'run', '--date', '2025-04-15').status).toBe(0);
    const s = await openStore({ url: db });
    try {
      const stages = await s.db.selectFrom('account_stage').select(['account_id', 'stage']).orderBy('account_id').execute();
      expect(stages).toHaveLength(5);
      const tasks = await s.db.selectFrom('tasks').select('type').where('business_date', '=', '2025-04-15').execute();
      expect(tasks.length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
    expect(run('--db', db, 'summary').stdout).toContain('Open accounts by ladder stage');
  });
});
