import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import { ArgusError } from '../errors/argus-error';
import { flushDenormalsOnThisThread } from './flush-denormals';
import type { ModelEntry } from './model-manifest';
import { type LoadModelBytesOptions, loadPatchedModel } from './patch-cache';

export type { LoadModelBytesOptions } from './patch-cache';

/**
 * The model's bytes with the manifest's patches applied, fetching the weights first if they are
 * missing. Patched bytes are cached in <modelsDir>/.cache (see patch-cache.ts), so only the first
 * process after an install or a patch change pays for onnx-proto.
 */
export async function loadModelBytes(
  entry: ModelEntry,
  modelsDir: string,
  opts: LoadModelBytesOptions = {},
): Promise<Uint8Array> {
  return (await loadPatchedModel(entry, modelsDir, opts)).bytes;
}

export interface CreateSessionOptions extends LoadModelBytesOptions {
  /** Threads one operator may use. Several single-threaded sessions in workers beat one wide session on few cores. */
  intraOpThreads: number;
  /**
   * onnxruntime execution providers in order of preference; default ['cpu'].
   * 'cuda' needs the CUDA build of the provider libraries, which onnxruntime-node does not bundle
   * (this repository's .npmrc and allowScripts skip that download). On linux/x64 with CUDA 12 and
   * cuDNN 9 installed, fetch them once with:
   *   ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js
   * (or set "onnxruntime-node": true under allowScripts in package.json and run
   *   ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node);
   * they land in node_modules/onnxruntime-node/bin/napi-v6/linux/x64/ and are lost on the next clean install.
   */
  executionProviders?: string[];
}

/** The onnxruntime options every Argus session uses. */
export function sessionOptions(
  intraOpThreads: number,
  executionProviders: string[] = ['cpu'],
): InferenceSession.SessionOptions {
  return {
    executionProviders,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    // Flush denormals to zero: fr_feature's activations decay into denormal floats, which Intel
    // cores compute in microcode. Measured on a Xeon (Sapphire Rapids class): 65 ms per face
    // without this, 7.7 ms with it; AMD EPYC barely notices (7-9 ms either way). Values that
    // small carry no signal in a CNN. onnxruntime applies this only to the first session's
    // thread, so createSession also sets the mode itself (flush-denormals.ts).
    extra: { session: { set_denormal_as_zero: '1' } },
  };
}

/**
 * An onnxruntime session for a manifest entry, checked against the manifest's input name and outputs.
 */
export async function createSession(
  entry: ModelEntry,
  modelsDir: string,
  opts: CreateSessionOptions,
): Promise<InferenceSession> {
  const { intraOpThreads, executionProviders = ['cpu'], ...fetchOpts } = opts;
  if (!Number.isInteger(intraOpThreads) || intraOpThreads < 1) {
    throw new ArgusError('ARGUS_E_USAGE', {
      reason: `intraOpThreads must be a positive integer, got ${intraOpThreads}`,
    });
  }
  const bytes = await loadModelBytes(entry, modelsDir, fetchOpts);
  const missingEp = executionProviders.filter((ep) => !listSupportedBackends().some((b) => b.name === ep));
  if (missingEp.length > 0) {
    throw new ArgusError('ARGUS_E_CONFIG_INVALID', {
      problems: `execution provider ${missingEp.join(', ')} is not supported by this onnxruntime-node build`,
    });
  }
  // onnxruntime-node runs a session on the thread that created it (its run() is synchronous).
  flushDenormalsOnThisThread();
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, sessionOptions(intraOpThreads, executionProviders));
  } catch (err) {
    const reason = (err as Error).message;
    if (executionProviders.some((ep) => ep !== 'cpu') && /provider|cuda|\.so|library/i.test(reason)) {
      throw new ArgusError(
        'ARGUS_E_CONFIG_INVALID',
        {
          problems:
            `execution providers [${executionProviders.join(', ')}] could not start: ${reason}. ` +
            'For CUDA, install the provider libraries once: ' +
            'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js',
        },
        { cause: err },
      );
    }
    throw new ArgusError('ARGUS_E_MODEL_INVALID', { model: entry.id, reason }, { cause: err });
  }
  const problems = interfaceProblems(entry, session);
  if (problems.length > 0) {
    await session.release().catch(() => undefined);
    throw new ArgusError('ARGUS_E_MODEL_INVALID', { model: entry.id, reason: problems.join('; ') });
  }
  return session;
}

function interfaceProblems(entry: ModelEntry, session: InferenceSession): string[] {
  const problems: string[] = [];
  if (!session.inputNames.includes(entry.input.name)) {
    problems.push(`input "${entry.input.name}" not found (inputs: ${session.inputNames.join(', ')})`);
  } else {
    const meta = session.inputMetadata.find((m) => m.name === entry.input.name);
    const rank = meta?.isTensor ? meta.shape.length : undefined;
    if (rank !== undefined && rank !== 0 && rank !== entry.input.shape.length) {
      problems.push(
        `input "${entry.input.name}" has rank ${rank}, the manifest says ${entry.input.shape.length}`,
      );
    }
  }
  for (const name of Object.values(entry.outputs)) {
    if (!session.outputNames.includes(name)) {
      problems.push(`output "${name}" not found (outputs: ${session.outputNames.join(', ')})`);
    }
  }
  return problems;
}
