import { type OpKind, UserError } from '@lightcode/cost-model';

/**
 * How LightCode reads each Relay operator that a TVM graph's `func_name`
 * can name. `arity` is how many operands the operator takes; a fused
 * function's inputs are handed to its members in order (the first member
 * takes `arity`, each later one the previous result and `arity - 1` more).
 */
export type TvmRule =
  /** `nn.dense` (weight [N, K]), `nn.contrib_dense_pack` (weight [N/b, K, b]), `nn.matmul` (weight [K, N]). */
  | { readonly type: 'dense'; readonly weight: 'NK' | 'packed' | 'KN' }
  /** Convolutions; `NCHWc` is TVM's packed layout [N, C/c, H, W, c] with weight [O/o, C/c, kh, kw, c, o]. */
  | { readonly type: 'conv'; readonly layout: 'NCHW' | 'NCHWc' }
  | { readonly type: 'conv_transpose' }
  /** `nn.batch_matmul`: x [B, M, K] by y [B, N, K] (TVM's default transpose_b) or [B, K, N]. */
  | { readonly type: 'batch_matmul' }
  /** Per-element ops, priced at `flops` per output element. */
  | { readonly type: 'elementwise'; readonly kind: OpKind; readonly flops: number; readonly arity: number }
  /** softmax and the normalizations: x plus optional scale and shift. */
  | { readonly type: 'norm'; readonly kind: 'softmax' | 'layernorm'; readonly arity: number }
  /** Window reductions (max/avg/global/adaptive pooling). */
  | { readonly type: 'pool' }
  /** Reductions over axes (mean, sum, max, ...). */
  | { readonly type: 'reduce' }
  /** Data movement without arithmetic; arity 0: every remaining input (concatenate). */
  | { readonly type: 'copy'; readonly arity: number }
  /** `take`: an embedding lookup when its data is a parameter, else a gather. */
  | { readonly type: 'take' }
  /** Views that move no data in a graph executor (reshape, squeeze, `__nop`). */
  | { readonly type: 'alias' };

const unary = (fn: number, kind: OpKind = 'elementwise') => ({ type: 'elementwise', kind, flops: fn, arity: 1 }) as const;
const binary = (fn: number, kind: OpKind = 'elementwise') => ({ type: 'elementwise', kind, flops: fn, arity: 2 }) as const;
const copy = (arity = 1) => ({ type: 'copy', arity }) as const;

