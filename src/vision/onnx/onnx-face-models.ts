import * as ort from 'onnxruntime-node';
import { ArgusError } from '../../errors/argus-error';
import { createSession } from '../../models/load-model';
import { type ModelManifest, modelForRole } from '../../models/model-manifest';
import type { DetectorModel, EmbeddingModel, FaceModels, LandmarkModel } from '../inference-port';

export interface OnnxModelOptions {
  modelsDir: string;
  intraOpThreads: number;
  executionProvider: 'cpu' | 'cuda';
  /** Fetch missing weights from the registry (first use); false fails with ARGUS_E_MODEL_MISSING. */
  download: boolean;
}

/** ONNX Runtime sessions for the three models named by role in the manifest. */
export async function loadOnnxFaceModels(manifest: ModelManifest, o: OnnxModelOptions): Promise<FaceModels> {
  const det = modelForRole(manifest, 'detector');
  const lm = modelForRole(manifest, 'landmarker');
  const emb = modelForRole(manifest, 'embedder');
  const sessionOptions = {
    intraOpThreads: o.intraOpThreads,
    executionProviders: [o.executionProvider],
    download: o.download,
  };
  // allSettled, not all: a failure must not be reported (and the thread torn down) while another
  // session is still being built natively.
  const settled = await Promise.allSettled([
    createSession(det, o.modelsDir, sessionOptions),
    createSession(lm, o.modelsDir, sessionOptions),
    createSession(emb, o.modelsDir, sessionOptions),
  ]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [detS, lmS, embS] = settled.map((r) => (r as PromiseFulfilledResult<ort.InferenceSession>).value) as [
    ort.InferenceSession,
    ort.InferenceSession,
    ort.InferenceSession,
  ];
  const lmSize = lm.input.shape[3]!;
  const embSize = emb.input.shape[3]!;
  const detector: DetectorModel = {
    id: det.id,
    spec: det.input,
    priors: det.priors,
    // The finest stride: every stride's feature map is ceil(size / stride) for any multiple of it
    // (stride-2 convolutions round up), so padding to the coarsest stride only wastes work.
    align: Math.min(...det.priors.strides),
    async infer(input, height, width) {
      const out = await run(
        detS,
        det.id,
        det.input.name,
        new ort.Tensor('float32', input, [1, 3, height, width]),
      );
      return { scores: out[det.outputs.scores]!, regression: out[det.outputs.regression]! };
    },
  };
  const landmarker: LandmarkModel = {
    id: lm.id,
    spec: lm.input,
    inputSize: lmSize,
    points: lm.points,
    async infer(input, batch) {
      const channels = lm.input.shape[1]!;
      const out = await run(
        lmS,
        lm.id,
        lm.input.name,
        new ort.Tensor('float32', input, [batch, channels, lmSize, lmSize]),
      );
      return out[lm.outputs.landmarks]!;
    },
  };
  const embedder: EmbeddingModel = {
    id: emb.id,
    spec: emb.input,
    inputSize: embSize,
    dim: emb.embeddingSize,
    template: emb.alignment.template,
    async infer(input, batch) {
      const out = await run(
        embS,
        emb.id,
        emb.input.name,
        new ort.Tensor('float32', input, [batch, 3, embSize, embSize]),
      );
      const vectors = out[emb.outputs.embedding]!;
      if (vectors.length !== batch * emb.embeddingSize) {
        throw new ArgusError('ARGUS_E_MODEL_INVALID', {
          model: emb.id,
          reason: `batch of ${batch} gave ${vectors.length} values, expected ${batch} x ${emb.embeddingSize}`,
        });
      }
      return vectors;
    },
  };
  return { detector, landmarker, embedder };
}

async function run(
  session: ort.InferenceSession,
  model: string,
  inputName: string,
  tensor: ort.Tensor,
): Promise<Record<string, Float32Array>> {
  let result: ort.InferenceSession.OnnxValueMapType;
  try {
    result = await session.run({ [inputName]: tensor });
  } catch (err) {
    throw new ArgusError('ARGUS_E_INFERENCE', { model, reason: (err as Error).message }, { cause: err });
  }
  const out: Record<string, Float32Array> = {};
  for (const [name, value] of Object.entries(result)) {
    out[name] = (value as ort.Tensor).data as Float32Array;
  }
  return out;
}
