import {
  dtypeBytes,
  dtypeSignificantBits,
  type EnergyComponent,
  type EnergyKind,
  formatQuantity,
  type MatmulDims,
  matmulDims,
  num,
  type OpArithmetic,
  type OpNode,
  opDtype,
  opNumbers,
  type ParamValues,
  type Realization,
  type RealizationEnergy,
  str,
} from '@lightcode/cost-model';

/*
 * The PTU model. A matrix product Y[M x N] = X[M x K] . W[K x N] (batch B
 * independent products) runs on `cores` photonic cores.
 *
 * crossbar: a core holds an R x C tile of W (R along K, C along N) and, each
 * cycle, multiplies it with `wavelengths` (L) rows of X, one per wavelength:
 * an (L x R) . (R x C) block, L x R x C MACs. Lightening-Transformer's
 * dynamically operated crossbar (DPTC) computes an (H x N_lambda) . (N_lambda x W)
 * block per cycle; it is the same count with H = L, N_lambda = R, W = C, and
 * at 12 x 12 x 12 identical.
 *
 * dot-product-serial (the original study): each wavelength of each core
 * carries one dot product, one element per cycle.
 */

const isCrossbar = (p: ParamValues) => str(p, 'dataflow') === 'crossbar';
/** Whether weights stay set for a tile's lifetime (thermal or held), rather than being re-modulated every cycle. */
export const holdsWeights = (p: ParamValues) => str(p, 'weightEncoding') !== 'electro-optic';
const perCycle = (p: ParamValues) => str(p, 'conversionCounting') === 'per-cycle';

/** How the second operand is cut into R x C tiles and the first into blocks of L rows. */
export interface Tiling {
  /** ceil(K / R) */
  readonly rowTiles: number;
  /** ceil(N / C) */
  readonly colTiles: number;
  /** rowTiles x colTiles */
  readonly tiles: number;
  /** ceil(M / L): cycles each tile is busy per batch part */
  readonly rowBlocks: number;
}

export function tiling(d: MatmulDims, p: ParamValues): Tiling {
  const rowTiles = Math.ceil(d.k / num(p, 'crossbarRows'));
  const colTiles = Math.ceil(d.n / num(p, 'crossbarCols'));
  return { rowTiles, colTiles, tiles: rowTiles * colTiles, rowBlocks: Math.ceil(d.m / num(p, 'wavelengths')) };
}

/** Bytes one number takes on chip: operands and partial sums are buffered at the unit's resolution (`bits`). */
export function onChipBytes(p: ParamValues): number {
  return num(p, 'bits') / 8;
}

/**
 * The smallest buffer that can run anything: one tile's working set. Crossbar:
 * the R x C weight tile, one L x R input block and one L x C partial-sum block;
 * dot-product-serial: one element of each operand and one output per wavelength.
 */
export function minBufferBytes(p: ParamValues): number {
  const l = num(p, 'wavelengths');
  if (!isCrossbar(p)) return 3 * l * onChipBytes(p);
  const r = num(p, 'crossbarRows');
  const c = num(p, 'crossbarCols');
  return (r * c + l * r + l * c) * onChipBytes(p);
}

/** How operands reach the unit through its on-chip buffer (`sramBytes`). */
export interface BufferPlan {
  /**
   * resident: every operand is read from memory once and the output written
   * once (or the buffer is not modelled: `sramBytes` 0). row-blocked: blocks of
   * rows of X stay on chip while every tile of W passes, so W is read once per
   * block. stream-inputs: each tile of W is loaded once and all of X streams
   * through it, so X is read once per column tile. no-reuse: not even one line
   * of an operand fits; every MAC fetches both.
   */
  readonly schedule: 'resident' | 'row-blocked' | 'stream-inputs' | 'no-reuse';
  /** Times each tile of W is loaded per batch part (crossbar): the number of row blocks when row-blocked, else 1. */
  readonly loadsPerTile: number;
  /** Rows of X per block (row-blocked), else M. */
  readonly rowsPerBlock: number;
  /** Numbers read from or written to memory beyond each operand once and the output once, all batch parts. */
  readonly extraNumbers: number;
  /** Of those, partial sums spilled to memory and read back. */
  readonly spilledNumbers: number;
}

