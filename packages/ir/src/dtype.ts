/** Number formats an operator's tensors can be stored in. */
export const DTYPES = ['fp32', 'fp16', 'bf16', 'int8', 'int32'] as const;
export type DType = (typeof DTYPES)[number];

const BYTES: Record<DType, number> = { fp32: 4, fp16: 2, bf16: 2, int8: 1, int32: 4 };

/** Bytes one element of `dtype` occupies. */
export function dtypeBytes(dtype: DType): number {
  return BYTES[dtype];
}
