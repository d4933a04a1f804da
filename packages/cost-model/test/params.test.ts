import { checkParam, num, type ParamSpec, paramRange, paramSource, resolveParams, str, UserError } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * A target's parameters: each value checked against its spec (a choice among
 * its choices; a finite number above 0, or from 0 with allowZero, or within
 * [min, max]; an integer where asked), the range said in words, and values
 * resolved as defaults < preset < overrides, then the target's own check.
 */

const spec = (o: Partial<ParamSpec> = {}): ParamSpec => ({ unit: 'Hz', default: 1, description: 'd', source: 's', ...o });

describe('checkParam', () => {
  const mode = spec({ unit: 'choice', default: 'fast', choices: ['fast', 'exact'] });

  it('a choice must be one of its choices, whatever its type', () => {
    expect(checkParam('mode', mode, 'exact')).toBeNull();
    expect(checkParam('mode', mode, 'slow')).toBe('parameter \'mode\' must be one of fast, exact (got "slow")');
    expect(checkParam('mode', mode, 3)).toBe("parameter 'mode' must be one of fast, exact (got 3)");
  });

  it('a number must be a finite number, in its unit unless the unit is 1', () => {
    expect(checkParam('clock', spec(), 'fast')).toBe('parameter \'clock\' must be a finite number in Hz (got "fast")');
    expect(checkParam('clock', spec(), Number.POSITIVE_INFINITY)).toBe("parameter 'clock' must be a finite number in Hz (got Infinity)");
    expect(checkParam('clock', spec(), Number.NaN)).toBe("parameter 'clock' must be a finite number in Hz (got NaN)");
    expect(checkParam('clock', spec(), null)).toBe("parameter 'clock' must be a finite number in Hz (got null)");
    expect(checkParam('ratio', spec({ unit: '1' }), 'x')).toBe('parameter \'ratio\' must be a finite number (got "x")');
  });

  it('without min and max: > 0, or >= 0 with allowZero', () => {
    expect(checkParam('clock', spec(), 1e-300)).toBeNull();
    expect(checkParam('clock', spec(), 0)).toBe("parameter 'clock' must be > 0 Hz (got 0)");
    expect(checkParam('clock', spec(), -1)).toBe("parameter 'clock' must be > 0 Hz (got -1)");
    expect(checkParam('idle', spec({ unit: 'W', allowZero: true }), 0)).toBeNull();
    expect(checkParam('idle', spec({ unit: 'W', allowZero: true }), -1e-9)).toBe("parameter 'idle' must be >= 0 W (got -1e-9)");
  });

  it('with a max only, the low end is still > 0 (or >= 0); max itself is allowed', () => {
    const eff = spec({ unit: '1', max: 1 });
    expect(checkParam('eff', eff, 1)).toBeNull();
    expect(checkParam('eff', eff, 1.0000001)).toBe("parameter 'eff' must be > 0 and <= 1 (got 1.0000001)");
    expect(checkParam('eff', eff, 0)).toBe("parameter 'eff' must be > 0 and <= 1 (got 0)");
    expect(checkParam('eff', eff, -0.5)).toBe("parameter 'eff' must be > 0 and <= 1 (got -0.5)");
    const loss = spec({ unit: '1', max: 1, allowZero: true });
    expect(checkParam('loss', loss, 0)).toBeNull();
    expect(checkParam('loss', loss, -0.5)).toBe("parameter 'loss' must be >= 0 and <= 1 (got -0.5)");
  });

  it('with a min, values down to min itself are allowed, even negative ones', () => {
    const dbm = spec({ unit: 'dBm', min: -60 });
    expect(checkParam('s', dbm, -60)).toBeNull();
    expect(checkParam('s', dbm, 1e9)).toBeNull();
    expect(checkParam('s', dbm, -60.5)).toBe("parameter 's' must be >= -60 dBm (got -60.5)");
    const band = spec({ unit: 'dBm', min: -60, max: 10 });
    expect(checkParam('s', band, 10)).toBeNull();
    expect(checkParam('s', band, 10.5)).toBe("parameter 's' must be >= -60 and <= 10 dBm (got 10.5)");
    expect(checkParam('s', band, -61)).toBe("parameter 's' must be >= -60 and <= 10 dBm (got -61)");
    expect(checkParam('z', spec({ unit: 'B', min: 0 }), 0)).toBeNull();
  });

  it('an integer parameter refuses a fraction, after its range', () => {
    const lanes = spec({ unit: '1', integer: true });
    expect(checkParam('lanes', lanes, 3)).toBeNull();
    expect(checkParam('lanes', lanes, 2.5)).toBe("parameter 'lanes' must be an integer (got 2.5)");
    expect(checkParam('lanes', lanes, -2.5)).toBe("parameter 'lanes' must be > 0 (got -2.5)");
    expect(checkParam('lanes', spec({ unit: '1', min: 1, max: 8, integer: true }), 4.5)).toBe(
      "parameter 'lanes' must be an integer (got 4.5)",
    );
    expect(checkParam('frac', spec({ unit: '1' }), 2.5)).toBeNull();
  });
});

