import type { CompileResult, CrossoverResult, GenerateResult, ReproduceResult, SweepRow } from '@lightcode/core';
import {
  esc,
  renderCompileReport,
  renderCrossoverReport,
  renderDot,
  renderGenerateReport,
  renderParetoReport,
  renderReproduceReport,
  renderSweepReport,
  type SystemSummary,
} from '@lightcode/report';
import { describe, expect, it } from 'vitest';

/*
 * Every name a report prints can come from outside LightCode: op names from a
 * model file (ONNX node names), ids and sources from a third-party plugin or a
 * system file. A report page must show them as text, never as markup, in
 * element text and in attribute values alike. Each renderer gets names that
 * try to close an attribute ("...'), open a tag (<script>, <img onerror>) and
 * start an entity (&), and the page must contain them only escaped.
 */

const EVIL = `"'><img src=x onerror=alert(1)><script>alert(2)</script>&amp;`;
/** What esc makes of EVIL: every one of & < > " ' as a numeric character reference. */
const ESCAPED = '&#34;&#39;&#62;&#60;img src=x onerror=alert(1)&#62;&#60;script&#62;alert(2)&#60;/script&#62;&#38;amp;';
const evil = (label: string) => `${label}${EVIL}`;
const escaped = (label: string) => `${label}${ESCAPED}`;

/** The elements a report is made of; anything else came from unescaped input. */
const ALLOWED_TAGS = new Set(
  'html head meta title style body h1 h2 h3 p footer table thead tbody tr th td details summary svg text line g rect circle polyline'.split(
    ' ',
  ),
);