/**
 * The buffer plan: with `sramBytes` 0 the buffer is not modelled (the study's
 * assumption) and every operand is read once. Otherwise, on a crossbar, with b
 * bytes per on-chip number, `rowsFit` = floor((S - b R C) / (b (K + C))) rows of
 * X (with their partial sums) fit beside one tile:
 *
 * - all M rows fit: resident.
 * - electro-optic weights (nothing to reload): the cheaper in memory traffic of
 *   row-blocked, blocks of L floor(rowsFit / L) rows, W read once per block:
 *   extra K N (blocks - 1); and stream-inputs: X read once per column tile, extra
 *   M K (ceil(N/C) - 1), plus 2 M N (ceil(K/R) - 1) partial sums spilled when
 *   one column tile's M x C partial sums do not fit.
 * - held weights (thermal): a reload costs microseconds, so each tile is loaded
 *   once and reused by all M rows: stream-inputs.
 *
 * Dot-product-serial keeps one operand resident if it fits, else holds
 * `lines` = floor(S / (b K)) - 1 rows of X (or columns of W) and streams the
 * other past them: extra min(K N (ceil(M/lines) - 1), M K (ceil(N/lines) - 1));
 * with no line to spare, every MAC fetches both operands: extra 2 M N K - M K - K N.
 */
export function bufferPlan(d: MatmulDims, p: ParamValues): BufferPlan {
  const s = num(p, 'sramBytes');
  const { batch, m, k, n } = d;
  const resident: BufferPlan = { schedule: 'resident', loadsPerTile: 1, rowsPerBlock: m, extraNumbers: 0, spilledNumbers: 0 };
  if (s === 0) return resident;
  const b = onChipBytes(p);
  if (!isCrossbar(p)) {
    if (b * (m * k + k) <= s || b * (k * n + k) <= s) return resident;
    const lines = Math.floor(s / (b * k)) - 1;
    if (lines < 1) {
      return {
        schedule: 'no-reuse',
        loadsPerTile: 1,
        rowsPerBlock: m,
        extraNumbers: batch * (2 * m * n * k - m * k - k * n),
        spilledNumbers: 0,
      };
    }
    const extra = Math.min(k * n * (Math.ceil(m / lines) - 1), m * k * (Math.ceil(n / lines) - 1));
    return { schedule: 'row-blocked', loadsPerTile: 1, rowsPerBlock: lines, extraNumbers: batch * extra, spilledNumbers: 0 };
  }
  const r = num(p, 'crossbarRows');
  const c = num(p, 'crossbarCols');
  const l = num(p, 'wavelengths');
  const t = tiling(d, p);
  const rowsFit = Math.floor((s - b * r * c) / (b * (k + c)));
  if (rowsFit >= m) return resident;
  const spill = b * (m * c + l * r + r * c) <= s ? 0 : 2 * m * n * (t.rowTiles - 1);
  const streamExtra = m * k * (t.colTiles - 1) + spill;
  const stream: BufferPlan = {
    schedule: 'stream-inputs',
    loadsPerTile: 1,
    rowsPerBlock: m,
    extraNumbers: batch * streamExtra,
    spilledNumbers: batch * spill,
  };
  if (holdsWeights(p)) return stream;
  const rowsPerBlock = Math.floor(rowsFit / l) * l;
  if (rowsPerBlock < 1) return stream;
  const blocks = Math.ceil(m / rowsPerBlock);
  const blockedExtra = k * n * (blocks - 1);
  if (blockedExtra > streamExtra) return stream;
  return { schedule: 'row-blocked', loadsPerTile: blocks, rowsPerBlock, extraNumbers: batch * blockedExtra, spilledNumbers: 0 };
}

