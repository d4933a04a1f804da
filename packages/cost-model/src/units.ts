import { UserError } from '@lightcode/ir';

/** SI multipliers. Pretty units exist only at the edges; inside, everything is base SI. */
export const PICO = 1e-12;
export const NANO = 1e-9;
export const MICRO = 1e-6;
export const MILLI = 1e-3;
export const KILO = 1e3;
export const MEGA = 1e6;
export const GIGA = 1e9;
export const TERA = 1e12;
export const PETA = 1e15;
export const EXA = 1e18;

const PREFIX: Record<string, number> = {
  p: PICO,
  n: NANO,
  u: MICRO,
  µ: MICRO,
  m: MILLI,
  '': 1,
  k: KILO,
  M: MEGA,
  G: GIGA,
  T: TERA,
  P: PETA,
  E: EXA,
};

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/**
 * Parses `5ms`, `2.5 J`, `300mJ`, `80GiB`, or a bare number in the base unit.
 * `unit` is the base unit expected (`s`, `J`, `B`, `W`, `Hz`).
 */
export function parseQuantity(text: string, unit: string, what = 'value'): number {
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµ/]*)\s*$/.exec(text);
  const bad = () => new UserError(`${what} '${text}' is not a quantity in ${unit} (write it like 5${unit}, 2.5m${unit} or a plain number)`);
  if (!m) throw bad();
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix === '') return value;
  if (!suffix.endsWith(unit)) throw bad();
  const prefix = suffix.slice(0, suffix.length - unit.length);
  const mult = PREFIX[prefix] ?? BINARY[prefix];
  if (mult === undefined) throw bad();
  return value * mult;
}

const SHOW: [number, string][] = [
  [EXA, 'E'],
  [PETA, 'P'],
  [TERA, 'T'],
  [GIGA, 'G'],
  [MEGA, 'M'],
  [KILO, 'k'],
  [1, ''],
  [MILLI, 'm'],
  [MICRO, 'µ'],
  [NANO, 'n'],
  [PICO, 'p'],
];

/** `0.00123, 's'` -> `1.23 ms`; for display only. */
export function formatQuantity(value: number, unit: string, digits = 3): string {
  if (!Number.isFinite(value)) return `${value} ${unit}`;
  if (value === 0) return `0 ${unit}`;
  const abs = Math.abs(value);
  const [mult, p] = SHOW.find(([m]) => abs >= m * 0.9995) ?? [PICO, 'p'];
  return `${(value / mult).toPrecision(digits)} ${p}${unit}`;
}

/** Units that take SI prefixes when printed; any other unit (`1`, `dB`, `dBm`, `choice`) is printed as it is. */
const PREFIXED_UNITS = new Set([
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
]);

/**
 * A parameter value for people: with an SI prefix and its unit where the
 * unit takes one (`312e12, 'FLOP/s'` -> `312 TFLOP/s`, `2.039e12, 'B/s'` ->
 * `2.04 TB/s`, `3e-6, 's'` -> `3 µs`), a plain number for counts and ratios
 * (`0.8`, `64`), and a choice as it is. Three significant digits, no
 * trailing zeros; for display only.
 */
export function formatValue(value: number | string, unit: string, digits = 3): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return `${value}${unit === '1' || unit === '' ? '' : ` ${unit}`}`;
  if (PREFIXED_UNITS.has(unit)) {
    const text = formatQuantity(value, unit, digits);
    return text.replace(/^(-?\d+)\.(\d*?)0+(?= )/, (_m, int: string, frac: string) => (frac ? `${int}.${frac}` : int));
  }
  const plain =
    Math.abs(value) >= 1e6 || (value !== 0 && Math.abs(value) < 1e-3)
      ? value.toExponential(digits - 1)
      : String(Number(value.toPrecision(6)));
  return unit === '1' || unit === '' || unit === 'choice' ? plain : `${plain} ${unit}`;
}
