import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { isArgusError } from '../../../src/errors/argus-error';
import { createSession, loadModelBytes } from '../../../src/models/load-model';
import { ensureModels } from '../../../src/models/model-fetcher';
import {
  type DetectorEntry,
  defaultModelsDir,
  type EmbedderEntry,
  type LandmarkerEntry,
  loadManifest,
  type ModelPatch,
  modelForRole,
} from '../../../src/models/model-manifest';
import { applyPatches } from '../../../src/models/onnx-graph-patch';

const manifest = loadManifest();
const modelsDir = defaultModelsDir();
const detector: DetectorEntry = modelForRole(manifest, 'detector');
const landmarker: LandmarkerEntry = modelForRole(manifest, 'landmarker');
const embedder: EmbedderEntry = modelForRole(manifest, 'embedder');

/** Deterministic pseudo-random input in [-1, 1). */
function noise(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const floats = (t: Tensor | undefined) => t!.data as Float32Array;

function priorCount(width: number, height: number): number {
  const { strides, minSizes } = detector.priors;
  return strides.reduce(
    (n, s, k) => n + Math.ceil(width / s) * Math.ceil(height / s) * minSizes[k]!.length,
    0,
  );
}

/** Priors as MODELS.md describes them: row-major cells, centre over the ceil'd feature-map size, clamped. */
function priors(width: number, height: number): number[][] {
  const { strides, minSizes } = detector.priors;
  const out: number[][] = [];
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  strides.forEach((s, k) => {
    const fw = Math.ceil(width / s);
    const fh = Math.ceil(height / s);
    for (let j = 0; j < fh; j++)
      for (let i = 0; i < fw; i++)
        for (const m of minSizes[k]!)
          out.push([(i + 0.5) / fw, (j + 0.5) / fh, m / width, m / height].map(clamp));
  });
  return out;
}

async function run(session: InferenceSession, data: Float32Array, dims: number[]) {
  return session.run({ input: new Tensor('float32', data, dims) });
}

describe('ONNX graph patches (real models)', () => {
  const sessions: InferenceSession[] = [];
  const open = async (bytes: Uint8Array) => {
    const s = await InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
    sessions.push(s);
    return s;
  };
  const session = async (entry: DetectorEntry | LandmarkerEntry | EmbedderEntry) => {
    const s = await createSession(entry, modelsDir, { intraOpThreads: 1 });
    sessions.push(s);
    return s;
  };

  beforeAll(async () => {
    await ensureModels({ manifest, modelsDir });
  }, 300_000);

  afterAll(async () => {
    for (const s of sessions) await s.release();
  });

  it('leaves the verified file untouched and changes only the in-memory bytes', async () => {
    const onDisk = await readFile(path.join(modelsDir, detector.file));
    const patched = await loadModelBytes(detector, modelsDir, { download: false });
    expect(Buffer.compare(Buffer.from(patched), onDisk)).not.toBe(0);
    expect(applyPatches(onDisk, [])).toBe(onDisk);
  });

  describe('detector', () => {
    it('at 1x3x240x320 gives the original scores and the raw regression that decodes to the original boxes', async () => {
      const original = await open(await readFile(path.join(modelsDir, detector.file)));
      const patched = await session(detector);
      expect(patched.outputNames).toEqual(['scores', '462']);
      const input = noise(3 * 240 * 320, 1);
      const a = await run(original, input, [1, 3, 240, 320]);
      const b = await run(patched, input, [1, 3, 240, 320]);
      expect(maxAbsDiff(floats(a.scores), floats(b.scores))).toBeLessThan(1e-5);
      const regression = b[detector.outputs.regression]!;
      expect(regression.dims).toEqual([1, 4420, 4]);

      const { centerVariance: cv, sizeVariance: sv } = detector.priors;
      const decoded = new Float32Array(4420 * 4);
      const loc = floats(regression);
      priors(320, 240).forEach(([px, py, pw, ph], k) => {
        const cx = loc[4 * k]! * cv * pw! + px!;
        const cy = loc[4 * k + 1]! * cv * ph! + py!;
        const w = Math.exp(loc[4 * k + 2]! * sv) * pw!;
        const h = Math.exp(loc[4 * k + 3]! * sv) * ph!;
        decoded.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 4 * k);
      });
      expect(maxAbsDiff(decoded, floats(a.boxes))).toBeLessThan(1e-5);
    });

    it.each([
      [1, 480, 640],
      [2, 240, 320],
      [1, 360, 640],
    ])('runs at %ix3x%ix%i with the matching prior count', async (n, h, w) => {
      const patched = await session(detector);
      const out = await run(patched, noise(n * 3 * h * w, 2), [n, 3, h, w]);
      const count = priorCount(w, h);
      expect(out.scores!.dims).toEqual([n, count, 2]);
      expect(out[detector.outputs.regression]!.dims).toEqual([n, count, 4]);
    });

    it('gives each batch item the result it gets alone', async () => {
      const patched = await session(detector);
      const size = 3 * 240 * 320;
      const batch = noise(2 * size, 3);
      const both = await run(patched, batch, [2, 3, 240, 320]);
      const second = await run(patched, batch.subarray(size), [1, 3, 240, 320]);
      const half = floats(both.scores).length / 2;
      expect(maxAbsDiff(floats(both.scores).subarray(half), floats(second.scores))).toBeLessThan(1e-5);
    });
  });

  it.each([
    ['embedder', embedder, [3, 112, 112], 512, 1e-4],
    ['landmarker', landmarker, [1, 64, 64], 136, 1e-5],
  ] as const)('%s at batch 3 equals three batch-1 runs', async (_name, entry, chw, width, tolerance) => {
    const patched = await session(entry);
    const outName = Object.values(entry.outputs)[0]!;
    const size = chw[0] * chw[1] * chw[2];
    const batch = noise(3 * size, 4);
    const together = await run(patched, batch, [3, ...chw]);
    expect(together[outName]!.dims).toEqual([3, width]);
    for (let i = 0; i < 3; i++) {
      const alone = await run(patched, batch.slice(i * size, (i + 1) * size), [1, ...chw]);
      const row = floats(together[outName]).subarray(i * width, (i + 1) * width);
      expect(maxAbsDiff(row, floats(alone[outName]))).toBeLessThan(tolerance);
    }
  });

  it('needs the Reshape fix: a batch-dynamic embedder without it merges the batch into one row', async () => {
    const bytes = await readFile(path.join(modelsDir, embedder.file));
    const onlyBatch = embedder.patches.filter((p) => p.op !== 'setInitializer');
    const broken = await open(applyPatches(bytes, onlyBatch));
    const out = await run(broken, noise(3 * 3 * 112 * 112, 5), [3, 3, 112, 112]);
    expect(out.output!.dims).toEqual([1, 3 * 512]);
  });

  describe('decomposePRelu', () => {
    const opTypes = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);

    it('gives the embedder the outputs it has with PRelu, with no PRelu left', async () => {
      const bytes = await readFile(path.join(modelsDir, embedder.file));
      const withPRelu = embedder.patches.filter((p) => p.op !== 'decomposePRelu');
      expect(withPRelu.length).toBe(embedder.patches.length - 1);
      const decomposed = applyPatches(bytes, embedder.patches);
      expect(opTypes(applyPatches(bytes, withPRelu)).filter((t) => t === 'PRelu').length).toBe(33);
      expect(opTypes(decomposed)).not.toContain('PRelu');
      const input = noise(2 * 3 * 112 * 112, 6);
      const a = await run(await open(applyPatches(bytes, withPRelu)), input, [2, 3, 112, 112]);
      const b = await run(await open(decomposed), input, [2, 3, 112, 112]);
      // fr_feature's outputs are ~0.2 in magnitude; the rewrite changes only float rounding.
      expect(maxAbsDiff(floats(a.output), floats(b.output))).toBeLessThan(1e-5);
    });

    it('computes s*x below zero and x above for negative and >1 slopes; leaves a scalar slope alone', async () => {
      const { FLOAT } = onnx.TensorProto.DataType;
      const io = (name: string) => ({
        name,
        type: { tensorType: { elemType: FLOAT, shape: { dim: [1, 2, 1, 3].map((d) => ({ dimValue: d })) } } },
      });
      const model = onnx.ModelProto.encode({
        irVersion: 7,
        opsetImport: [{ version: 9 }],
        graph: {
          name: 'prelu',
          node: [
            { opType: 'PRelu', name: 'p1', input: ['x', 'slope'], output: ['h'] },
            { opType: 'PRelu', name: 'p2', input: ['h', 'scalar'], output: ['y'] },
          ],
          initializer: [
            { name: 'slope', dims: [2, 1, 1], dataType: FLOAT, floatData: [-0.5, 1.5] },
            { name: 'scalar', dims: [1], dataType: FLOAT, floatData: [0.25] },
          ],
          input: [io('x')],
          output: [io('y')],
        },
      }).finish();
      const patched = applyPatches(model, [{ op: 'decomposePRelu' }]);
      expect(opTypes(patched).filter((t) => t === 'PRelu')).toEqual(['PRelu']);
      expect(onnx.ModelProto.decode(patched).graph!.initializer!.map((t) => t.name)).not.toContain('slope');
      const x = Float32Array.from([-2, 0, 3, -4, 1, -1]);
      const out = await (await open(patched)).run({ x: new Tensor('float32', x, [1, 2, 1, 3]) });
      // Channel 0: slope -0.5 (then the scalar 0.25 applies to what turned negative); channel 1: 1.5.
      expect(Array.from(floats(out.y))).toEqual([1, 0, 3, -6 * 0.25, 1, -1.5 * 0.25]);
    });
  });

  describe('invalid patches', () => {
    const cases: Array<[string, ModelPatch, RegExp]> = [
      ['unknown output tensor', { op: 'keepOutputs', outputs: ['scores', 'nope'] }, /no tensor named "nope"/],
      [
        'unknown input',
        { op: 'dynamicInput', input: 'image', dims: ['N', 3, 'H', 'W'] },
        /no graph input named "image"/,
      ],
      ['wrong rank', { op: 'dynamicInput', input: 'input', dims: ['N', 'H', 'W'] }, /rank 4/],
      ['bad dim', { op: 'dynamicInput', input: 'input', dims: [0, 3, 'H', 'W'] }, /not a positive integer/],
      [
        'unknown batch output',
        { op: 'dynamicBatch', input: 'input', outputs: ['logits'] },
        /no graph output named/,
      ],
      [
        'unknown initializer',
        { op: 'setInitializer', name: '99999', int64: [1] },
        /no initializer named "99999"/,
      ],
      ['non-int64 initializer', { op: 'setInitializer', name: '493', int64: [-1] }, /"493" is not int64/],
      ['no PRelu to decompose', { op: 'decomposePRelu' }, /no PRelu with a constant \[C,1,1\] slope/],
    ];

    it.each(cases)('%s -> ARGUS_E_MODEL_INVALID', async (_name, patch, reason) => {
      const bytes = await readFile(path.join(modelsDir, detector.file));
      let error: unknown;
      try {
        applyPatches(bytes, [patch], detector.id);
      } catch (err) {
        error = err;
      }
      expect(isArgusError(error, 'ARGUS_E_MODEL_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).toContain(detector.id);
    });

    it('rejects bytes that are not an ONNX model', () => {
      expect(() => applyPatches(new Uint8Array([1, 2, 3, 4, 5]), detector.patches, 'junk')).toThrow(
        expect.objectContaining({ code: 'ARGUS_E_MODEL_INVALID' }),
      );
    });

    it('createSession rejects a model that lacks the manifest outputs or input', async () => {
      const wrongOutput = { ...detector, outputs: { scores: 'scores', regression: 'boxes' } };
      await expect(createSession(wrongOutput, modelsDir, { intraOpThreads: 1 })).rejects.toMatchObject({
        code: 'ARGUS_E_MODEL_INVALID',
        message: expect.stringContaining('output "boxes" not found'),
      });
      const wrongInput = { ...landmarker, input: { ...landmarker.input, name: 'image' }, patches: [] };
      await expect(createSession(wrongInput, modelsDir, { intraOpThreads: 1 })).rejects.toMatchObject({
        code: 'ARGUS_E_MODEL_INVALID',
        message: expect.stringContaining('input "image" not found'),
      });
    });
  });
});
