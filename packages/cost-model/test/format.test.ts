import { formatQuantity, formatValue, parseQuantity } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

describe('formatValue: quantities for people', () => {
  it.each([
    [312e12, 'FLOP/s', '312 TFLOP/s'],
    [2039e9, 'B/s', '2.04 TB/s'],
    [19.5e12, 'FLOP/s', '19.5 TFLOP/s'],
    [3e-6, 's', '3 µs'],
    [1.6e-12, 'J', '1.6 pJ'],
    [50, 'W', '50 W'],
    [80e9, 'B', '80 GB'],
    [1e18, 'B/s', '1 EB/s'],
    [0, 'W', '0 W'],
    [0.8, '1', '0.8'],
    [1552, '1', '1552'],
    [-25, 'dBm', '-25 dBm'],
    [1.2, 'dB', '1.2 dB'],
    ['crossbar', 'choice', 'crossbar'],
  ] as const)('%s %s -> %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('prints what parseQuantity reads back', () => {
    for (const [v, unit] of [
      [312e12, 'FLOP/s'],
      [2.04e12, 'B/s'],
      [3e-6, 's'],
      [2e15, 'B'],
    ] as const) {
      expect(parseQuantity(formatValue(v, unit).replace(' ', ''), unit)).toBeCloseTo(v, -Math.log10(v) + 6);
    }
  });

  it('formatQuantity reaches peta and exa', () => {
    expect(formatQuantity(2.5e15, 'MAC')).toBe('2.50 PMAC');
    expect(formatQuantity(1e18, 'B/s')).toBe('1.00 EB/s');
  });
});
