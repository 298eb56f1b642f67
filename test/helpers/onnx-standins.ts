import { encodeModel, type Node } from '../benchmark/construct/parser/onnx-builder.js';

/** One output of a stand-in regressor: out = mean colour · W + b (W is 3×K, row per channel). */
export interface RegressorHead {
  name: string;
  W: number[][];
  b: number[];
}

/**
 * A real ONNX image regressor whose outputs are known: GlobalAveragePool over the NCHW input
 * `image` → Flatten → one Gemm per head, so each output is an affine map of the mean
 * normalised colour of the network input (which the test can compute from its own crop).
 */
export function meanColourRegressor(heads: RegressorHead[]): Uint8Array {
  const nodes: Node[] = [
    { op: 'GlobalAveragePool', inputs: ['image'], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], int: { axis: 1 } },
    ...heads.map((h): Node => ({ op: 'Gemm', inputs: ['flat', `W_${h.name}`, `b_${h.name}`], outputs: [h.name] })),
  ];
  const initializers = heads.flatMap((h) => [
    { name: `W_${h.name}`, dims: [3, h.b.length], floats: h.W.flat() },
    { name: `b_${h.name}`, dims: [h.b.length], floats: h.b },
  ]);
  return encodeModel({ nodes, initializers, inputs: [{ name: 'image', shape: [1, 3, 'H', 'W'] }], outputs: heads.map((h) => ({ name: h.name, shape: [1, h.b.length] })) });
}

/** The head's expected output for a mean colour `m` (float64). */
export function headOutput(head: RegressorHead, m: readonly number[]): number[] {
  return head.b.map((b, k) => b + m[0] * head.W[0][k] + m[1] * head.W[1][k] + m[2] * head.W[2][k]);
}
