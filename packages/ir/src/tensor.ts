import { type DType, dtypeBytes } from './dtype.js';

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

/** Bytes the tensor occupies in memory. */
export function tensorBytes(t: TensorSpec): number {
  return numel(t) * dtypeBytes(t.dtype);
}

export function sumBytes(ts: readonly TensorSpec[]): number {
  let b = 0;
  for (const t of ts) b += tensorBytes(t);
  return b;
}

export function tensor(shape: readonly number[], dtype: DType): TensorSpec {
  return { shape: [...shape], dtype };
}
