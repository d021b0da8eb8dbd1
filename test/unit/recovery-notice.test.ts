import { describe, expect, it } from 'vitest';
import { describeRecovery, relativeTo } from '../../src/core/store/recovery-notice';
import type { Recovery } from '../../src/core/store/recovery';

const base: Recovery = {
  reason: 'not-json',
  detail: 'it is not valid JSON (8 characters)',
  quarantinedTo: '/ws/.redline/quarantine/phases.json.20250101T000000000Z',
  restoredFrom: '20241231T000000000Z',
  message: 'the store says more',
};

describe('describeRecovery', () => {
  it('names the file, the backup and the quarantine, relative to the root', () => {
    expect(describeRecovery('phases.json', base, '/ws')).toBe(
      'Redline restored .redline/phases.json from backup 20241231T000000000Z (it was damaged: it is not valid JSON (8 characters)); ' +
        'the damaged file is in .redline/quarantine/phases.json.20250101T000000000Z.',
    );
  });

  it('says so when no backup held a copy', () => {
    expect(describeRecovery('phases.json', { ...base, restoredFrom: null }, '/ws')).toContain('no backup held a valid copy, so it starts empty');
  });

  it("falls back on the store's own words when the file could not be moved", () => {
    expect(describeRecovery('phases.json', { ...base, quarantinedTo: null }, '/ws')).toContain('the store says more');
  });

  it('finishes an interrupted repair in its own words', () => {
    expect(describeRecovery('runs.json', { ...base, reason: 'interrupted' }, '/ws')).toContain('earlier repair was interrupted');
  });
});

describe('relativeTo', () => {
  it('strips the root, on either separator', () => {
    expect(relativeTo('/ws/', '/ws/.redline/x')).toBe('.redline/x');
    expect(relativeTo('C:\\ws', 'C:\\ws\\.redline\\x')).toBe('.redline/x');
    expect(relativeTo('/ws', '/other/x')).toBe('/other/x');
    expect(relativeTo('/ws', '/wsx/y')).toBe('/wsx/y');
  });
});