/** The Relay operators LightCode reads, by name. */
export const TVM_OPS: Readonly<Record<string, TvmRule>> = {
  'nn.dense': { type: 'dense', weight: 'NK' },
  'nn.contrib_dense_pack': { type: 'dense', weight: 'packed' },
  'nn.matmul': { type: 'dense', weight: 'KN' },
  'nn.batch_matmul': { type: 'batch_matmul' },
  'nn.conv1d': { type: 'conv', layout: 'NCHW' },
  'nn.conv2d': { type: 'conv', layout: 'NCHW' },
  'nn.conv3d': { type: 'conv', layout: 'NCHW' },
  'nn.contrib_conv2d_NCHWc': { type: 'conv', layout: 'NCHWc' },
  'nn.contrib_depthwise_conv2d_NCHWc': { type: 'conv', layout: 'NCHWc' },
  'nn.conv1d_transpose': { type: 'conv_transpose' },
  'nn.conv2d_transpose': { type: 'conv_transpose' },
  'nn.relu': unary(1),
  'nn.leaky_relu': unary(2),
  'nn.prelu': binary(2),
  sigmoid: unary(4),
  tanh: unary(4),
  fast_tanh: unary(4),
  exp: unary(1),
  fast_exp: unary(1),
  log: unary(1),
  sqrt: unary(1),
  rsqrt: unary(1),
  erf: unary(1),
  fast_erf: unary(1),
  negative: unary(1),
  abs: unary(1),
  sign: unary(1),
  round: unary(1),
  floor: unary(1),
  ceil: unary(1),
  clip: unary(2),
  cast: unary(0),
  logical_not: unary(1),
  add: binary(1, 'add'),
  'nn.bias_add': binary(1, 'add'),
  multiply: binary(1, 'mul'),
  subtract: binary(1),
  divide: binary(1),
  floor_divide: binary(1),
  floor_mod: binary(1),
  mod: binary(1),
  power: binary(1),
  maximum: binary(1),
  minimum: binary(1),
  greater: binary(1),
  greater_equal: binary(1),
  less: binary(1),
  less_equal: binary(1),
  equal: binary(1),
  not_equal: binary(1),
  logical_and: binary(1),
  logical_or: binary(1),
  where: { type: 'elementwise', kind: 'elementwise', flops: 1, arity: 3 },
  // inference batch norm: a scale and a shift per channel (data, gamma, beta, mean, var)
  'nn.batch_norm': { type: 'elementwise', kind: 'elementwise', flops: 2, arity: 5 },
  'nn.softmax': { type: 'norm', kind: 'softmax', arity: 1 },
  'nn.log_softmax': { type: 'norm', kind: 'softmax', arity: 1 },
  'nn.fast_softmax': { type: 'norm', kind: 'softmax', arity: 1 },
  'nn.layer_norm': { type: 'norm', kind: 'layernorm', arity: 3 },
  'nn.group_norm': { type: 'norm', kind: 'layernorm', arity: 3 },
  'nn.instance_norm': { type: 'norm', kind: 'layernorm', arity: 3 },
  mean: { type: 'reduce' },
  sum: { type: 'reduce' },
  max: { type: 'reduce' },
  min: { type: 'reduce' },
  prod: { type: 'reduce' },
  variance: { type: 'reduce' },
  std: { type: 'reduce' },
  argmax: { type: 'reduce' },
  argmin: { type: 'reduce' },
  all: { type: 'reduce' },
  any: { type: 'reduce' },
  logsumexp: { type: 'reduce' },
  'nn.max_pool1d': { type: 'pool' },
  'nn.max_pool2d': { type: 'pool' },
  'nn.max_pool3d': { type: 'pool' },
  'nn.avg_pool1d': { type: 'pool' },
  'nn.avg_pool2d': { type: 'pool' },
  'nn.avg_pool3d': { type: 'pool' },
  'nn.global_avg_pool2d': { type: 'pool' },
  'nn.global_max_pool2d': { type: 'pool' },
  'nn.adaptive_avg_pool1d': { type: 'pool' },
  'nn.adaptive_avg_pool2d': { type: 'pool' },
  'nn.adaptive_max_pool2d': { type: 'pool' },
  transpose: copy(),
  layout_transform: copy(),
  concatenate: copy(0),
  stack: copy(0),
  split: copy(),
  strided_slice: copy(),
  'nn.pad': copy(),
  broadcast_to: copy(),
  repeat: copy(),
  tile: copy(),
  reverse: copy(),
  gather: copy(2),
  gather_nd: copy(2),
  scatter: copy(3),
  one_hot: copy(3),
  arange: copy(0),
  full: copy(),
  zeros: copy(0),
  ones: copy(0),
  zeros_like: copy(),
  ones_like: copy(),
  full_like: copy(2),
  copy: copy(),
  device_copy: copy(),
  'image.resize2d': copy(),
  'nn.upsampling': copy(),
  'nn.depth_to_space': copy(),
  'nn.space_to_depth': copy(),
  take: { type: 'take' },
  reshape: { type: 'alias' },
  reshape_like: { type: 'alias' },
  contrib_reverse_reshape: { type: 'alias' },
  squeeze: { type: 'alias' },
  expand_dims: { type: 'alias' },
  'nn.batch_flatten': { type: 'alias' },
};

/** Relay names as they appear in function names: dots become underscores. */
const BY_TOKEN = new Map(Object.keys(TVM_OPS).map((name) => [name.replace(/\./g, '_'), name]));
const LONGEST = Math.max(...[...BY_TOKEN.keys()].map((k) => k.length));

/**
 * The Relay operators a graph node's `func_name` names, in order:
 * `tvmgen_default_fused_nn_dense_nn_relu_1` -> [`nn.dense`, `nn.relu`].
 * `__nop` (a reshape the graph executor skips) names none; `__copy` a copy.
 */
export function membersOf(funcName: string, node: string): string[] {
  if (funcName === '__nop') return [];
  if (funcName === '__copy') return ['device_copy'];
  let body = funcName;
  const fused = body.indexOf('fused_');
  if (fused >= 0) body = body.slice(fused + 'fused_'.length);
  else body = body.replace(/^tvmgen_[A-Za-z0-9]+_/, '');
  body = body.replace(/_\d+$/, '');
  const out: string[] = [];
  let at = 0;
  while (at < body.length) {
    let found: string | undefined;
    for (let len = Math.min(LONGEST, body.length - at); len > 0; len--) {
      const token = body.slice(at, at + len);
      const next = body[at + len];
      if ((next === undefined || next === '_') && BY_TOKEN.has(token)) {
        found = token;
        break;
      }
    }
    if (!found) {
      const rest = body.slice(at);
      throw new UserError(
        `node '${node}': func_name '${funcName}' names a Relay operator LightCode does not read, at '${rest}'; the operators it reads are listed in the README of @lightcode/frontend-tvm (rebuild the graph without that operator, or add a rule for it there)`,
      );
    }
    out.push(BY_TOKEN.get(found) as string);
    at += found.length + 1;
  }
  return out;
}
