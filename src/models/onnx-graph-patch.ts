import { onnx } from 'onnx-proto';
import { ArgusError } from '../errors/argus-error';
import { decomposePRelu } from './decompose-prelu';
import type { ModelPatch } from './model-manifest';

/**
 * Graph edits the manifest asks for, applied to the model bytes in memory (see docs in MODELS.md):
 * the detector is cut before its decode so it runs at any input size, batch dims are made
 * symbolic, and the embedder's PRelus become convolutions onnxruntime runs faster. Pure: bytes in, bytes out; the verified file on disk is never rewritten.
 * The result is cached on disk by patch-cache.ts: bump PATCH_CACHE_FORMAT there when a change here
 * alters the bytes a patch produces.
 */
export function applyPatches(
  modelBytes: Uint8Array,
  patches: readonly ModelPatch[],
  label = 'model',
): Uint8Array {
  if (patches.length === 0) return modelBytes;
  const fail = (reason: string): never => {
    throw new ArgusError('ARGUS_E_MODEL_INVALID', { model: label, reason });
  };
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(modelBytes);
  } catch (err) {
    throw new ArgusError(
      'ARGUS_E_MODEL_INVALID',
      { model: label, reason: `not an ONNX model (${(err as Error).message})` },
      { cause: err },
    );
  }
  const graph = model.graph ?? fail('the model has no graph');
  for (const patch of patches) {
    switch (patch.op) {
      case 'keepOutputs':
        keepOutputs(graph, patch.outputs, fail);
        break;
      case 'dynamicInput':
        dynamicInput(graph, patch.input, patch.dims, fail);
        break;
      case 'dynamicBatch':
        dynamicBatch(graph, patch.input, patch.outputs, fail);
        break;
      case 'setInitializer':
        setInt64Initializer(graph, patch.name, patch.int64, fail);
        break;
      case 'decomposePRelu':
        decomposePRelu(graph, fail);
        break;
    }
  }
  // Shapes inferred for the original sizes would now contradict the new dims and make ORT refuse the graph.
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}

type Fail = (reason: string) => never;
type Dim = string | number;

function dimension(value: Dim, fail: Fail): onnx.TensorShapeProto.IDimension {
  if (typeof value === 'string') {
    if (value === '') fail('a symbolic dimension needs a name');
    return { dimParam: value };
  }
  if (!Number.isInteger(value) || value <= 0) fail(`dimension ${value} is not a positive integer`);
  return { dimValue: value };
}

function tensorValueInfo(
  name: string,
  elemType: number,
  dims: Dim[] | undefined,
  fail: Fail,
): onnx.IValueInfoProto {
  const shape = dims === undefined ? undefined : { dim: dims.map((d) => dimension(d, fail)) };
  return { name, type: { tensorType: shape ? { elemType, shape } : { elemType } } };
}

function declaredDims(vi: onnx.IValueInfoProto | undefined): onnx.TensorShapeProto.IDimension[] | undefined {
  return vi?.type?.tensorType?.shape?.dim ?? undefined;
}

function graphInput(graph: onnx.IGraphProto, name: string, fail: Fail): onnx.IValueInfoProto {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const input = (graph.input ?? []).find((i) => i.name === name && !initializers.has(name));
  if (!input) {
    const names = (graph.input ?? []).filter((i) => !initializers.has(i.name)).map((i) => i.name);
    return fail(`no graph input named "${name}" (inputs: ${names.join(', ')})`);
  }
  return input;
}

/** Makes the named tensors the only outputs and drops every node that does not lead to them. */
function keepOutputs(graph: onnx.IGraphProto, names: readonly string[], fail: Fail): void {
  const nodes = graph.node ?? [];
  const info = new StaticInfo(graph);
  const outputs = names.map((name) => {
    if (!info.exists(name)) fail(`keepOutputs: no tensor named "${name}" in the graph`);
    const existing = (graph.output ?? []).find((o) => o.name === name);
    const rank = declaredDims(existing)?.length ?? info.rank(name);
    const elemType = existing?.type?.tensorType?.elemType ?? info.elemType(name);
    if (elemType === undefined) return fail(`keepOutputs: cannot tell the element type of "${name}"`);
    // Every dim becomes a symbol: the sizes depend on the input, which later patches may make dynamic.
    const dims = rank === undefined ? undefined : Array.from({ length: rank }, (_, i) => `${name}_d${i}`);
    return tensorValueInfo(name, elemType, dims, fail);
  });
  graph.output = outputs;

  const needed = new Set(names);
  const kept: onnx.INodeProto[] = [];
  // ONNX requires nodes in topological order, so one backward pass finds every producer.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!(node.output ?? []).some((o) => needed.has(o))) continue;
    kept.push(node);
    for (const name of nodeInputs(node)) needed.add(name);
  }
  graph.node = kept.reverse();
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  graph.initializer = (graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
  graph.sparseInitializer = (graph.sparseInitializer ?? []).filter((t) => needed.has(t.values?.name ?? ''));
  // Real inputs stay (they are the model's interface); inputs that only list initializers go with them.
  graph.input = (graph.input ?? []).filter(
    (i) => !initializerNames.has(i.name ?? '') || needed.has(i.name ?? ''),
  );
}