/** Cycles, conversions and weight loads of one matrix product. */
export interface PhotonicWork {
  readonly cycles: number;
  /** DAC samples, inputs and weights. */
  readonly dac: number;
  /** Of those, samples that set weights. */
  readonly weightDac: number;
  /** DAC samples taken while the array computes (weight-setting samples of held weights happen during reloads). */
  readonly streamedDac: number;
  readonly adc: number;
  /** Symbols the optical modulators encode. */
  readonly modulated: number;
  /** Output samples the photodetectors and TIAs read (one per output and cycle it is computed in). */
  readonly detected: number;
  /** Weight tile loads (held weights). */
  readonly tileLoads: number;
  /** Tile loads one after another on the busiest core. */
  readonly reloadsInSeries: number;
  readonly plan: BufferPlan;
}

/**
 * What one matrix product costs the photonic unit, in cycles, conversions and
 * weight loads.
 *
 * Cycles. crossbar: B x ceil(tiles / cores) x ceil(M / L); dot-product-serial:
 * ceil(ceil(B M N / L) / cores) x K.
 *
 * Conversions, `conversionCounting` per-cycle (what the dataflow needs):
 * - crossbar, each input row is modulated once per column tile it meets:
 *   B M K ceil(N/C) DAC samples; electro-optic weights are re-modulated every
 *   cycle (nothing holds them): B K N ceil(M/L) more; held weights are set once
 *   per tile load: B K N x loads per tile. Partial sums leave through the ADCs
 *   once per row tile: B M N ceil(K/R).
 * - dot-product-serial holds nothing: both operands are modulated for every
 *   MAC (2 B M N K DAC samples) and each output is integrated over its K cycles
 *   and sampled once (B M N ADC samples).
 *
 * `conversionCounting` once-per-number (the study's idealization): every
 * distinct input number is converted once, B (M K + K N), as if held in the
 * analog domain for as long as it is needed, and every output once, B M N.
 *
 * Weight loads (held weights on a crossbar): B x tiles x loads per tile; one
 * core loads B x loads per tile x ceil(tiles / cores) of them in series.
 */
export function photonicWork(d: MatmulDims, p: ParamValues): PhotonicWork {
  const cores = num(p, 'cores');
  const l = num(p, 'wavelengths');
  const { batch, m, k, n } = d;
  const plan = bufferPlan(d, p);
  if (!isCrossbar(p)) {
    const outputs = batch * m * n;
    const cycles = Math.ceil(Math.ceil(outputs / l) / cores) * k;
    if (perCycle(p)) {
      const each = outputs * k;
      return {
        cycles,
        dac: 2 * each,
        weightDac: each,
        streamedDac: 2 * each,
        adc: outputs,
        modulated: 2 * each,
        detected: each,
        tileLoads: 0,
        reloadsInSeries: 0,
        plan,
      };
    }
    const weightDac = batch * k * n;
    const dac = batch * m * k + weightDac;
    return {
      cycles,
      dac,
      weightDac,
      streamedDac: dac,
      adc: outputs,
      modulated: dac,
      detected: outputs,
      tileLoads: 0,
      reloadsInSeries: 0,
      plan,
    };
  }
  const t = tiling(d, p);
  const cycles = batch * Math.ceil(t.tiles / cores) * t.rowBlocks;
  const held = holdsWeights(p);
  const tileLoads = held ? batch * t.tiles * plan.loadsPerTile : 0;
  const reloadsInSeries = held ? batch * plan.loadsPerTile * Math.ceil(t.tiles / cores) : 0;
  if (!perCycle(p)) {
    const weightDac = batch * k * n;
    const dac = batch * m * k + weightDac;
    const adc = batch * m * n;
    return { cycles, dac, weightDac, streamedDac: dac, adc, modulated: dac, detected: adc, tileLoads, reloadsInSeries, plan };
  }
  const inputDac = batch * m * k * t.colTiles;
  const weightDac = held ? batch * k * n * plan.loadsPerTile : batch * k * n * t.rowBlocks;
  const streamedDac = held ? inputDac : inputDac + weightDac;
  const adc = batch * m * n * t.rowTiles;
  return {
    cycles,
    dac: inputDac + weightDac,
    weightDac,
    streamedDac,
    adc,
    modulated: streamedDac,
    detected: adc,
    tileLoads,
    reloadsInSeries,
    plan,
  };
}