/** Checks that a page holds no markup from its input, and every hostile name exactly as escaped text. */
function expectSafe(html: string, names: readonly string[]): void {
  expect(html).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
  const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => (m[1] as string).toLowerCase()));
  expect([...tags].filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
  // attribute values, double-quoted, hold no raw quote, angle bracket or unescaped ampersand
  for (const m of html.matchAll(/\s([a-zA-Z-]+)="([^"]*)"/g)) {
    expect(m[2], `attribute ${m[1]}`).not.toMatch(/[<>']|&(?!#\d+;|amp;|lt;|gt;|quot;)/);
  }
  for (const name of names) expect(html, name).toContain(escaped(name));
  // no raw fragment of the payload anywhere
  expect(html).not.toContain(`"'>`);
}

/** The attribute values of every element carrying `attr`, unescaped back to text. */
function attributeValues(html: string, attr: string): string[] {
  return [...html.matchAll(new RegExp(`\\s${attr}="([^"]*)"`, 'g'))].map((m) =>
    (m[1] as string).replace(/&#(\d+);/g, (_x, n: string) => String.fromCharCode(Number(n))),
  );
}

const system: SystemSummary = {
  id: evil('sys'),
  devices: [
    {
      id: evil('dev'),
      target: evil('target'),
      count: 2,
      preset: evil('preset'),
      params: [
        { name: evil('param'), value: 3, unit: 'W', source: evil('source') },
        { name: 'model', value: evil('choice'), unit: 'choice', source: 'fixture' },
      ],
    },
  ],
  links: [{ id: evil('link'), between: [evil('end-a'), 'cpu'], bandwidthBps: 1e9, latencyS: 1e-6 }],
};
const SYSTEM_NAMES = ['sys', 'dev', 'target', 'preset', 'param', 'source', 'choice', 'link', 'end-a'];

const compileResult: CompileResult = {
  model: { id: evil('model'), family: 'gpt2', phase: 'prefill', seqLen: 128, batch: 1, dtype: 'fp16', layers: 1 },
  system: { id: evil('sys'), devices: [{ id: evil('dev'), target: evil('target'), count: 2, preset: evil('preset') }] },
  objective: 'latency',
  options: { solver: 'yalps', pins: [], excludes: [] },
  selection: {
    status: evil('status'),
    solver: evil('solver'),
    objectiveValue: 1e-3,
    bound: 9e-4,
    gap: 0.1,
    solveTimeS: 0.01,
    method: 'enumeration',
    baselines: [
      { name: evil('baseline'), latencyS: 2e-3, energyJ: 1, feasible: true },
      { name: 'all-cpu', latencyS: Number.POSITIVE_INFINITY, energyJ: Number.POSITIVE_INFINITY, feasible: false },
    ],
    note: evil('note'),
  },
  totals: { latencyS: 1e-3, energyJ: 0.5, macs: 1e9, flops: 2e9, paramBytes: 1e6, energyBreakdownJ: { [evil('kind')]: 0.5 } },
  opsPerDevice: { [evil('dev')]: 2 },
  devices: [{ id: evil('inst'), class: evil('dev'), busyS: 1e-3, utilization: 0.5 }],
  links: [],
  memories: [],
  ops: [0, 1].map((i) => ({
    id: `o${i}`,
    name: evil(`op${i}`),
    kind: 'linear',
    layer: 0,
    device: evil('dev'),
    instance: evil('inst'),
    instances: [evil('inst')],
    algorithm: evil('algorithm'),
    startS: i * 5e-4,
    endS: (i + 1) * 5e-4,
    latencyS: 5e-4,
    energyJ: 0.25,
    macs: 5e8,
  })),
};

describe('esc', () => {
  it('escapes each of & < > " and \' as a character reference, and nothing else', () => {
    expect(esc(`a&b<c>d"e'f`)).toBe('a&#38;b&#60;c&#62;d&#34;e&#39;f');
    expect(esc(EVIL)).toBe(ESCAPED);
    expect(esc('plain text, 1.5 µs: ok')).toBe('plain text, 1.5 µs: ok');
    expect(esc(42)).toBe('42');
  });

  it('escapes an ampersand once: an entity in the input stays visible as typed', () => {
    expect(esc('&amp;')).toBe('&#38;amp;');
  });
});

describe('compile report escapes its input', () => {
  const html = renderCompileReport(compileResult, system);

  it('in element text: model, ops, algorithms, instances, baselines, note, energy kinds, system table', () => {
    expectSafe(html, ['model', 'op0', 'op1', 'algorithm', 'inst', 'baseline', 'note', 'kind', 'status', 'solver', ...SYSTEM_NAMES]);
  });

  it('in attribute values: the charts named after the system keep the name whole', () => {
    const labels = attributeValues(html, 'aria-label');
    expect(labels).toContain(`Schedule on ${evil('sys')} (2 of 2 bars)`);
  });

  it('in the page title', () => {
    expect(html).toContain(`<title>LightCode compile: ${escaped('model')} on ${escaped('sys')}</title>`);
  });
});

describe('sweep report escapes its input', () => {
  const rows: SweepRow[] = [64, 128].map((seqLen, index) => ({
    index,
    system: evil('sys'),
    objective: 'latency',
    seqLen,
    params: { [evil('path')]: evil('value') },
    latencyS: seqLen * 1e-6,
    energyJ: seqLen * 1e-3,
    status: evil('status'),
    opsPerDevice: { [evil('dev')]: 3 },
  }));
  const html = renderSweepReport({ model: { model: evil('model') }, sweep: { id: evil('sweep'), points: 2 }, rows, systems: [system] });

  it('in element text and attributes', () => {
    expectSafe(html, ['model', 'sweep', 'status', 'path', 'value', ...SYSTEM_NAMES]);
  });

  it('series names (attribute data-series) come back whole', () => {
    for (const name of attributeValues(html, 'data-series'))
      expect(name).toBe(`${evil('sys')} · latency · ${evil('path')}=${evil('value')}`);
    expect(attributeValues(html, 'data-series')).toHaveLength(2);
  });
});

describe('pareto report escapes its input', () => {
  const html = renderParetoReport(
    {
      model: { id: evil('model'), seqLen: 128 },
      points: [
        { latencyS: 1e-3, energyJ: 2, status: evil('status'), opsPerDevice: { [evil('dev')]: 1 } },
        { latencyS: 2e-3, energyJ: 1, status: 'optimal', opsPerDevice: {} },
      ],
    },
    system,
  );

  it('in element text and attributes', () => {
    expectSafe(html, ['model', 'status', ...SYSTEM_NAMES]);
    expect(attributeValues(html, 'data-series')).toEqual([evil('sys')]);
  });
});

describe('crossover report escapes its input', () => {
  const r: CrossoverResult = {
    metric: 'energy',
    systems: [evil('sys-a'), evil('sys-b')],
    range: [16, 256],
    scanned: [16, 64, 256],
    curve: [
      { seqLen: 16, values: [1, 2] },
      { seqLen: 64, values: [3, 3.5] },
      { seqLen: 256, values: [9, 5] },
    ],
    initialBetter: evil('sys-a'),
    crossings: [{ seqLen: 100, better: evil('sys-b') }],
    dispatch: [{ op: evil('op'), initial: evil('dev'), changes: [{ seqLen: 100, device: evil('dev2') }] }],
  };
  const html = renderCrossoverReport(r, evil('model'), [system]);

  it('in element text and attributes', () => {
    expectSafe(html, ['sys-a', 'sys-b', 'model', 'op', 'dev', 'dev2', ...SYSTEM_NAMES]);
    expect(attributeValues(html, 'data-series')).toEqual([evil('sys-a'), evil('sys-b')]);
  });
});

describe('reproduce report escapes its input', () => {
  const r: ReproduceResult = {
    quick: true,
    claims: [
      {
        finding: 1,
        paper: evil('paper'),
        reference: evil('reference'),
        lightcode: evil('lightcode'),
        verdict: 'holds',
        assumption: evil('assumption'),
      },
    ],
    energy: [32, 64].map((seqLen) => ({
      machine: evil('machine'),
      model: evil('model'),
      seqLen,
      hybridJ: 1,
      cpuJ: 2,
      reduction: 0.5,
      computeReduction: 0.6,
      hybridBreakdownJ: { memory: 0.3 },
      cpuBreakdownJ: {},
    })),
    sensitivity: [{ model: evil('model'), seqLen: 64, parameter: evil('parameter'), setting: evil('setting'), reduction: 0.4 }],
    thresholds: [{ model: evil('model'), seqLen: 64, memoryEnergyPerNumberJ: 1e-12, reductionAtZero: 0.9 }],
    latency: [1, 20].map((wavelengths) => ({
      model: evil('model'),
      seqLen: 64,
      wavelengths,
      strategy: evil('strategy'),
      latencyS: 1e-3 / wavelengths,
      improvement: wavelengths,
    })),
    shares: [{ model: evil('model'), seqLen: 64, total: 4, multiplexing: 2, assignment: 2 }],
    mappings: [
      {
        machine: evil('machine'),
        model: evil('model'),
        seqLen: 64,
        differing: [{ op: evil('op'), latencyDevice: evil('ldev'), energyDevice: evil('edev') }],
        latencyMapping: { latencyS: 1e-3, energyJ: 2 },
        energyMapping: { latencyS: 2e-3, energyJ: 1 },
      },
    ],
    pareto: {
      model: evil('pmodel'),
      seqLen: 64,
      points: [
        { latencyS: 1e-3, energyJ: 2, status: 'optimal', opsPerDevice: {} },
        { latencyS: 2e-3, energyJ: 1, status: 'optimal', opsPerDevice: {} },
      ],
    },
    devices: [
      {
        machine: evil('machine'),
        baseline: evil('against'),
        model: evil('model'),
        seqLen: 64,
        energyReduction: 0.5,
        computeReduction: 0.5,
        latencyImprovement: 2,
        differingOps: 1,
      },
    ],
    reference: { source: evil('refsource'), rows: [] },
    compiles: 9,
    wallS: 1.5,
  };
  const html = renderReproduceReport(r, [system]);

  it('in element text and attributes', () => {
    expectSafe(html, [
      'paper',
      'reference',
      'lightcode',
      'assumption',
      'machine',
      'model',
      'parameter',
      'setting',
      'strategy',
      'op',
      'ldev',
      'edev',
      'pmodel',
      'against',
      'refsource',
      ...SYSTEM_NAMES,
    ]);
    expect(attributeValues(html, 'data-series')).toContain(`${evil('model')} total`);
    expect(attributeValues(html, 'data-series')).toContain(evil('strategy'));
  });
});

describe('generate report escapes its input', () => {
  const r: GenerateResult = {
    model: { ...compileResult.model, phase: 'decode', kvLen: 8 },
    system: compileResult.system,
    objective: 'energy',
    promptLen: 8,
    outputLen: 4,
    batch: 1,
    prefill: {
      latencyS: 1e-3,
      energyJ: 1,
      energyBreakdownJ: {},
      status: 'optimal',
      opsPerDevice: { [evil('dev')]: 1, cpu: 1 },
      devices: { [evil('op')]: evil('dev'), other: 'cpu' },
    },
    ttftS: 2e-3,
    tpot: { meanS: 1e-4, firstS: 1e-4, lastS: 1e-4 },
    endToEndS: 3e-3,
    tokensPerS: 1000,
    energy: { requestJ: 2, perOutputTokenJ: 0.5, byPhase: { prefillJ: 1, decodeJ: 1 }, byKind: { [evil('kind')]: 2 } },
    regimes: [
      { fromKv: 8, toKv: 9, opsPerDevice: { cpu: 2 }, devices: { [evil('op')]: 'cpu', other: 'cpu' } },
      { fromKv: 10, toKv: 11, opsPerDevice: { [evil('dev')]: 2 }, devices: { [evil('op')]: evil('dev'), other: 'cpu' } },
    ],
    changes: [10],
    points: [8, 9, 10, 11].map((kvLen) => ({
      kvLen,
      latencyS: 1e-4,
      energyJ: 0.25,
      energyBreakdownJ: {},
      status: 'optimal',
      opsPerDevice: {},
    })),
    compiles: 5,
    memories: [],
  };
  const html = renderGenerateReport(r);

  it('in element text and attributes', () => {
    expectSafe(html, ['model', 'sys', 'op', 'dev', 'kind']);
  });
});

describe('graph renderers quote names for their own syntax', () => {
  it('DOT: a quote or backslash in a name cannot end the string', async () => {
    const { OpGraph } = await import('@lightcode/cost-model');
    const g = new OpGraph({ id: 'm"x\\', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 0 });
    g.addOp({ id: 'a', name: 'say "hi" \\', kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
    const dot = renderDot(g);
    expect(dot).toContain('digraph "m\\"x\\\\" {');
    expect(dot).toContain('[label="say \\"hi\\" \\\\\\nadd"]');
  });
});