describe('paramRange', () => {
  it.each([
    [spec(), '> 0 Hz'],
    [spec({ allowZero: true }), '>= 0 Hz'],
    [spec({ min: -60, unit: 'dBm' }), '>= -60 dBm'],
    [spec({ min: 2, allowZero: true, unit: 'B' }), '>= 2 B'],
    [spec({ max: 1, unit: '1' }), '> 0 and <= 1'],
    [spec({ max: 1, allowZero: true, unit: '1' }), '>= 0 and <= 1'],
    [spec({ min: 5, max: 10, unit: 'B' }), '>= 5 and <= 10 B'],
  ])('%# says %j', (s, words) => {
    expect(paramRange(s)).toBe(words);
  });
});

describe('paramSource', () => {
  const s = spec({ source: 'datasheet' });
  it('a preset without per-value sources cites its own source for what it sets', () => {
    const preset = { description: 'p', source: 'paper', values: { clock: 2 } };
    expect(paramSource('clock', s, preset)).toBe('paper');
    expect(paramSource('other', s, preset)).toBe('datasheet');
    expect(paramSource('clock', s, preset, { other: 1 })).toBe('paper');
  });

  it('reads own keys only: a name inherited from Object.prototype is not set anywhere', () => {
    const preset = { description: 'p', source: 'paper', values: {} };
    expect(paramSource('toString', s, preset, {})).toBe('datasheet');
  });
});

describe('resolveParams: defaults < preset < overrides, each checked, then validate', () => {
  const specs = {
    clock: spec({ default: 1e9 }),
    lanes: spec({ unit: '1', default: 8, integer: true }),
    mode: spec({ unit: 'choice', default: 'fast', choices: ['fast', 'exact'] }),
  };
  const presets = {
    base: { description: 'b', source: 's', values: {} },
    big: { description: 'b', source: 's', values: { lanes: 16, mode: 'exact' } },
    broken: { description: 'b', source: 's', values: { lanes: 0.5 } },
    typo: { description: 'b', source: 's', values: { lane: 4 } },
  };

  it('each layer overrides the one before, and every declared parameter has a value', () => {
    expect(resolveParams('t', specs, presets, 'base')).toEqual({ clock: 1e9, lanes: 8, mode: 'fast' });
    expect(resolveParams('t', specs, presets, 'big')).toEqual({ clock: 1e9, lanes: 16, mode: 'exact' });
    expect(resolveParams('t', specs, presets, 'big', { lanes: 32, clock: 2e9 })).toEqual({ clock: 2e9, lanes: 32, mode: 'exact' });
  });

  it('names the target and the known presets for an unknown one', () => {
    const run = () => resolveParams('gpu', specs, presets, 'huge');
    expect(run).toThrow(UserError);
    expect(run).toThrow("target 'gpu' has no preset 'huge' (known: base, big, broken, typo)");
  });

  it('names the layer that sets an unknown parameter and lists the known ones', () => {
    expect(() => resolveParams('gpu', specs, presets, 'typo')).toThrow(
      "target 'gpu' preset 'typo': unknown parameter 'lane' (known: clock, lanes, mode)",
    );
    expect(() => resolveParams('gpu', specs, presets, 'base', { colour: 1 })).toThrow(
      "target 'gpu' overrides: unknown parameter 'colour' (known: clock, lanes, mode)",
    );
  });

  it('checks the resolved value of every parameter, wherever it was set', () => {
    expect(() => resolveParams('gpu', specs, presets, 'broken')).toThrow("target 'gpu': parameter 'lanes' must be an integer (got 0.5)");
    expect(() => resolveParams('gpu', specs, presets, 'base', { mode: 'slow' })).toThrow(
      "target 'gpu': parameter 'mode' must be one of fast, exact (got \"slow\")",
    );
    // an override may mend what the preset set
    expect(resolveParams('gpu', specs, presets, 'broken', { lanes: 2 }).lanes).toBe(2);
    // a bad default is caught too
    expect(() => resolveParams('gpu', { x: spec({ default: -1 }) }, presets, 'base')).toThrow(
      "target 'gpu': parameter 'x' must be > 0 Hz (got -1)",
    );
  });

  it('then runs validate on the resolved values; its problem becomes the error, null passes', () => {
    const seen: unknown[] = [];
    const validate = (p: Readonly<Record<string, unknown>>) => {
      seen.push(p);
      return (p.lanes as number) > 8 ? `parameter 'lanes' must be <= 8 with clock ${p.clock} (got ${p.lanes})` : null;
    };
    expect(resolveParams('gpu', specs, presets, 'base', {}, validate)).toEqual({ clock: 1e9, lanes: 8, mode: 'fast' });
    expect(seen).toEqual([{ clock: 1e9, lanes: 8, mode: 'fast' }]);
    expect(() => resolveParams('gpu', specs, presets, 'big', {}, validate)).toThrow(
      "target 'gpu': parameter 'lanes' must be <= 8 with clock 1000000000 (got 16)",
    );
    expect(() => resolveParams('gpu', specs, presets, 'big', {}, validate)).toThrow(UserError);
  });
});

describe('num and str', () => {
  const p = { clock: 1e9, mode: 'fast' };
  it('read a checked value of the right type, and refuse the other type naming the parameter', () => {
    expect(num(p, 'clock')).toBe(1e9);
    expect(str(p, 'mode')).toBe('fast');
    expect(() => num(p as Record<string, number | string>, 'mode')).toThrow("parameter 'mode' is not numeric");
    expect(() => str(p as Record<string, number | string>, 'clock')).toThrow("parameter 'clock' is not a choice");
    expect(() => num(p as Record<string, number | string>, 'missing')).toThrow("parameter 'missing' is not numeric");
  });
});