/** How a product's numbers are cut into slices the unit resolves (`precision`). */
export interface Slicing {
  /** Significant bits of the first operand's numbers (activations) and of the second's (weights, or keys and values). */
  readonly inputBits: number;
  readonly weightBits: number;
  /** ceil(b_x / bits) and ceil(b_w / bits) with bit-slice; 1 and 1 when precision is ignored. */
  readonly inputSlices: number;
  readonly weightSlices: number;
  /** inputSlices x weightSlices: passes of the whole product. */
  readonly passes: number;
}

/**
 * The slices of a product on this unit (see the `precision` parameter): a
 * number needs its format's significant bits (`dtypeSignificantBits`), the
 * first operand is the op's first input, the second its weights (`linear`)
 * or its second input (`matmul`). With precision `ignore` every product is
 * one pass.
 */
export function slicing(op: OpNode, p: ParamValues): Slicing {
  const x = op.inputs[0]?.dtype ?? 'fp32';
  const wt = (op.kind === 'linear' ? op.weights[0] : op.inputs[1])?.dtype ?? x;
  const inputBits = dtypeSignificantBits(x);
  const weightBits = dtypeSignificantBits(wt);
  if (str(p, 'precision') === 'ignore') return { inputBits, weightBits, inputSlices: 1, weightSlices: 1, passes: 1 };
  const bits = num(p, 'bits');
  const inputSlices = Math.ceil(inputBits / bits);
  const weightSlices = Math.ceil(weightBits / bits);
  return { inputBits, weightBits, inputSlices, weightSlices, passes: inputSlices * weightSlices };
}

/**
 * The work of a bit-sliced product: every pass runs the whole product on one
 * slice of each operand, so cycles, ADC samples and detections are x passes.
 * DAC samples follow the counting: once-per-number converts every slice once
 * (inputs x s_x, weights x s_w); per-cycle re-modulates inputs in every pass
 * (x passes) and electro-optic weights too (x passes), while held weights are
 * set once per tile load of each weight slice (x s_w), as are the tile loads.
 */
export function slicedWork(w: PhotonicWork, sl: Slicing, p: ParamValues): PhotonicWork {
  if (sl.passes === 1) return w;
  const held = holdsWeights(p);
  const fin = perCycle(p) ? sl.passes : sl.inputSlices;
  const fw = perCycle(p) && !held ? sl.passes : sl.weightSlices;
  const inputDac = w.dac - w.weightDac;
  return {
    cycles: w.cycles * sl.passes,
    dac: inputDac * fin + w.weightDac * fw,
    weightDac: w.weightDac * fw,
    streamedDac: inputDac * fin + (w.streamedDac - inputDac) * fw,
    adc: w.adc * sl.passes,
    modulated: inputDac * fin + (w.modulated - inputDac) * fw,
    detected: w.detected * sl.passes,
    tileLoads: w.tileLoads * sl.weightSlices,
    reloadsInSeries: w.reloadsInSeries * sl.weightSlices,
    plan: w.plan,
  };
}

/**
 * Converter energy per sample at `bits`, scaled from the figure at the
 * reference resolution b0: DAC x [2^b/(b+1)] / [2^b0/(b0+1)] (SimPhony) or
 * x [2^b/b] / [2^b0/b0] (Lightening-Transformer); SAR ADC x b/b0; flash ADC
 * x (2^b - 1)/(2^b0 - 1). Power scales with the sample rate, so the energy per
 * sample does not.
 */
