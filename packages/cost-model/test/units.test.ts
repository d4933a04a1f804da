import {
  EXA,
  formatQuantity,
  formatValue,
  GIGA,
  KILO,
  MEGA,
  MICRO,
  MILLI,
  NANO,
  PETA,
  PICO,
  parseQuantity,
  TERA,
  UserError,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * Quantities at the edges: parseQuantity reads a number with an optional SI
 * or binary prefix and the expected unit (value x prefix), and refuses
 * anything else in one line; formatQuantity and formatValue print a value
 * with the largest prefix p where |value| >= p x 0.9995.
 */

describe('parseQuantity: value x prefix', () => {
  it('the SI multipliers are powers of ten', () => {
    expect([PICO, NANO, MICRO, MILLI, KILO, MEGA, GIGA, TERA, PETA, EXA]).toEqual([
      10 ** -12,
      10 ** -9,
      10 ** -6,
      10 ** -3,
      10 ** 3,
      10 ** 6,
      10 ** 9,
      10 ** 12,
      10 ** 15,
      10 ** 18,
    ]);
  });

  it.each([
    ['3ps', 's', 3 * 10 ** -12],
    ['3ns', 's', 3 * 10 ** -9],
    ['3us', 's', 3 * 10 ** -6],
    ['3µs', 's', 3 * 10 ** -6],
    ['3ms', 's', 3 * 10 ** -3],
    ['3s', 's', 3],
    ['3kHz', 'Hz', 3 * 10 ** 3],
    ['3MHz', 'Hz', 3 * 10 ** 6],
    ['3GB', 'B', 3 * 10 ** 9],
    ['3TB', 'B', 3 * 10 ** 12],
    ['3PB', 'B', 3 * 10 ** 15],
    ['3EB', 'B', 3 * 10 ** 18],
    ['3KiB', 'B', 3 * 1024],
    ['3MiB', 'B', 3 * 1024 ** 2],
    ['3GiB', 'B', 3 * 1024 ** 3],
    ['3TiB', 'B', 3 * 1024 ** 4],
    ['2GB/s', 'B/s', 2 * 10 ** 9],
  ])('%s in %s is %d', (text, unit, value) => {
    expect(parseQuantity(text, unit) / value).toBeCloseTo(1, 12);
  });

  it.each([
    [' 5 ms ', 0.005],
    ['\t7s', 7],
    ['+2s', 2],
    ['-3 s', -3],
    ['.5s', 0.5],
    ['5.s', 5],
    ['1e3s', 1000],
    ['2E-3 s', 0.002],
    ['1.5e+2', 150],
    ['12.5ms', 0.0125],
    ['.25 s', 0.25],
    ['2.5e12', 2.5e12],
    ['3e-12 s', 3e-12],
    ['42', 42],
    ['0', 0],
  ])('reads the number %j: signs, decimals, exponents, spaces and a bare number in the base unit', (text, value) => {
    expect(parseQuantity(text, 's')).toBe(value);
  });

  it.each(['abc', '', 'ms', '5 s extra', 'x5s', '5 5s', '5 xs', '5 sJ', '5 Js', '5J', '1.2.3s', '5 m s'])(
    'refuses %j with one line naming the value, the unit and how to write it',
    (text) => {
      expect(() => parseQuantity(text, 's', '--budget')).toThrow(UserError);
      expect(() => parseQuantity(text, 's', '--budget')).toThrow(
        `--budget '${text}' is not a quantity in s (write it like 5s, 2.5ms or a plain number)`,
      );
    },
  );

  it('names the text as a value when told nothing else', () => {
    expect(() => parseQuantity('5 furlongs', 'J')).toThrow(
      "value '5 furlongs' is not a quantity in J (write it like 5J, 2.5mJ or a plain number)",
    );
  });
});

describe('formatQuantity: the largest prefix p with |value| >= p x 0.9995, toPrecision(digits)', () => {
  it.each([
    [1.5e18, 'E'],
    [1.5e15, 'P'],
    [1.5e12, 'T'],
    [1.5e9, 'G'],
    [1.5e6, 'M'],
    [1.5e3, 'k'],
    [1.5, ''],
    [1.5e-3, 'm'],
    [1.5e-6, 'µ'],
    [1.5e-9, 'n'],
    [1.5e-12, 'p'],
  ])('%d -> 1.50 %sJ', (value, prefix) => {
    expect(formatQuantity(value, 'J')).toBe(`1.50 ${prefix}J`);
    expect(formatQuantity(-value, 'J')).toBe(`-1.50 ${prefix}J`);
  });

  it('switches prefix exactly at 0.9995 of it (where three digits round up to 1.00)', () => {
    expect(formatQuantity(0.9995, 's')).toBe('1.00 s');
    expect(formatQuantity(0.99949, 's')).toBe('999 ms');
    expect(formatQuantity(999.6, 'B')).toBe('1.00 kB');
    expect(formatQuantity(999.4, 'B')).toBe('999 B');
  });

  it('below a pico it stays in pico; zero and non-finite values print bare', () => {
    expect(formatQuantity(1e-16, 's')).toBe('0.000100 ps');
    expect(formatQuantity(0, 's')).toBe('0 s');
    expect(formatQuantity(Number.POSITIVE_INFINITY, 's')).toBe('Infinity s');
    expect(formatQuantity(Number.NEGATIVE_INFINITY, 'W')).toBe('-Infinity W');
    expect(formatQuantity(Number.NaN, 'J')).toBe('NaN J');
  });

  it('digits sets the significant digits', () => {
    expect(formatQuantity(0.00243, 's', 2)).toBe('2.4 ms');
    expect(formatQuantity(0.00243, 's', 5)).toBe('2.4300 ms');
  });
});

describe('formatValue: prefixed units without trailing zeros, plain numbers otherwise', () => {
  it.each([
    's',
    'J',
    'W',
    'Hz',
    'B',
    'B/s',
    'FLOP/s',
    'MAC/s',
    'OP/s',
    'bit/s',
    'J/B',
    'J/bit',
    'J/FLOP',
    'J/MAC',
    'J/OP',
    'F',
    'V',
    'A',
    'm',
    'm²',
  ])('%s takes SI prefixes', (unit) => {
    expect(formatValue(2500, unit)).toBe(`2.5 k${unit}`);
    expect(formatValue(2e-3, unit)).toBe(`2 m${unit}`);
  });

  it.each([
    ['dB', 2500, '2500 dB'],
    ['dBm', -25, '-25 dBm'],
    ['1', 2500, '2500'],
    ['', 2500, '2500'],
    ['choice', 3, '3'],
    ['K', 300, '300 K'],
  ])('%j takes no prefix: %d -> %j', (unit, value, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('drops trailing zeros of the mantissa, and the point with them', () => {
    expect(formatValue(1.5e-3, 's')).toBe('1.5 ms');
    expect(formatValue(2e-3, 's')).toBe('2 ms');
    expect(formatValue(-2e-3, 's')).toBe('-2 ms');
    expect(formatValue(10, 's')).toBe('10 s');
    expect(formatValue(1.1, 's')).toBe('1.1 s');
    expect(formatValue(1.05, 's')).toBe('1.05 s');
    expect(formatValue(250e-3, 's')).toBe('250 ms');
    expect(formatValue(1.234e-3, 's', 2)).toBe('1.2 ms');
  });

  it('plain numbers: exponential from 1e6 up and below 1e-3 (but not 0), else six significant digits', () => {
    expect(formatValue(1e6, '1')).toBe('1.00e+6');
    expect(formatValue(999999, '1')).toBe('999999');
    expect(formatValue(-2e6, '1')).toBe('-2.00e+6');
    expect(formatValue(1e-3, '1')).toBe('0.001');
    expect(formatValue(9.99e-4, '1')).toBe('9.99e-4');
    expect(formatValue(-5e-4, '1')).toBe('-5.00e-4');
    expect(formatValue(0, '1')).toBe('0');
    expect(formatValue(1 / 3, '1')).toBe('0.333333');
    expect(formatValue(1.234e7, '1', 2)).toBe('1.2e+7');
  });

  it('a choice prints as it is; a non-finite number without a unit of 1 or nothing', () => {
    expect(formatValue('crossbar', 'choice')).toBe('crossbar');
    expect(formatValue('x', 's')).toBe('x');
    expect(formatValue(Number.POSITIVE_INFINITY, '1')).toBe('Infinity');
    expect(formatValue(Number.POSITIVE_INFINITY, '')).toBe('Infinity');
    expect(formatValue(Number.NaN, 'dB')).toBe('NaN dB');
    expect(formatValue(Number.NEGATIVE_INFINITY, 's')).toBe('-Infinity s');
  });
});
