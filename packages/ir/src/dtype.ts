/**
 * Number formats an operator's tensors can be stored in. `fp8` is OCP FP8
 * E4M3 (4 exponent bits, 3 mantissa bits); `int4` is a packed 4-bit integer,
 * two to a byte, used for weights stored at that width.
 */
export const DTYPES = ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'int32'] as const;
export type DType = (typeof DTYPES)[number];

const BITS: Record<DType, number> = { fp32: 32, fp16: 16, bf16: 16, fp8: 8, int8: 8, int4: 4, int32: 32 };

/** Bits one element of `dtype` occupies. */
export function dtypeBits(dtype: DType): number {
  return BITS[dtype];
}

/** Bytes one element of `dtype` occupies (0.5 for int4). */
export function dtypeBytes(dtype: DType): number {
  return BITS[dtype] / 8;
}

/**
 * Bits of resolution a number of `dtype` carries into a fixed-point (analog)
 * product: an integer's width; a float's sign and significand with its
 * implicit bit (fp32 1 + 24, fp16 1 + 11, bf16 1 + 8, fp8 E4M3 1 + 4), its
 * exponent shared per block as block floating point does (IEEE 754-2008
 * binary32 and binary16; bfloat16; OCP 8-bit Floating Point Specification
 * (OFP8) rev. 1.0, E4M3).
 */
export function dtypeSignificantBits(dtype: DType): number {
  switch (dtype) {
    case 'fp32':
      return 25;
    case 'fp16':
      return 12;
    case 'bf16':
      return 9;
    case 'fp8':
      return 5;
    default:
      return BITS[dtype];
  }
}
