// A LightCode target written outside the LightCode workspace, the way a third
// party publishes one: it depends on the SDK alone (as a peer dependency).
import { defineTarget, matmulDims } from '@lightcode/cost-model';

const SOURCE = 'illustrative figures for a 256x256 resistive crossbar tile; replace with your device data';

/**
 * Weights stay resident in the crossbars (no weight reload), each tile does one
 * 256x256 matrix-vector product per cycle, and partial sums leave through ADCs.
 */
export default defineTarget({
  id: 'aimc',
  name: 'Analog in-memory compute',
  description: 'Resistive-crossbar accelerator for weight-stationary linear layers.',
  dtypes: ['int8', 'fp16', 'bf16'],
  opKinds: ['linear'],
  params: {
    tiles: { unit: '1', default: 64, integer: true, description: 'crossbar tiles', source: SOURCE },
    tileSize: { unit: '1', default: 256, integer: true, description: 'rows = columns of a tile', source: SOURCE },
    clockHz: { unit: 'Hz', default: 1e8, description: 'matrix-vector products per second per tile', source: SOURCE },
    macEnergyJ: { unit: 'J', default: 0.02e-12, description: 'energy per analog MAC', source: SOURCE },
    adcEnergyJ: { unit: 'J', default: 2e-12, description: 'energy per ADC conversion', source: SOURCE },
    staticPowerW: { unit: 'W', default: 2, allowZero: true, description: 'peripheral idle power', source: SOURCE },
  },
  presets: {
    default: { description: 'a 64-tile chip', source: SOURCE, values: {} },
  },
  defaultPreset: 'default',
  realize(op, arith, p) {
    const { batch, m, k, n } = matmulDims(op);
    const size = p.tileSize;
    const tilesNeeded = Math.ceil(k / size) * Math.ceil(n / size);
    const waves = Math.ceil(tilesNeeded / p.tiles);
    const cycles = batch * m * waves;
    const adc = batch * m * n * Math.ceil(k / size);
    return [
      {
        algorithm: 'weight-stationary',
        latencyS: cycles / p.clockHz,
        energy: { compute: arith.macs * p.macEnergyJ, conversion: adc * p.adcEnergyJ },
      },
    ];
  },
  staticPowerW: (p) => p.staticPowerW,
});
