import { expect, it } from 'vitest';
import { formatStageSummary, formatSummary } from '../../src/cli/summary.js';

it('lists stages worst first, with a column per variant only in an experiment', () => {
  const plain = formatStageSummary([
    { stage: 'current', variant: null, currency: 'USD', accounts: 10, overdue: 0 },
    { stage: 'legal', variant: null, currency: 'USD', accounts: 2, overdue: 5 },
    { stage: 'legal', variant: null, currency: 'GBP', accounts: 1, overdue: 5 },
  ]);
  expect(plain.split('\n')).toEqual(['Open accounts by ladder stage', 'legal           3', 'current        10']);
  const exp = formatStageSummary([
    { stage: 'reminder', variant: 'champion', currency: 'USD', accounts: 4, overdue: 0 },
    { stage: 'intensified', variant: 'early', currency: 'USD', accounts: 3, overdue: 0 },
  ]);
  expect(exp.split('\n')).toEqual([
    'Open accounts by ladder stage and variant',
    'stage          champion       early',
    'intensified           0           3',
    'reminder              4           0',
  ]);
});

it('formats the bucket table with shares and grouped amounts', () => {
  const t = formatSummary([{ bucket: 'C', currency: 'USD', accounts: 3, total: 123456, overdue: 0 }, { bucket: 'M1', currency: 'USD', accounts: 1, total: 100, overdue: 100 }], '2026-03-01');
  expect(t).toContain('Portfolio as of 2026-03-01');
  expect(t).toMatch(/C\s+USD\s+3\s+75\.0%\s+1,234\.56\s+0\.00/);
  expect(t).toMatch(/all\s+4\s+100%/);
});
