import path from 'node:path';
import type { ArgusConfig } from '../config/config-schema';
import { defaultManifestPath, loadManifest, modelForRole } from '../models/model-manifest';
import { type FaceSource, Gallery, type GalleryLogger } from './gallery';
import { GalleryStore } from './gallery-store';
import { hnswIndexFactory } from './hnsw-vector-index';
import type { IndexProgress } from './index-sync';
import type { VectorIndexFactory } from './vector-index';

export const GALLERY_DIR = 'gallery';
export const DATABASE_FILE = 'gallery.db';

export interface OpenGalleryOptions {
  config: Readonly<ArgusConfig>;
  /** Default: config.dataDir. The gallery lives in DATA/gallery/. */
  dataDir?: string;
  /** Create an empty gallery when there is none (enrolment); read commands pass false. */
  create: boolean;
  /** Default: the manifest's embedder (model id and embedding size). */
  embedder?: { modelId: string; dim: number };
  faces?: () => Promise<FaceSource>;
  indexFactory?: VectorIndexFactory;
  onIndexProgress?: IndexProgress;
  logger?: GalleryLogger;
  /** Build the index in a worker thread (`argus serve`); see GalleryDeps.indexInBackground. */
  indexInBackground?: boolean;
  exactWhileBuilding?: number;
}

/** The embedding model of this installation, from models/manifest.json. */
export function manifestEmbedder(): { modelId: string; dim: number } {
  const entry = modelForRole(loadManifest(defaultManifestPath()), 'embedder');
  return { modelId: entry.id, dim: entry.embeddingSize };
}

export function galleryPaths(dataDir: string): { dir: string; database: string } {
  const dir = path.join(dataDir, GALLERY_DIR);
  return { dir, database: path.join(dir, DATABASE_FILE) };
}

/** Composition root of the gallery: SQLite store + HNSW index (+ a face analyzer, lazily). */
export function openGallery(o: OpenGalleryOptions): Gallery {
  const embedder = o.embedder ?? manifestEmbedder();
  const { dir, database } = galleryPaths(o.dataDir ?? o.config.dataDir);
  const store = GalleryStore.open(database, {
    create: o.create,
    busyTimeoutMs: o.config.gallery.busyTimeoutMs,
    modelId: embedder.modelId,
    dim: embedder.dim,
  });
  try {
    return new Gallery({
      store,
      indexFactory: o.indexFactory ?? hnswIndexFactory(o.config.gallery.hnsw),
      config: o.config,
      embedder,
      dir,
      ...(o.faces ? { faces: o.faces } : {}),
      ...(o.onIndexProgress ? { onIndexProgress: o.onIndexProgress } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.indexInBackground ? { indexInBackground: true } : {}),
      ...(o.exactWhileBuilding !== undefined ? { exactWhileBuilding: o.exactWhileBuilding } : {}),
    });
  } catch (err) {
    store.close();
    throw err;
  }
}
