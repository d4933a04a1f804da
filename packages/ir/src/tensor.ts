import { type DType, dtypeBits } from './dtype.js';

/** A tensor's shape and element type; LightCode never needs its values. */
export interface TensorSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Number of elements. */
export function numel(t: TensorSpec): number {
  let n = 1;
  for (const d of t.shape) n *= d;
  return n;
}

/** Bytes the tensor occupies in memory; sub-byte elements (int4) are packed, the last byte rounded up. */
export function tensorBytes(t: TensorSpec): number {
  const bits = dtypeBits(t.dtype);
  return bits % 8 === 0 ? numel(t) * (bits / 8) : Math.ceil((numel(t) * bits) / 8);
}

export function sumBytes(ts: readonly TensorSpec[]): number {
  let b = 0;
  for (const t of ts) b += tensorBytes(t);
  return b;
}

export function tensor(shape: readonly number[], dtype: DType): TensorSpec {
  return { shape: [...shape], dtype };
}
