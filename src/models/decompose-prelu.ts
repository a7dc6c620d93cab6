import { onnx } from 'onnx-proto';

type Fail = (reason: string) => never;

/**
 * Rewrites every PRelu whose slope is a per-channel constant of shape [C,1,1] as
 *   y = x + (1 - s) * Relu(-x)
 * built from two depthwise 1x1 convolutions: Relu(-x) is a Conv (weight -1) with the Relu fused,
 * and the second Conv (weight 1 - s) has the Add fused. For x >= 0 that is x; for x < 0 it is s*x.
 *
 * Why: onnxruntime's CPU provider keeps convolutions in its blocked NCHWc layout, but has no NCHWc
 * PRelu, so every PRelu costs a layout round trip plus a slow broadcasting kernel. In fr_feature
 * (33 PRelus) that was 40% of the time of an embedding (profiled: 4.0 ms PRelu + 1.3 ms reorders of
 * 11.1 ms per face); rewritten, every node runs in NCHWc. Outputs agree to float rounding.
 * Returns how many PRelus were rewritten; fails if none could be.
 */
export function decomposePRelu(graph: onnx.IGraphProto, fail: Fail): number {
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const names = new Set<string>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) names.add(o);
  for (const name of initializers.keys()) names.add(name);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };

  const nodes: onnx.INodeProto[] = [];
  const added: onnx.ITensorProto[] = [];
  const replacedSlopes = new Set<string>();
  let rewritten = 0;
  for (const node of graph.node ?? []) {
    const [x, slopeName] = node.input ?? [];
    const y = node.output?.[0];
    const slope = node.opType === 'PRelu' && slopeName ? initializers.get(slopeName) : undefined;
    const s = slope ? channelSlopes(slope) : undefined;
    if (!x || !y || !slopeName || !s) {
      nodes.push(node);
      continue;
    }
    const base = node.name || y;
    const negWeight = fresh(`${base}/neg_w`);
    const blendWeight = fresh(`${base}/blend_w`);
    added.push(
      depthwiseWeight(
        negWeight,
        s.map(() => -1),
      ),
    );
    added.push(
      depthwiseWeight(
        blendWeight,
        s.map((v) => 1 - v),
      ),
    );
    const negated = fresh(`${base}/neg`);
    const negRelu = fresh(`${base}/neg_relu`);
    const blended = fresh(`${base}/blend`);
    nodes.push(
      depthwiseConv(fresh(`${base}/neg_conv`), x, negWeight, negated, s.length),
      { opType: 'Relu', name: fresh(`${base}/relu`), input: [negated], output: [negRelu] },
      depthwiseConv(fresh(`${base}/blend_conv`), negRelu, blendWeight, blended, s.length),
      { opType: 'Add', name: fresh(`${base}/add`), input: [blended, x], output: [y] },
    );
    replacedSlopes.add(slopeName);
    rewritten++;
  }
  if (rewritten === 0) fail('decomposePRelu: no PRelu with a constant [C,1,1] slope in the graph');

  // A slope nothing reads any more would make onnxruntime warn at every session creation.
  const stillRead = new Set<string>();
  for (const n of nodes) for (const i of n.input ?? []) stillRead.add(i);
  graph.node = nodes;
  graph.initializer = [
    ...(graph.initializer ?? []).filter(
      (t) => !replacedSlopes.has(t.name ?? '') || stillRead.has(t.name ?? ''),
    ),
    ...added,
  ];
  graph.input = (graph.input ?? []).filter(
    (i) => !replacedSlopes.has(i.name ?? '') || stillRead.has(i.name ?? ''),
  );
  return rewritten;
}

/** The slopes of a float [C,1,1] initializer with C > 1, or undefined for any other shape. */
function channelSlopes(t: onnx.ITensorProto): number[] | undefined {
  const dims = (t.dims ?? []).map(Number);
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (dims.length !== 3 || dims[1] !== 1 || dims[2] !== 1 || !(dims[0]! > 1)) return undefined;
  const c = dims[0]!;
  if (t.floatData && t.floatData.length === c) return Array.from(t.floatData);
  const raw = t.rawData;
  if (!raw || raw.byteLength !== c * 4) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: c }, (_, i) => view.getFloat32(i * 4, true));
}

function depthwiseWeight(name: string, values: number[]): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (const [i, v] of values.entries()) view.setFloat32(i * 4, v, true);
  return { name, dims: [values.length, 1, 1, 1], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

function depthwiseConv(
  name: string,
  input: string,
  weight: string,
  output: string,
  channels: number,
): onnx.INodeProto {
  const { INT, INTS } = onnx.AttributeProto.AttributeType;
  return {
    opType: 'Conv',
    name,
    input: [input, weight],
    output: [output],
    attribute: [
      { name: 'group', type: INT, i: channels },
      { name: 'kernel_shape', type: INTS, ints: [1, 1] },
    ],
  };
}
