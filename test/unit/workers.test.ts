import { describe, expect, it } from 'vitest';
import { autoWorkers } from '../../src/core/workers';

describe('autoWorkers', () => {
  it('is one per core less one, as `vitest run` has it', () => {
    expect(autoWorkers(8)).toBe(7);
    expect(autoWorkers(4)).toBe(3);
  });
  it('is at least two, where Vitest would run one file at a time', () => {
    expect(autoWorkers(2)).toBe(2);
    expect(autoWorkers(1)).toBe(2);
  });
});