export function converterEnergies(p: ParamValues): { dacJ: number; adcJ: number } {
  const b = num(p, 'bits');
  const b0 = num(p, 'converterRefBits');
  const dacScale =
    str(p, 'dacScaling') === 'lightening-transformer' ? 2 ** b / b / (2 ** b0 / b0) : 2 ** b / (b + 1) / (2 ** b0 / (b0 + 1));
  const adcScale = str(p, 'adcArchitecture') === 'flash' ? (2 ** b - 1) / (2 ** b0 - 1) : b / b0;
  return { dacJ: num(p, 'dacEnergyJ') * dacScale, adcJ: num(p, 'adcEnergyJ') * adcScale };
}

/** Output detectors one core reads per cycle: L x C on a crossbar, one per wavelength on dot-product-serial. */
export function detectorsPerCore(p: ParamValues): number {
  return isCrossbar(p) ? num(p, 'wavelengths') * num(p, 'crossbarCols') : num(p, 'wavelengths');
}

/**
 * Insertion loss (dB) from the laser to a detector, after Lightening-Transformer
 * (photonic_crossbar.py cal_insertion_loss): modulator + 2 WDM rings (mux and
 * demux) + a 1:2 splitter per level of the fan-out tree, ceil(log2(max(L, C)))
 * levels on a crossbar, + one splitter, phase shifter and coupler at the
 * cross-point.
 */
export function insertionLossDb(p: ParamValues): number {
  const split = num(p, 'splitterLossDb');
  const levels = isCrossbar(p) ? Math.ceil(Math.log2(Math.max(num(p, 'wavelengths'), num(p, 'crossbarCols')))) : 0;
  return (
    num(p, 'modulatorLossDb') + 2 * num(p, 'wdmLossDb') + split * levels + (split + num(p, 'phaseShifterLossDb') + num(p, 'couplerLossDb'))
  );
}

/**
 * Electrical laser power of one core, Lightening-Transformer's laser model
 * (after CrossLight): the optical power must reach every detector at its
 * sensitivity through the insertion loss and the 1:D split over D detectors,
 * P_dBm = sensitivity + insertion loss + 10 log10(D), and grows with 2^bits
 * for the signal-to-noise ratio a resolution needs:
 * P = 10^(P_dBm / 10) mW / wall-plug efficiency x 2^bits.
 */
export function linkBudgetLaserW(p: ParamValues): number {
  const dbm = num(p, 'detectorSensitivityDbm') + insertionLossDb(p) + 10 * Math.log10(detectorsPerCore(p));
  return ((10 ** (dbm / 10) * 1e-3) / num(p, 'wallPlugEfficiency')) * 2 ** num(p, 'bits');
}

/** Static power of one instance by source: the laser, ring thermal tuning, and any other idle draw. */
export function staticPowerBreakdown(p: ParamValues): { laserW: number; tuningW: number; otherW: number } {
  const cores = num(p, 'cores');
  const laserW =
    str(p, 'laserModel') === 'link-budget'
      ? linkBudgetLaserW(p) * cores
      : (num(p, 'laserPowerPerWavelengthW') * num(p, 'wavelengths') * cores) / num(p, 'wallPlugEfficiency');
  return { laserW, tuningW: num(p, 'ringsPerCore') * cores * num(p, 'tuningPowerPerRingW'), otherW: num(p, 'staticPowerW') };
}

/**
 * Static power of one unit: the laser (per wavelength, or from the link
 * budget), ring thermal tuning, and any other idle draw.
 */
export function ptuStaticPowerW(p: ParamValues): number {
  const s = staticPowerBreakdown(p);
  return s.laserW + s.tuningW + s.otherW;
}

/** Energy of one modulated symbol: the modulator's drive plus its rings' power for one cycle. */
export function modulatorSymbolJ(p: ParamValues): number {
  return num(p, 'modulatorEnergyJ') + num(p, 'modulatorPowerW') / num(p, 'clockHz');
}

