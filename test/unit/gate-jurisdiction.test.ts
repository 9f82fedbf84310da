import { describe, expect, it } from 'vitest';
import { jurisdictionFor } from '../../src/store/gate.js';

describe('which rule packs bind a borrower', () => {
  const j = { default: ['us-regf'], byCountry: { GB: ['uk-conc'], CN: ['cn'] } };
  it('takes the packs of the borrower\'s country, else the default', () => {
    expect(jurisdictionFor(j, 'GB')).toEqual(['uk-conc']);
    expect(jurisdictionFor(j, 'US')).toEqual(['us-regf']);
    expect(jurisdictionFor(j, null)).toEqual(['us-regf']);
  });
  it('is null when nothing applies', () => {
    expect(jurisdictionFor({ default: null, byCountry: { CN: ['cn'] } }, 'US')).toBeNull();
  });
});
