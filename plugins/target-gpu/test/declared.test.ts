import { linearOp, opArithmetic, resolveParams, type TargetPlugin } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The GPU plugin's declarations pinned against the datasheets they cite. The
 * plugin is imported inside each test, and nothing is resolved while the file
 * loads, so a declaration gone wrong (a parameter without its default, a
 * preset emptied, a contract field the SDK refuses at load) fails an
 * assertion here instead of stopping the file.
 */

const load = async (): Promise<TargetPlugin> => (await import('@lightcode/target-gpu')).default;

describe('GPU plugin declarations', () => {
  it('loads as the target "gpu", named GPU, describing its roofline', async () => {
    const gpu = await load();
    expect(gpu.kind).toBe('target');
    expect(gpu.id).toBe('gpu');
    expect(gpu.name).toBe('GPU');
    expect(gpu.description).toMatch(
      /^Roofline GPU model: size-dependent GEMM efficiency, derated bandwidth, per-kernel overhead, static power/,
    );
    expect(gpu.defaultPreset).toBe('a100');
    expect(Object.keys(gpu.presets)).toEqual(['a100', 'h100', 'h200', 'b200']);
    expect(gpu.opKinds).toContain('linear');
    expect(gpu.opKinds).toContain('softmax');
  });

  it('its one fusion: QK^T, causal mask, softmax and AV as one FlashAttention-style kernel', async () => {
    const { fusions } = await load();
    expect(fusions).toHaveLength(1);
    expect(fusions?.[0]).toMatchObject({
      id: 'causal-attention',
      description: 'QK^T, causal mask, softmax and AV as one FlashAttention-style kernel',
      chain: ['matmul', 'softmax', 'matmul'],
    });
  });

  it('A100-80GB SXM datasheet: 312 TFLOP/s dense fp16, 19.5 fp32, 624 TOPS dense int8 (half of 1,248 sparse), no fp8, 2039 GB/s', async () => {
    const { params } = await load();
    expect(params.peakFlopsFp16).toMatchObject({ unit: 'FLOP/s', default: 312e12 });
    expect(params.peakFlopsFp32).toMatchObject({ unit: 'FLOP/s', default: 19.5e12 });
    expect(params.peakFlopsFp32?.source).toMatch(/19\.5 TFLOP\/s fp32/);
    expect(params.peakFlopsFp8).toMatchObject({ unit: 'FLOP/s', default: 0, allowZero: true });
    expect(params.peakFlopsFp8?.source).toMatch(/no FP8 Tensor Core rate/);
    expect(params.peakOpsInt8).toMatchObject({ unit: 'FLOP/s', default: 1248e12 / 2 });
    expect(params.peakOpsInt8?.source).toMatch(/INT8 Tensor Core 624 TOPS dense \(1,248 with sparsity\)/);
    expect(params.bandwidthBps).toMatchObject({ unit: 'B/s', default: 2039e9 });
    for (const name of ['peakFlopsFp16', 'bandwidthBps']) {
      expect(params[name]?.source, name).toMatch(/A100-80GB SXM: 312 TFLOP\/s dense fp16\/bf16, 2039 GB\/s, 400 W/);
    }
  });

  it('derating (aiconfigurator, llm-analysis): 0.8 of the bandwidth, 3 us per kernel; the GEMM and attention fits', async () => {
    const { params } = await load();
    expect(params.bandwidthEfficiency).toMatchObject({ unit: '1', default: 0.8 });
    expect(params.kernelOverheadS).toMatchObject({ unit: 's', default: 3e-6, allowZero: true });
    expect(params.bandwidthEfficiency?.source).toMatch(/ai-dynamo\/aiconfigurator/);
    expect(params.gemmEfficiencyMax).toMatchObject({ unit: '1', default: 0.72 });
    expect(params.gemmHalfEfficiencyM).toMatchObject({ unit: '1', default: 64 });
    expect(params.gemmEfficiencyMax?.source).toMatch(/microsoft\/vidur .*mlp\.csv/);
    expect(params.attentionEfficiencyMax).toMatchObject({ unit: '1', default: 0.53 });
    expect(params.attentionHalfEfficiencyL).toMatchObject({ unit: '1', default: 1552 });
    expect(params.attentionOverheadS).toMatchObject({ unit: 's', default: 8e-6, allowZero: true });
    expect(params.attentionOverheadS?.source).toMatch(/context_attention_perf/);
  });

  it('energy: (400 W TDP - 50 W idle) / (0.7 x 312 TFLOP/s) = 1.6 pJ/FLOP; HBM2 3.9 pJ/bit = 31.2 pJ/B; 50 W idle', async () => {
    const { params } = await load();
    expect(params.energyPerFlopJ).toMatchObject({ unit: 'J' });
    expect(params.energyPerFlopJ?.default).toBeCloseTo((400 - 50) / (0.7 * 312e12), 14);
    expect(params.energyPerFlopJ?.source).toMatch(/\(400 W TDP - 50 W idle\) \/ \(0\.7 x 312 TFLOP\/s\) = 1\.6 pJ\/FLOP/);
    expect(params.energyPerByteJ).toMatchObject({ unit: 'J' });
    expect(params.energyPerByteJ?.default).toBeCloseTo(3.9e-12 * 8, 24);
    expect(params.energyPerByteJ?.source).toMatch(/O'Connor et al\., MICRO 2017: HBM2 ~3\.9 pJ\/bit/);
    expect(params.staticPowerW).toMatchObject({ unit: 'W', default: 50, allowZero: true });
  });

  it('a100 is the defaults; h100, h200 and b200 set their datasheet peaks, bandwidth, energy per FLOP and idle power', async () => {
    const { presets } = await load();
    expect(presets.a100?.values).toEqual({});
    expect(presets.a100?.description).toBe('NVIDIA A100-80GB SXM');
    const set = ['bandwidthBps', 'energyPerFlopJ', 'peakFlopsFp16', 'peakFlopsFp32', 'peakFlopsFp8', 'peakOpsInt8', 'staticPowerW'];
    const h100 = { peakFlopsFp16: 989e12, peakFlopsFp32: 67e12, peakFlopsFp8: 1979e12, peakOpsInt8: 1979e12, staticPowerW: 70 };
    expect(presets.h100?.values).toMatchObject({ ...h100, bandwidthBps: 3350e9 });
    expect(presets.h200?.values).toMatchObject({ ...h100, bandwidthBps: 4.8e12 });
    expect(presets.b200?.values).toMatchObject({
      peakFlopsFp16: 4.5e15 / 2,
      peakFlopsFp32: 75e12,
      peakFlopsFp8: 9e15 / 2,
      peakOpsInt8: 9e15 / 2,
      bandwidthBps: 7.7e12,
      staticPowerW: 100,
    });
    for (const name of ['h100', 'h200', 'b200']) expect(Object.keys(presets[name]?.values ?? {}).sort(), name).toEqual(set);
    expect(presets.h100?.values.energyPerFlopJ).toBeCloseTo(630 / (0.7 * 989e12), 24);
    expect(presets.h200?.values.energyPerFlopJ).toBeCloseTo(630 / (0.7 * 989e12), 24);
    expect(presets.b200?.values.energyPerFlopJ).toBeCloseTo(900 / (0.7 * 2.25e15), 24);
    expect(Object.keys(presets.h100?.sources ?? {}).sort()).toEqual(
      ['energyPerFlopJ', 'peakFlopsFp32', 'peakFlopsFp8', 'peakOpsInt8', 'staticPowerW'].sort(),
    );
    expect(presets.h100?.description).toMatch(/NVIDIA H100 SXM/);
    expect(presets.b200?.sources?.energyPerFlopJ).toMatch(/\(1000 W TDP - 100 W idle\) \/ \(0\.7 x 2\.25 PFLOP\/s\) = 0\.57 pJ\/FLOP/);
    expect(presets.h200?.sources?.energyPerFlopJ).toMatch(/\(700 W TDP - 70 W idle\) \/ \(0\.7 x 989 TFLOP\/s\) = 0\.91 pJ\/FLOP/);
  });

  it('every preset resolves once loaded and prices a GEMM: nothing is resolved at import', async () => {
    const gpu = await load();
    for (const name of Object.keys(gpu.presets)) {
      const p = resolveParams('gpu', gpu.params, gpu.presets, name);
      const op = linearOp(5, 6, 7, 'fp16');
      expect(gpu.realize(op, opArithmetic(op), p)[0]?.algorithm, name).toBe('gemm');
    }
  });
});
