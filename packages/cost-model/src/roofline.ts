/**
 * Roofline time: an op is bound by compute or by memory traffic, whichever is
 * slower, plus a fixed per-kernel overhead.
 */
export function rooflineSeconds(opts: {
  flops: number;
  bytes: number;
  peakFlops: number;
  bandwidthBps: number;
  overheadS?: number;
}): number {
  const compute = opts.flops / opts.peakFlops;
  const memory = opts.bytes / opts.bandwidthBps;
  return Math.max(compute, memory) + (opts.overheadS ?? 0);
}
