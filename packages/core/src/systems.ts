import type { LinkSpec, MemorySpec, SystemSpec } from '@lightcode/cost-model';

/**
 * Built-in systems. Device figures live in the target presets; links and
 * memories cite their sources here.
 */
const A100_HBM: MemorySpec = {
  id: 'hbm',
  kind: 'hbm',
  capacityBytes: 80e9,
  bandwidthBps: 2039e9,
  energyPerByteJ: 31.2e-12,
  attachedTo: ['gpu'],
};
const H100_HBM: MemorySpec = { ...A100_HBM, bandwidthBps: 3350e9 };
/** NVIDIA H200 datasheet: 141 GB HBM3e at 4.8 TB/s. */
const H200_HBM: MemorySpec = { ...A100_HBM, capacityBytes: 141e9, bandwidthBps: 4.8e12 };
/** NVIDIA HGX B200 datasheet, per GPU: 180 GB HBM3e at 7.7 TB/s. */
const B200_HBM: MemorySpec = { ...A100_HBM, capacityBytes: 180e9, bandwidthBps: 7.7e12 };

/** A PCIe 4.0 x16 class link between a GPU host and photonic cards. */
const PCIE_PTU: LinkSpec = {
  id: 'pcie',
  between: ['gpu', 'ptu'],
  bandwidthBps: 31.5e9,
  latencyS: 1e-6,
  energyPerByteJ: 40e-12,
  source: 'PCIe 4.0 x16: 31.5 GB/s per direction; ~1 us DMA latency and ~5 pJ/bit SerDes energy are assumptions',
};

/**
 * The original study's CPU-PTU path: a fixed 10 ns per transfer (its DAC/ADC
 * delay) whatever the size, so bandwidth is set high enough not to matter. Its
 * per-number energies are charged by the ops themselves.
 */
const STUDY_LINK: LinkSpec = {
  id: 'study-link',
  between: ['cpu', 'ptu'],
  bandwidthBps: 1e18,
  latencyS: 10e-9,
  energyPerByteJ: 0,
  source: 'LightCode study reference implementation: fixed delay per edge, size-independent',
};

/** One GPU and four photonic units with the study's constants, on PCIe. */
function hybrid(gpu: 'a100' | 'h100', hbm: MemorySpec): SystemSpec {
  return {
    id: `hybrid-${gpu}-ptu`,
    description: `One ${gpu.toUpperCase()} and four photonic tensor units (study constants) on PCIe`,
    devices: [
      { id: 'gpu', target: 'gpu', preset: gpu, count: 1 },
      { id: 'ptu', target: 'ptu', preset: 'lightcode-2025', count: 4 },
    ],
    memories: [hbm],
    links: [PCIE_PTU],
  };
}

export const BUILTIN_SYSTEMS: Readonly<Record<string, SystemSpec>> = {
  'gpu-a100': {
    id: 'gpu-a100',
    description: 'One NVIDIA A100-80GB SXM',
    devices: [{ id: 'gpu', target: 'gpu', preset: 'a100', count: 1 }],
    memories: [A100_HBM],
  },
  'gpu-h100': {
    id: 'gpu-h100',
    description: 'One NVIDIA H100 SXM',
    devices: [{ id: 'gpu', target: 'gpu', preset: 'h100', count: 1 }],
    memories: [H100_HBM],
  },
  'gpu-h200': {
    id: 'gpu-h200',
    description: 'One NVIDIA H200 SXM (141 GB HBM3e)',
    devices: [{ id: 'gpu', target: 'gpu', preset: 'h200', count: 1 }],
    memories: [H200_HBM],
  },
  'gpu-b200': {
    id: 'gpu-b200',
    description: 'One NVIDIA B200 (HGX B200, 180 GB HBM3e)',
    devices: [{ id: 'gpu', target: 'gpu', preset: 'b200', count: 1 }],
    memories: [B200_HBM],
  },
  cpu: {
    id: 'cpu',
    description:
      "The original study's CPU alone, for reproduction: its constants (0.1 pJ/MAC, no static power), far below any measured CPU",
    devices: [{ id: 'cpu', target: 'cpu', preset: 'lightcode-2025', count: 1 }],
  },
  'cpu-xeon': {
    id: 'cpu-xeon',
    description: 'One Intel Xeon Platinum 8380 (roofline) drawing its 270 W TDP as static power: a realistic CPU baseline',
    devices: [{ id: 'cpu', target: 'cpu', preset: 'xeon-8380-tdp', count: 1 }],
  },
  'hybrid-a100-ptu': hybrid('a100', A100_HBM),
  'hybrid-h100-ptu': hybrid('h100', H100_HBM),
  'lightcode-2025': {
    id: 'lightcode-2025',
    description:
      "The original study's machine, for reproduction: its CPU core (0.1 pJ/MAC, no static power) and one photonic unit (1 core x 20 wavelengths)",
    devices: [
      { id: 'cpu', target: 'cpu', preset: 'lightcode-2025', count: 1 },
      { id: 'ptu', target: 'ptu', preset: 'lightcode-2025', count: 1 },
    ],
    links: [STUDY_LINK],
  },
};

export const DEFAULT_SYSTEM = 'hybrid-a100-ptu';