/** A node's inputs, including outer-scope names its subgraphs (If, Loop, Scan) read. */
function nodeInputs(node: onnx.INodeProto): string[] {
  const names = (node.input ?? []).filter((n) => n !== '');
  for (const attr of node.attribute ?? []) {
    for (const g of [attr.g, ...(attr.graphs ?? [])]) {
      for (const sub of g?.node ?? []) names.push(...nodeInputs(sub));
    }
  }
  return names;
}

function dynamicInput(graph: onnx.IGraphProto, name: string, dims: readonly Dim[], fail: Fail): void {
  const input = graphInput(graph, name, fail);
  const current = declaredDims(input);
  if (current && current.length !== dims.length) {
    fail(`dynamicInput: input "${name}" has rank ${current.length}, the patch gives ${dims.length} dims`);
  }
  const elemType = input.type?.tensorType?.elemType ?? fail(`dynamicInput: input "${name}" is not a tensor`);
  input.type = tensorValueInfo(name, elemType, [...dims], fail).type ?? null;
}

function dynamicBatch(
  graph: onnx.IGraphProto,
  inputName: string,
  outputNames: readonly string[],
  fail: Fail,
): void {
  const targets = [graphInput(graph, inputName, fail)];
  for (const name of outputNames) {
    const output = (graph.output ?? []).find((o) => o.name === name);
    if (!output) {
      const names = (graph.output ?? []).map((o) => o.name).join(', ');
      fail(`dynamicBatch: no graph output named "${name}" (outputs: ${names})`);
    }
    targets.push(output!);
  }
  for (const vi of targets) {
    const dims = declaredDims(vi);
    if (!dims || dims.length === 0)
      fail(`dynamicBatch: "${vi.name}" has no declared shape to make batch-dynamic`);
    dims![0] = { dimParam: 'N' };
  }
}

function setInt64Initializer(
  graph: onnx.IGraphProto,
  name: string,
  values: readonly number[],
  fail: Fail,
): void {
  const tensor =
    (graph.initializer ?? []).find((t) => t.name === name) ??
    fail(`setInitializer: no initializer named "${name}"`);
  if (tensor.dataType !== onnx.TensorProto.DataType.INT64) {
    fail(`setInitializer: initializer "${name}" is not int64 (data type ${tensor.dataType})`);
  }
  const dims = (tensor.dims ?? []).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length > 1 && count !== values.length) {
    fail(`setInitializer: "${name}" has shape [${dims.join(', ')}], the patch gives ${values.length} values`);
  }
  if (dims.length <= 1) tensor.dims = dims.length === 0 && values.length === 1 ? [] : [values.length];
  // raw_data and int64_data are alternatives; a present (even empty) raw_data would win in ORT.
  delete tensor.rawData;
  tensor.int64Data = [...values];
}

const INT64 = onnx.TensorProto.DataType.INT64;
const BOOL = onnx.TensorProto.DataType.BOOL;
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);
const BOOL_OPS = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
]);
const SAME_RANK_OPS = new Set([
  'Abs',
  'AveragePool',
  'BatchNormalization',
  'Cast',
  'Clip',
  'Concat',
  'Conv',
  'ConvTranspose',
  'Dropout',
  'Elu',
  'Exp',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'HardSigmoid',
  'Identity',
  'InstanceNormalization',
  'LeakyRelu',
  'Log',
  'LogSoftmax',
  'LRN',
  'MaxPool',
  'Neg',
  'Pad',
  'PRelu',
  'Relu',
  'Resize',
  'Sigmoid',
  'Slice',
  'Softmax',
  'Softplus',
  'Sqrt',
  'Tanh',
  'Transpose',
  'Upsample',
]);
const BROADCAST_OPS = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'Where',
  ...BOOL_OPS,
]);