/** Energy of one detected output sample: photodetector and TIA power for one cycle. */
export function detectorSampleJ(p: ParamValues): number {
  return (num(p, 'photodetectorPowerW') + num(p, 'tiaPowerW')) / num(p, 'clockHz');
}

/**
 * Electrical power of one unit with every core busy, besides static power:
 * per core and cycle, L R (+ R C electro-optic weights) DAC samples and
 * modulated symbols, L C ADC and detector samples, L R C MACs (crossbar).
 * Lightening-Transformer's `cal_core_power` less the laser.
 */
export function fullLoadDynamicPowerW(p: ParamValues): number {
  const l = num(p, 'wavelengths');
  const r = isCrossbar(p) ? num(p, 'crossbarRows') : 1;
  const c = isCrossbar(p) ? num(p, 'crossbarCols') : 1;
  const { dacJ, adcJ } = converterEnergies(p);
  const inputs = isCrossbar(p) ? l * r : l;
  const weights = isCrossbar(p) ? (holdsWeights(p) ? 0 : r * c) : l;
  const outputs = l * c;
  const perCycle =
    (inputs + weights) * (dacJ + modulatorSymbolJ(p)) + outputs * (adcJ + detectorSampleJ(p)) + l * r * c * num(p, 'macEnergyJ');
  return perCycle * num(p, 'clockHz') * num(p, 'cores');
}

/** Where a latency comes from. */
export interface LatencyParts {
  readonly computeS: number;
  readonly converterS: number;
  readonly memoryS: number;
  readonly reloadS: number;
  readonly conversionDelayS: number;
  readonly latencyS: number;
  /** Which of compute, converters and memory bounds the streaming part. */
  readonly bound: 'compute' | 'converters' | 'memory';
}

/**
 * Latency of one product on one unit: streaming is bound by the array
 * (cycles / clock), by the converters' sample rates (when `converterThroughput`
 * is limited) or by the memory feeding the unit (bytes / `memoryBandwidthBps`,
 * 0: unlimited); weight reloads cannot overlap the tiles they set, and the
 * conversion delay is paid in and out: max(compute, converters, memory) +
 * reloads x reload time + 2 x conversion delay.
 */
export function latencyParts(w: PhotonicWork, memoryBytes: number, p: ParamValues): LatencyParts {
  const cores = num(p, 'cores');
  const computeS = w.cycles / num(p, 'clockHz');
  const converterS =
    str(p, 'converterThroughput') === 'limited'
      ? Math.max(
          w.streamedDac / (num(p, 'dacSampleRateHz') * num(p, 'dacsPerCore') * cores),
          w.adc / (num(p, 'adcSampleRateHz') * num(p, 'adcsPerCore') * cores),
        )
      : 0;
  const bw = num(p, 'memoryBandwidthBps');
  const memoryS = bw > 0 ? memoryBytes / bw : 0;
  const reloadS = w.reloadsInSeries * num(p, 'weightReloadTimeS');
  const conversionDelayS = 2 * num(p, 'conversionLatencyS');
  const streamS = Math.max(computeS, converterS, memoryS);
  const bound = streamS === computeS ? 'compute' : streamS === converterS ? 'converters' : 'memory';
  return { computeS, converterS, memoryS, reloadS, conversionDelayS, latencyS: streamS + reloadS + conversionDelayS, bound };
}

function fmt(x: number): string {
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toPrecision(4) : String(Number(x.toPrecision(4)));
}

function pj(x: number): string {
  return `${fmt(x * 1e12)} pJ`;
}

