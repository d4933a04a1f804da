/**
 * Lower bounds on what any schedule of a selection costs: the whole-graph
 * relaxation (critical path, each device class's load over its instances,
 * each link's occupancy), and the sum of the segments' bounds, which counts
 * that segments run one after another. The larger of the two holds.
 */
import type { StackedGraph } from '@lightcode/ir';
import { type Choice, candidateOf, dynamicEnergyJ, relaxedCost, type SelectionCost, staticPowerW } from '../selection.js';
import { segmentBound } from './schedule.js';
import { segmentsOf } from './segments.js';

/** A lower bound on the latency and energy of every schedule of the selection. */
export function selectionBound(sg: StackedGraph, choice: Choice): SelectionCost {
  const pick = (id: string) => candidateOf(sg, choice, id);
  let segments = 0;
  for (const seg of segmentsOf(sg).segments) segments += segmentBound(sg, seg, seg.ops.map(pick));
  const latencyS = Math.max(segments, relaxedCost(sg, choice).latencyS);
  return { latencyS, energyJ: dynamicEnergyJ(sg, choice) + staticPowerW(sg) * latencyS };
}