/**
 * Just enough static knowledge to declare a new graph output: its element type and rank, found by
 * walking back to inputs, initializers and constants. Answers undefined when unsure.
 */
class StaticInfo {
  private readonly producers = new Map<string, onnx.INodeProto>();
  private readonly initializers = new Map<string, onnx.ITensorProto>();
  private readonly declared = new Map<string, onnx.IValueInfoProto>();

  constructor(graph: onnx.IGraphProto) {
    for (const n of graph.node ?? []) for (const o of n.output ?? []) this.producers.set(o, n);
    for (const t of graph.initializer ?? []) this.initializers.set(t.name ?? '', t);
    for (const vi of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
      this.declared.set(vi.name ?? '', vi);
    }
  }

  exists(name: string): boolean {
    return this.producers.has(name) || this.initializers.has(name) || this.declared.has(name);
  }

  elemType(name: string, depth = 0): number | undefined {
    const declared = this.declared.get(name)?.type?.tensorType?.elemType;
    if (declared) return declared;
    const init = this.initializers.get(name);
    if (init) return init.dataType ?? undefined;
    const node = this.producers.get(name);
    if (!node || depth > 500) return undefined;
    const op = node.opType ?? '';
    if (INT64_OPS.has(op)) return INT64;
    if (BOOL_OPS.has(op)) return BOOL;
    if (op === 'Cast') return Number(attr(node, 'to')?.i ?? 0) || undefined;
    if (op === 'Constant') return attr(node, 'value')?.t?.dataType ?? undefined;
    const first = node.input?.find((n) => n !== '');
    return first === undefined ? undefined : this.elemType(first, depth + 1);
  }

  rank(name: string, depth = 0): number | undefined {
    const dims = declaredDims(this.declared.get(name));
    if (dims && this.declared.get(name)?.type?.tensorType?.shape) return dims.length;
    const init = this.initializers.get(name);
    if (init) return (init.dims ?? []).length;
    const node = this.producers.get(name);
    if (!node || depth > 500) return undefined;
    const op = node.opType ?? '';
    const inputs = (node.input ?? []).filter((n) => n !== '');
    const rankOf = (i: number) => (inputs[i] === undefined ? undefined : this.rank(inputs[i]!, depth + 1));
    if (SAME_RANK_OPS.has(op)) return rankOf(0);
    if (BROADCAST_OPS.has(op)) {
      const ranks = inputs.map((_, i) => rankOf(i));
      return ranks.some((r) => r === undefined) ? undefined : Math.max(...(ranks as number[]));
    }
    switch (op) {
      case 'Constant':
        return (attr(node, 'value')?.t?.dims ?? []).length;
      case 'Shape':
        return 1;
      case 'Flatten':
      case 'Gemm':
        return 2;
      case 'Reshape':
        return this.length1D(inputs[1], depth + 1);
      case 'Unsqueeze':
      case 'Squeeze': {
        const r = rankOf(0);
        const axes = attr(node, 'axes')?.ints?.length;
        if (r === undefined || axes === undefined) return undefined;
        return op === 'Unsqueeze' ? r + axes : r - axes;
      }
      case 'Gather': {
        const data = rankOf(0);
        const indices = rankOf(1);
        return data === undefined || indices === undefined ? undefined : data - 1 + indices;
      }
      default:
        return undefined;
    }
  }

  /** The element count of a 1-D tensor known before running (a Reshape target shape). */
  private length1D(name: string | undefined, depth: number): number | undefined {
    if (name === undefined || depth > 500) return undefined;
    const init = this.initializers.get(name);
    if (init) return Number(init.dims?.[0] ?? 1);
    const node = this.producers.get(name);
    const inputs = (node?.input ?? []).filter((n) => n !== '');
    switch (node?.opType) {
      case 'Constant':
        return Number(attr(node, 'value')?.t?.dims?.[0] ?? 1);
      case 'Shape':
        return this.rank(inputs[0] ?? '', depth + 1);
      case 'Unsqueeze':
        return this.rank(inputs[0] ?? '', depth + 1) === 0 ? 1 : undefined;
      case 'Identity':
      case 'Cast':
        return this.length1D(inputs[0], depth + 1);
      case 'Concat': {
        const parts = inputs.map((i) => this.length1D(i, depth + 1));
        return parts.some((p) => p === undefined)
          ? undefined
          : (parts as number[]).reduce((a, b) => a + b, 0);
      }
      default:
        return undefined;
    }
  }
}

function attr(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}