/** A count with a k, M, G or T suffix: 288M. */
function count(x: number): string {
  for (const [div, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (Math.abs(x) >= div) return `${Number((x / div).toPrecision(4))}${suffix}`;
  }
  return String(x);
}

/** Energy kinds a PTU realization always reports (the study's three); the others appear when not 0. */
const ALWAYS: ReadonlySet<string> = new Set(['compute', 'conversion', 'memory']);

/**
 * Energy components of one product (see {@link EnergyComponent}): each
 * physical contributor with how it is counted, and the static power's share
 * over the latency.
 */
export function ptuComponents(
  op: OpNode,
  arith: OpArithmetic,
  p: ParamValues,
): { components: EnergyComponent[]; latency: LatencyParts; work: PhotonicWork; slices: Slicing } {
  const d = matmulDims(op);
  const sl = slicing(op, p);
  const w1 = photonicWork(d, p);
  const w = slicedWork(w1, sl, p);
  const { dacJ, adcJ } = converterEnergies(p);
  // numbers as stored, each read once whatever the slicing; re-reads at the compute format's width
  const numbers = opNumbers(op);
  const memoryNumbers = numbers.read + numbers.written + w.plan.extraNumbers;
  const memoryBytes = arith.bytesRead + arith.bytesWritten + w.plan.extraNumbers * dtypeBytes(opDtype(op) ?? 'fp32');
  const latency = latencyParts(w, memoryBytes, p);
  const crossbarPerCycle = isCrossbar(p) && perCycle(p);
  const t = isCrossbar(p) ? tiling(d, p) : undefined;
  // operands read from the buffer: inputs per column-tile pass and weights per tile load (a tile's
  // weights are latched at their DACs while it is loaded); dot-product-serial fetches what it converts.
  // Bit-sliced, each slice is read as its DAC samples are taken.
  const fin = w1.dac === w1.weightDac ? 1 : (w.dac - w.weightDac) / (w1.dac - w1.weightDac);
  const fw = w.weightDac / w1.weightDac;
  const operandReads = isCrossbar(p)
    ? (crossbarPerCycle ? d.batch * d.m * d.k * (t?.colTiles ?? 1) : d.batch * d.m * d.k) * fin +
      d.batch * d.k * d.n * w.plan.loadsPerTile * fw
    : w.dac;
  // partial sums: each ADC sample is added into the buffer (read and write) except the first write
  const psumAccesses = crossbarPerCycle || sl.passes > 1 ? 2 * w.adc - d.batch * d.m * d.n : d.batch * d.m * d.n;
  const bufferAccesses = operandReads + psumAccesses + memoryNumbers;
  const bufferBytesPerAccess = onChipBytes(p);
  const stat = staticPowerBreakdown(p);
  const bits = num(p, 'bits');
  const passes =
    sl.passes > 1
      ? ` in ${sl.passes} passes (${sl.inputSlices} x ${sl.weightSlices} slices of ${sl.inputBits}- and ${sl.weightBits}-bit numbers)`
      : '';
  const components: EnergyComponent[] = [
    {
      name: 'MAC (other)',
      kind: 'compute',
      energyJ: arith.macs * sl.passes * num(p, 'macEnergyJ'),
      detail: `per MAC ${pj(num(p, 'macEnergyJ'))} x ${count(arith.macs * sl.passes)} MACs${passes}`,
    },
    {
      name: 'DAC',
      kind: 'conversion',
      energyJ: w.dac * dacJ,
      detail: `per sample ${pj(dacJ)} at ${bits} bit x ${count(w.dac)} samples (${count(w.weightDac)} of weights)${passes}`,
    },
    { name: 'ADC', kind: 'conversion', energyJ: w.adc * adcJ, detail: `per sample ${pj(adcJ)} at ${bits} bit x ${count(w.adc)} samples` },
    {
      name: 'modulator',
      kind: 'modulation',
      energyJ: w.modulated * modulatorSymbolJ(p),
      detail: `per symbol ${pj(modulatorSymbolJ(p))} x ${count(w.modulated)} symbols`,
    },
    {
      name: 'photodetector and TIA',
      kind: 'detection',
      energyJ: w.detected * detectorSampleJ(p),
      detail: `per output sample ${pj(detectorSampleJ(p))} x ${count(w.detected)}`,
    },
    {
      name: 'weight load',
      // the SDK's energy kinds have no weight programming of their own
      kind: 'other',
      energyJ: w.tileLoads * num(p, 'weightReloadEnergyJ'),
      detail: `per tile load ${pj(num(p, 'weightReloadEnergyJ'))} x ${count(w.tileLoads)}${w.tileLoads > 0 ? `; ${count(w.reloadsInSeries)} in series take ${formatQuantity(latency.reloadS, 's')}` : ''}`,
    },
    {
      name: 'buffer',
      kind: 'buffer',
      energyJ: bufferAccesses * bufferBytesPerAccess * num(p, 'sramEnergyPerByteJ'),
      detail: `per byte ${pj(num(p, 'sramEnergyPerByteJ'))} x ${count(bufferAccesses)} accesses of ${fmt(bufferBytesPerAccess)} B`,
    },
    {
      name: 'memory',
      kind: 'memory',
      energyJ: memoryNumbers * num(p, 'memoryEnergyPerNumberJ') + memoryBytes * num(p, 'memoryEnergyPerByteJ'),
      detail: `${w.plan.schedule}: ${count(memoryNumbers)} numbers${w.plan.extraNumbers > 0 ? ` (${count(w.plan.extraNumbers)} re-read or spilled)` : ''}, ${formatQuantity(latency.memoryS, 's')} at the feed's bandwidth`,
    },
    { name: 'laser', kind: 'static', energyJ: stat.laserW * latency.latencyS, detail: `power ${fmt(stat.laserW)} W over the op's latency` },
    {
      name: 'ring tuning',
      kind: 'static',
      energyJ: stat.tuningW * latency.latencyS,
      detail: `power ${fmt(stat.tuningW)} W over the op's latency`,
    },
    {
      name: 'other static',
      kind: 'static',
      energyJ: stat.otherW * latency.latencyS,
      detail: `power ${fmt(stat.otherW)} W over the op's latency`,
    },
  ];
  return { components, latency, work: w, slices: sl };
}

/** The realization's energy by kind: the sum of its non-static components, each kind once. */
export function energyByKind(components: readonly EnergyComponent[]): RealizationEnergy {
  const energy: Partial<Record<EnergyKind, number>> = {};
  for (const c of components) {
    if (c.kind === 'static') continue;
    const kind = c.kind as EnergyKind;
    energy[kind] = (energy[kind] ?? 0) + c.energyJ;
  }
  for (const k of Object.keys(energy) as EnergyKind[]) if (energy[k] === 0 && !ALWAYS.has(k)) delete energy[k];
  return energy;
}

export function realizePtu(op: OpNode, arith: OpArithmetic, p: ParamValues): Realization[] {
  if (str(p, 'precision') === 'exclude' && slicing(op, p).passes > 1) return [];
  const { components, latency } = ptuComponents(op, arith, p);
  return [
    {
      algorithm: str(p, 'dataflow'),
      latencyS: latency.latencyS,
      // independent products (batch x heads) can run on different units
      parts: matmulDims(op).batch,
      energy: energyByKind(components),
      components,
    },
  ];
}

/**
 * Checks that resolved values fit together: a buffer that holds at least one
 * tile, and an encoding the dataflow can hold.
 */
export function validatePtu(p: ParamValues): string | null {
  const s = num(p, 'sramBytes');
  const min = minBufferBytes(p);
  if (s > 0 && s < min) {
    const what = isCrossbar(p)
      ? `one ${num(p, 'crossbarRows')} x ${num(p, 'crossbarCols')} tile with a ${num(p, 'wavelengths')}-row input block and its partial sums`
      : `one element of each operand and one output per wavelength`;
    return `parameter 'sramBytes' must be 0 (not modelled) or >= ${fmt(min)} B: ${what} at ${num(p, 'bits')} bit (got ${s})`;
  }
  if (!isCrossbar(p) && perCycle(p) && holdsWeights(p)) {
    return `parameter 'weightEncoding' must be 'electro-optic' with dataflow 'dot-product-serial', which holds no operand (got '${str(p, 'weightEncoding')}')`;
  }
  return null;
}
