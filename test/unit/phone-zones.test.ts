import { describe, expect, it } from 'vitest';
import { phoneZones, zonesOf } from '../../src/channels/phone-zones.js';

describe('time zones of a phone number (libphonenumber metadata)', () => {
  it('maps area codes to their zones', async () => {
    expect(await phoneZones('+12125550100')).toEqual(['America/New_York']);
    expect(await phoneZones('+13105550100')).toEqual(['America/Los_Angeles']);
    expect(await phoneZones('+18085550100')).toEqual(['Pacific/Honolulu']);
    expect(await phoneZones('+8613800138000')).toEqual(['Asia/Shanghai']);
  });

  it('gives no zone for a number it cannot place', async () => {
    expect(await phoneZones('not a number')).toEqual([]);
    expect(await phoneZones('+999')).toEqual([]);
  });

  it('unites the given zones with the numbers\' zones, without repeats, first-seen order', async () => {
    expect(await zonesOf(['America/New_York'], ['+13105550100', '+12125550100', '+13105550199'])).toEqual(['America/New_York', 'America/Los_Angeles']);
    expect(await zonesOf(['Europe/London'], [])).toEqual(['Europe/London']);
  });
});
